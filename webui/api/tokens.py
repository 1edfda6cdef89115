"""GET /api/mgmt/oauthprofiles/{id}/token: a valid access token for the programs that use a
profile (our extension to HDP's API, like /refresh)."""
from __future__ import annotations

from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.serialize import timestamp
from webui.domain import tokens


@bp.get("/mgmt/oauthprofiles/<id:profile_id>/token")
def get_token(profile_id: int):
    handed = tokens.hand_out(caller(), profile_id)
    return {"accessToken": handed.access_token, "tokenType": handed.token_type,
            "expiresAt": timestamp(handed.expires_at), "scope": handed.scope}
