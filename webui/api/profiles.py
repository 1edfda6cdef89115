"""/api/mgmt/oauthprofiles: thin door into domain.profiles."""
from __future__ import annotations

from flask import request

from webui.api import serialize
from webui.api.auth import api_requires, authenticated, on_behalf
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import profiles, rules
from webui.domain.permissions import Permission

MGMT = Permission.MGMT_API


def _app_filter() -> int | None:
    value = request.args.get("oauthAppId")
    return None if value is None else rules.id_from_text(value, "oauthAppId")


@bp.get("/mgmt/oauthprofiles")
@api_requires(MGMT)
def list_profiles():
    page = profiles.list_profiles(authenticated(), page_request(), for_user=on_behalf(),
                                  name_contains=request.args.get("name") or None,
                                  app_id=_app_filter())
    return page_response("profiles", page, serialize.profile_item)


@bp.post("/mgmt/oauthprofiles")
@api_requires(MGMT)
def create_profile():
    profile = profiles.create_profile(authenticated(), json_object(), for_user=on_behalf())
    return serialize.profile_created(profile), 201


@bp.get("/mgmt/oauthprofiles/<id:profile_id>")
@api_requires(MGMT)
def get_profile(profile_id: int):
    profile = profiles.get_profile(authenticated(), profile_id, for_user=on_behalf(),
                                   with_tokens=serialize.exposes_secrets())
    return serialize.profile(profile)


@bp.put("/mgmt/oauthprofiles/<id:profile_id>")
@api_requires(MGMT)
def update_profile(profile_id: int):
    profile = profiles.update_profile(authenticated(), profile_id, json_object(),
                                      for_user=on_behalf())
    return serialize.profile(profile)


@bp.delete("/mgmt/oauthprofiles/<id:profile_id>")
@api_requires(MGMT)
def delete_profile(profile_id: int):
    profiles.delete_profile(authenticated(), profile_id, for_user=on_behalf())
    return "", 204
