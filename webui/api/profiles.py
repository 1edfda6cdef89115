"""/api/mgmt/oauthprofiles: thin door into domain.profiles."""
from __future__ import annotations

from flask import request

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import profiles, rules


def _app_filter() -> int | None:
    value = request.args.get("oauthAppId")
    return None if value is None else rules.id_from_text(value, "oauthAppId")


@bp.get("/mgmt/oauthprofiles")
def list_profiles():
    # Empty values are refused by the use case, not skipped: "?status=" names no status.
    statuses = [s for value in request.args.getlist("status") for s in value.split(",")]
    page = profiles.list_profiles(caller(), page_request(),
                                  name_contains=request.args.get("name") or None,
                                  app_id=_app_filter(), statuses=statuses,
                                  sort=request.args.get("sort"))
    at = serialize.clock()
    return page_response("profiles", page, lambda item: serialize.profile_item(item, at))


@bp.post("/mgmt/oauthprofiles")
def create_profile():
    return serialize.profile_created(profiles.create_profile(caller(), json_object())), 201


@bp.get("/mgmt/oauthprofiles/<id:profile_id>")
def get_profile(profile_id: int):
    return serialize.profile(profiles.get_profile(caller(), profile_id,
                                                  with_tokens=serialize.exposes_secrets()))


@bp.put("/mgmt/oauthprofiles/<id:profile_id>")
def update_profile(profile_id: int):
    return serialize.profile(profiles.update_profile(caller(), profile_id, json_object(),
                                                     with_tokens=serialize.exposes_secrets()))


@bp.delete("/mgmt/oauthprofiles/<id:profile_id>")
def delete_profile(profile_id: int):
    profiles.delete_profile(caller(), profile_id)
    return "", 204
