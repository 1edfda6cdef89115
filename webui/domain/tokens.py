"""The token service: an access token that is valid NOW, for the programs that use a profile
(GET /api/mgmt/oauthprofiles/{id}/token).

A token that expires within TOKEN_MIN_TTL_SECONDS (or is missing, or expired) is refreshed
first, under the profile's lock (refresh.py): any number of concurrent callers, on any worker or
host, cause one token request, and all receive the new token; a rotated refresh token is
stored before anyone gets the access token. A failed refresh never hands out the stale token.
A token with no known expiry (the provider sent no expires_in) is handed out as it is, with
expiresAt null: valid as far as this server knows, until the provider refuses it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select

from webui.domain import datasources, handouts, profiles, refresh
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict
from webui.domain.permissions import Permission
from webui.domain.provider_calls import ProviderError
from webui.domain.refresh import NeedsReauthorization, aware
from webui.infra import metrics
from webui.infra.prepared import PreparedRead
from webui.models import OAuthApplication, OAuthProfile
from webui.models.columns import utcnow


@dataclass(frozen=True)
class HandOut:
    access_token: str
    expires_at: datetime | None
    scope: str | None
    token_type: str = "Bearer"


_P, _A = OAuthProfile.__table__.c, OAuthApplication.__table__.c
# The hand-out's one read when the token is valid (the common case): built once, run through
# the driver (webui/infra/prepared.py).
_TOKEN = PreparedRead(
    select(_P.access_token, _P.token_expires_at, _P.needs_reauthorization, _A.scope)
    .join_from(OAuthProfile.__table__, OAuthApplication.__table__, _P.oauth_app_id == _A.id)
    .where(_P.id == bindparam("profile_id"), _P.owner_id == bindparam("owner_id")))


def margin() -> timedelta:
    return timedelta(seconds=current_app.config["TOKEN_MIN_TTL_SECONDS"])


def fresh(access_token: str | None, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a stored token may be handed out now."""
    expires = aware(expires_at)
    return bool(access_token) and (expires is None or expires > now + margin())


def hand_out(caller: Caller, profile_id: int, *, now: datetime | None = None) -> HandOut:
    """The profile's access token, valid for at least TOKEN_MIN_TTL_SECONDS (or of unknown
    expiry), refreshed first when needed. Recorded in the audit trail, never the value.

    Needs ViewDataSource (2). Raises Forbidden, NotFound (222207710; someone else's profile),
    NeedsReauthorization (409 at once, the provider is not called), ProviderError (502: the
    provider is unreachable, failed, timed out, or refused; invalid_grant also marks the
    profile and answers 409), RuleViolation (the token URI is no longer allowed).
    """
    now = now or utcnow()
    subject = caller.require(Permission.VIEW_DATA_SOURCE)
    row = _TOKEN.one_or_none({"profile_id": profile_id, "owner_id": subject.id})
    if row is None:
        raise profiles.not_found(profile_id)
    if row.needs_reauthorization:
        raise NeedsReauthorization()
    refreshed = False
    token, expires_at = row.access_token, row.token_expires_at
    if not fresh(token, expires_at, now):
        try:
            outcome = refresh.refresh_if(
                caller, subject, profile_id,
                lambda p: not fresh(p.access_token, p.token_expires_at, now), now=now,
                with_tokens=True)
        except ProviderError as exc:
            if exc.error == "invalid_grant":
                raise NeedsReauthorization() from None
            raise
        # Handed out even if shorter-lived than the margin: it is as new as the provider
        # makes them.
        refreshed = outcome.refreshed
        token, expires_at = outcome.view.access_token, outcome.view.token_expires_at
    handouts.record(caller, profile_id, refreshed=refreshed, now=now)
    metrics.token_handed_out(refreshed)
    return HandOut(token, aware(expires_at), row.scope or None)


NO_PROFILE = "This data source uses no OAuth profile, so it has no token."


def hand_out_for_data_source(caller: Caller, ds_id: int, *, now: datetime | None = None
                             ) -> HandOut:
    """The token of the profile a data source uses, by the same rules as hand_out.

    Raises as hand_out, NotFound (222207004: no such data source of the subject's), Conflict
    (the data source uses no profile)."""
    subject = caller.require(Permission.VIEW_DATA_SOURCE)
    profile_id = datasources.linked_profile_id(subject, ds_id)
    if profile_id is None:
        raise Conflict(NO_PROFILE, "options", Code.RULE_VIOLATION)
    return hand_out(caller, profile_id, now=now)
