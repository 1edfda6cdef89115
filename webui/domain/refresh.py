"""Token refresh ("Test connection" and POST /api/mgmt/oauthprofiles/{id}/refresh).

Concurrent refreshes of one profile make one token request, across threads and workers: a
named lock per profile (webui/infra/locks.py: a PostgreSQL advisory lock, or flock beside the SQLite
file) is taken, the profile re-read, and the request skipped when another refresh landed
meanwhile (or within OAUTH_REFRESH_COALESCE_SECONDS). A refresh token sent by a provider that
rotates them would otherwise be spent twice, and the loser's answer would be invalid_grant.

The lock is held across the token request, but no database transaction is: a slow provider
delays only other refreshes of the same profile, never the other writers.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app

from webui.domain import audit, oauthapps, oauthclient, profiles
from webui.domain.caller import Caller
from webui.domain.errors import ConcurrentChange, Invalid
from webui.domain.oauthclient import ProviderError
from webui.domain.permissions import Permission
from webui.domain.profile_view import ProfileView
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.infra.locks import LockTimeout, named_lock
from webui.models import OAuthProfile
from webui.models.columns import utcnow

NO_REFRESH_TOKEN = "This profile has no refresh token to test. Authorize it again."


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC


def refresh_profile(caller: Caller, profile_id: int, *, now: datetime | None = None,
                    with_tokens: bool = False) -> ProfileView:
    """Exchange the profile's refresh token at its application's token URI and store the new
    access token and expiry; a rotated refresh token replaces the old one, an answer without
    one keeps it. Returns the profile as stored (unchanged when a concurrent refresh just did
    the work; tokens decrypted when with_tokens).

    Needs ModifyDataSource (3). Raises Forbidden, NotFound, Invalid (no refresh token),
    RuleViolation (token URI not allowed), ProviderError (502; ``error`` "invalid_grant" also
    marks the profile as needing re-authorization, committed before raising).
    """
    failure: ProviderError | None = None
    now = now or utcnow()
    subject = caller.require(Permission.MODIFY_DATA_SOURCE)
    seen = profiles.owned_profile(subject, profile_id)  # NotFound before taking any lock
    seen_refreshed, seen_flag = _aware(seen.tokens_refreshed_at), seen.needs_reauthorization
    config = current_app.config
    window = timedelta(seconds=config["OAUTH_REFRESH_COALESCE_SECONDS"])
    wait = config["OAUTH_CONNECT_TIMEOUT"] + config["OAUTH_READ_TIMEOUT"] + 5
    session = db.session()
    session.commit()  # wait for the lock without holding a pooled connection
    try:
        with named_lock(f"refresh-oauth-profile-{profile_id}", wait):
            session.commit()  # a fresh snapshot: re-read what the last lock holder wrote
            session.expire_all()
            profile = profiles.owned_profile(subject, profile_id, with_tokens=True)
            refreshed = _aware(profile.tokens_refreshed_at)
            if refreshed is not None and (refreshed != seen_refreshed
                                          or refreshed > now - window):
                return profiles.read(subject, profile_id, with_tokens=with_tokens)
            if profile.needs_reauthorization and not seen_flag:
                raise oauthclient.refused("invalid_grant")  # a concurrent refresh learnt it
            if not profile.refresh_token:
                raise Invalid(NO_REFRESH_TOKEN, "refreshToken")
            application = oauthapps.application_with_secret(subject, profile.oauth_app_id)
            session.commit()  # no transaction stays open across the provider's answer
            try:
                tokens = oauthclient.refresh(application, profile.refresh_token, now)
            except ProviderError as exc:
                failure = exc
                if exc.error == "invalid_grant":
                    with unit_of_work(ConcurrentChange()) as session:
                        session.add(profile)
                        profile.needs_reauthorization = True
                        audit.record(caller, "update", "oauthprofile", profile.id,
                                     ["status"])
            else:
                _store(caller, profile, tokens, now)
    except LockTimeout:
        raise ConcurrentChange("Another refresh of this profile is still waiting for the "
                               "provider; retry shortly.") from None
    if failure is not None:
        raise failure
    return profiles.read(subject, profile_id, with_tokens=with_tokens)


def _store(caller: Caller, profile: OAuthProfile, tokens, now: datetime) -> None:
    with unit_of_work(ConcurrentChange()) as session:
        session.add(profile)
        changed = ["accessToken"]
        profile.access_token = tokens.access_token
        if tokens.refresh_token is not None:
            profile.refresh_token = tokens.refresh_token
            changed.append("refreshToken")
        profile.token_expires_at = tokens.expires_at
        profile.tokens_refreshed_at = now
        audit.record(caller, "refresh", "oauthprofile", profile.id, changed)
