"""POST /api/mgmt/oauthprofiles/{id}/refresh: our extension to HDP's API (not in HDP)."""
from __future__ import annotations

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.domain import refresh


@bp.post("/mgmt/oauthprofiles/<id:profile_id>/refresh")
def refresh_profile(profile_id: int):
    return serialize.profile(refresh.refresh_profile(caller(), profile_id,
                                                     with_tokens=serialize.exposes_secrets()))
