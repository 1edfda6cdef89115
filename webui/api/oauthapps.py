"""/api/mgmt/oauthapps: thin door into domain.oauthapps."""
from __future__ import annotations

from flask import request

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import oauthapps, rules


def _full(app):
    return serialize.application(app, manager=oauthapps.may_manage(caller()))


@bp.get("/mgmt/oauthapps")
def list_applications():
    tenant_id = request.args.get("tenantId")
    page = oauthapps.list_applications(
        caller(), page_request(),
        tenant_id=None if tenant_id is None else rules.id_from_text(tenant_id, "tenantId"),
        tenant_name=request.args.get("tenantName"))
    return page_response("applications", page, serialize.application_item)


@bp.post("/mgmt/oauthapps")
def create_application():
    return _full(oauthapps.create_application(caller(), json_object())), 201


@bp.get("/mgmt/oauthapps/<id:app_id>")
def get_application(app_id: int):
    manager = oauthapps.may_manage(caller())
    app = oauthapps.get_application(caller(), app_id, with_secret=manager)
    return serialize.application(app, manager=manager)


@bp.put("/mgmt/oauthapps/<id:app_id>")
def update_application(app_id: int):
    return _full(oauthapps.update_application(caller(), app_id, json_object()))


@bp.delete("/mgmt/oauthapps/<id:app_id>")
def delete_application(app_id: int):
    oauthapps.delete_application(caller(), app_id)
    return "", 204
