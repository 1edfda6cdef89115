"""/api/admin/roles: thin door into domain.roles."""
from __future__ import annotations

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import roles


@bp.get("/admin/roles")
def list_roles():
    return page_response("roles", roles.list_roles(caller(), page_request()),
                         serialize.role_item)


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
