"""/api/mgmt/oauthapps: thin door into domain.oauthapps."""
from __future__ import annotations

from webui.api import serialize
from webui.api.auth import api_requires, authenticated, on_behalf
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import oauthapps
from webui.domain.permissions import Permission

MGMT = Permission.MGMT_API


def _full(app):
    return serialize.application(app, manager=oauthapps.may_manage(authenticated()))


@bp.get("/mgmt/oauthapps")
@api_requires(MGMT)
def list_applications():
    page = oauthapps.list_applications(authenticated(), page_request(), for_user=on_behalf())
    return page_response("applications", page, serialize.application_item)


@bp.post("/mgmt/oauthapps")
@api_requires(MGMT)
def create_application():
    app = oauthapps.create_application(authenticated(), json_object(), for_user=on_behalf())
    return _full(app), 201


@bp.get("/mgmt/oauthapps/<id:app_id>")
@api_requires(MGMT)
def get_application(app_id: int):
    manager = oauthapps.may_manage(authenticated())
    app = oauthapps.get_application(authenticated(), app_id, for_user=on_behalf(),
                                    with_secret=manager)
    return serialize.application(app, manager=manager)


@bp.put("/mgmt/oauthapps/<id:app_id>")
@api_requires(MGMT)
def update_application(app_id: int):
    app = oauthapps.update_application(authenticated(), app_id, json_object(),
                                       for_user=on_behalf())
    return _full(app)


@bp.delete("/mgmt/oauthapps/<id:app_id>")
@api_requires(MGMT)
def delete_application(app_id: int):
    oauthapps.delete_application(authenticated(), app_id, for_user=on_behalf())
    return "", 204
