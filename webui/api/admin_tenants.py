"""/api/admin/tenants: thin door into domain.tenants."""
from __future__ import annotations

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.domain import tenants


@bp.get("/admin/tenants")
def list_tenants():
    return {"tenants": [serialize.tenant_item(t) for t in tenants.list_tenants(caller())]}


@bp.post("/admin/tenants")
def create_tenant():
    tenant, roles = tenants.create_tenant(caller(), json_object())
    return {**serialize.tenant(tenant), "roles": roles}, 201


@bp.get("/admin/tenants/<id:tenant_id>")
def get_tenant(tenant_id: int):
    return serialize.tenant(tenants.get_tenant(caller(), tenant_id))


@bp.put("/admin/tenants/<id:tenant_id>")
def update_tenant(tenant_id: int):
    return serialize.tenant(tenants.update_tenant(caller(), tenant_id, json_object()))


@bp.delete("/admin/tenants/<id:tenant_id>")
def delete_tenant(tenant_id: int):
    tenants.delete_tenant(caller(), tenant_id)
    return "", 204


@bp.get("/admin/tenants/<id:tenant_id>/admins")
def get_tenant_admins(tenant_id: int):
    return {"admins": tenants.get_admins(caller(), tenant_id)}


@bp.put("/admin/tenants/<id:tenant_id>/admins")
def set_tenant_admins(tenant_id: int):
    return {"admins": tenants.set_admins(caller(), tenant_id, json_object())}
