"""/api/admin/users: thin door into domain.users."""
from __future__ import annotations

from flask import request

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import rules, user_resources, users


@bp.get("/admin/users")
def list_users():
    tenant_id = request.args.get("tenantId")
    page = users.list_users(
        caller(), page_request(), name_contains=request.args.get("name") or None,
        tenant_id=None if tenant_id is None else rules.id_from_text(tenant_id, "tenantId"))
    return page_response("users", page, serialize.user)


@bp.post("/admin/users")
def create_user():
    return serialize.user(users.create_user(caller(), json_object())), 201


@bp.get("/admin/users/<id:user_id>")
def get_user(user_id: int):
    return serialize.user(users.get_user(caller(), user_id))


@bp.put("/admin/users/<id:user_id>")
def update_user(user_id: int):
    return serialize.user(users.update_user(caller(), user_id, json_object()))


@bp.put("/admin/users/<id:user_id>/resetpassword")
def reset_password(user_id: int):
    users.reset_password(caller(), user_id, json_object())
    return "", 204


@bp.delete("/admin/users/<id:user_id>")
def delete_user(user_id: int):
    users.delete_user(caller(), user_id)
    return "", 204


def _status_info(u) -> dict:
    return serialize.user(u)["statusInfo"]


@bp.get("/admin/users/<id:user_id>/statusinfo")
def get_status_info(user_id: int):
    return _status_info(users.get_user(caller(), user_id))


@bp.put("/admin/users/<id:user_id>/statusinfo")
def set_status_info(user_id: int):
    return _status_info(user_resources.set_status_info(caller(), user_id, json_object()))


@bp.get("/admin/users/<id:user_id>/passwordinfo")
def get_password_info(user_id: int):
    return serialize.user(users.get_user(caller(), user_id))["passwordInfo"]


@bp.put("/admin/users/<id:user_id>/passwordinfo")
def set_password_info(user_id: int):
    user = user_resources.set_password_info(caller(), user_id, json_object())
    return serialize.user(user)["passwordInfo"]


@bp.get("/admin/users/<id:user_id>/permissions")
def get_user_permissions(user_id: int):
    return serialize.user(users.get_user(caller(), user_id))["permissions"]


@bp.put("/admin/users/<id:user_id>/permissions")
def set_user_permissions(user_id: int):
    user = user_resources.set_permissions(caller(), user_id, json_object())
    return serialize.user(user)["permissions"]


@bp.get("/admin/users/<id:user_id>/tenantsadministered")
def get_tenants_administered(user_id: int):
    return {"tenantsAdministered": user_resources.tenants_administered(caller(), user_id)}


@bp.put("/admin/users/<id:user_id>/tenantsadministered")
def set_tenants_administered(user_id: int):
    return {"tenantsAdministered": user_resources.set_tenants_administered(
        caller(), user_id, json_object())}
