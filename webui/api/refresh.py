"""POST /api/mgmt/oauthprofiles/{id}/refresh: our extension to HDP's API (not in HDP)."""
from __future__ import annotations

from webui.api import serialize
from webui.api.auth import api_requires, authenticated, on_behalf
from webui.api.blueprint import bp
from webui.domain import refresh
from webui.domain.permissions import Permission


@bp.post("/mgmt/oauthprofiles/<id:profile_id>/refresh")
@api_requires(Permission.MGMT_API)
def refresh_profile(profile_id: int):
    profile = refresh.refresh_profile(authenticated(), profile_id, for_user=on_behalf())
    return serialize.profile(profile)
