"""GET /api/mgmt/oauthprofiles/{id}/token and /api/mgmt/datasources/{id}/token: a valid
access token for the programs that use a profile, or a data source's profile (our extension
to HDP's API, like /refresh)."""
from __future__ import annotations

from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.serialize import timestamp
from webui.domain import tokens


def _body(handed: tokens.HandOut) -> dict:
    return {"accessToken": handed.access_token, "tokenType": handed.token_type,
            "expiresAt": timestamp(handed.expires_at), "scope": handed.scope}


@bp.get("/mgmt/oauthprofiles/<id:profile_id>/token")
def get_token(profile_id: int):
    return _body(tokens.hand_out(caller(), profile_id))


@bp.get("/mgmt/datasources/<id:ds_id>/token")
def get_data_source_token(ds_id: int):
    return _body(tokens.hand_out_for_data_source(caller(), ds_id))
