"""/api/admin/roles: thin door into domain.roles."""
from __future__ import annotations

from flask import request

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import roles, rules


@bp.get("/admin/roles")
def list_roles():
    tenant_id = request.args.get("tenantId")
    page = roles.list_roles(
        caller(), page_request(),
        tenant_id=None if tenant_id is None else rules.id_from_text(tenant_id, "tenantId"),
        tenant_name=request.args.get("tenantName"))
    return page_response("roles", page, serialize.role_item)


@bp.post("/admin/roles")
def create_role():
    return serialize.role(roles.create_role(caller(), json_object())), 201


@bp.get("/admin/roles/<id:role_id>")
def get_role(role_id: int):
    return serialize.role(roles.get_role(caller(), role_id))


@bp.put("/admin/roles/<id:role_id>")
def update_role(role_id: int):
    return serialize.role(roles.update_role(caller(), role_id, json_object()))


@bp.delete("/admin/roles/<id:role_id>")
def delete_role(role_id: int):
    roles.delete_role(caller(), role_id)
    return "", 204
