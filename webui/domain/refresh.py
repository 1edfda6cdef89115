"""Refreshing a profile's tokens at its provider: the one code path of "Test connection",
POST /api/mgmt/oauthprofiles/{id}/refresh, the token hand-out (tokens.py) and the background
refresh (due.py).

Concurrent refreshes of one profile make one token request, across threads, workers and (on
PostgreSQL) hosts: a named lock per profile (webui/infra/locks.py) is taken, the profile
re-read, and the provider asked only when the caller's ``needed`` still says so (another
refresh may have done the work meanwhile). A refresh token sent by a provider that rotates
them would otherwise be spent twice, and the loser's answer would be invalid_grant. The lock is
held across the token request, but no database transaction is.

Tokens follow their owner's consent: a profile marked needsReauthorization (the provider said
invalid_grant, or its application's endpoints, client or tenant changed) is never refreshed:
NeedsReauthorization, without calling the provider, until its owner authorizes it again.

Every outcome is recorded on the profile before the caller hears of it: new tokens (a rotated
refresh token first), or the transient failure (last_refresh_error in words, consecutive
failures, when to try next), or invalid_grant (needs re-authorization); with it, in the same
transaction, the webhook event it causes (events.py: needs_reauthorization, refresh_failed
when the retries run out, recovered on the first success after failures).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from flask import current_app

from webui.domain import audit, events, oauthapps, profiles, provider_calls
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import ConcurrentChange, Conflict, Invalid, RuleViolation
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.profile_view import ProfileView
from webui.domain.provider_calls import ProviderError
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.infra import metrics
from webui.infra.locks import LockTimeout, named_lock
from webui.models import OAuthProfile
from webui.models.columns import utcnow

NO_REFRESH_TOKEN = "This profile has no refresh token to test. Authorize it again."
NEEDS_REAUTHORIZATION = ("This profile must be authorized again by its owner before its "
                         "tokens can be used (the provider refused its grant, or its "
                         "application's endpoints or client changed).")
BUSY = "Another refresh of this profile is still waiting for the provider; retry shortly."
MAX_BACKOFF = timedelta(hours=1)


class NeedsReauthorization(Conflict):
    code = Code.NEEDS_REAUTHORIZATION

    def __init__(self, message: str = NEEDS_REAUTHORIZATION, field: str | None = None,
                 code: Code | None = None):
        super().__init__(message, field, code)


def aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC


@dataclass(frozen=True)
class Outcome:
    view: ProfileView
    refreshed: bool  # False: another refresh had done the work (or none was needed)


def backoff(failures: int, retry_after: float | None = None, *,
            base_seconds: float | None = None) -> timedelta:
    """Exponential back-off with jitter after the n-th transient failure in a row, at least
    what the provider asked for (Retry-After), at most MAX_BACKOFF. ``base_seconds``: the
    first wait (default REFRESH_RETRY_BASE_SECONDS; webhook deliveries pass their own)."""
    first = base_seconds if base_seconds is not None \
        else current_app.config["REFRESH_RETRY_BASE_SECONDS"]
    base = first * 2 ** max(0, failures - 1)
    wait = timedelta(seconds=min(base, MAX_BACKOFF.total_seconds()) * random.uniform(0.8, 1.2))
    return max(wait, timedelta(seconds=retry_after or 0))


def refresh_profile(caller: Caller, profile_id: int, *, now: datetime | None = None,
                    with_tokens: bool = False) -> ProfileView:
    """Refresh now ("Test connection", POST .../refresh). Needs ModifyDataSource (3).

    A refresh of the same profile that landed while this one waited for the lock, or within
    OAUTH_REFRESH_COALESCE_SECONDS, makes this one answer with its result instead of asking
    again. Returns the profile as stored (tokens decrypted when with_tokens).

    Raises Forbidden, NotFound, NeedsReauthorization (409, the provider is not called),
    Invalid (no refresh token), RuleViolation (token URI not allowed), ProviderError (502;
    "invalid_grant" also marks the profile as needing re-authorization).
    """
    now = now or utcnow()
    subject = caller.require(Permission.MODIFY_DATA_SOURCE)
    seen = profiles.owned_profile(subject, profile_id)  # NotFound before taking any lock
    seen_refreshed = aware(seen.tokens_refreshed_at)
    window = timedelta(seconds=current_app.config["OAUTH_REFRESH_COALESCE_SECONDS"])

    def needed(profile: OAuthProfile) -> bool:
        refreshed = aware(profile.tokens_refreshed_at)
        return refreshed is None or (refreshed == seen_refreshed and refreshed <= now - window)

    return refresh_if(caller, subject, profile_id, needed, now=now,
                      with_tokens=with_tokens).view


def refresh_if(caller: Caller, subject: Principal, profile_id: int,
               needed: Callable[[OAuthProfile], bool], *, now: datetime,
               with_tokens: bool = False) -> Outcome:
    """Under the profile's lock: re-read it, and refresh it at the provider if needed(profile)
    still says so. The caller has checked permissions. Raises as refresh_profile, and
    ConcurrentChange when the lock cannot be had in time."""
    session = db.session()
    session.commit()  # wait for the lock without holding a pooled connection
    wait = current_app.config["OUTBOUND_DEADLINE_SECONDS"] + 5
    try:
        with named_lock(f"refresh-oauth-profile-{profile_id}", wait):
            session.commit()  # a fresh snapshot: read what the last lock holder wrote
            session.expire_all()
            profile = profiles.owned_profile(subject, profile_id, with_tokens=True)
            if profile.needs_reauthorization:
                metrics.refresh_outcome("blocked")
                raise NeedsReauthorization()
            if not needed(profile):
                metrics.refresh_outcome("coalesced")
                return Outcome(profiles.read(subject, profile_id, with_tokens=with_tokens),
                               False)
            if not profile.refresh_token:
                raise Invalid(NO_REFRESH_TOKEN, "refreshToken")
            application = oauthapps.application_with_secret(subject, profile.oauth_app_id)
            session.commit()  # no transaction stays open across the provider's answer
            started = time.monotonic()
            try:
                tokens = provider_calls.refresh(application, profile.refresh_token, now)
            except ProviderError as exc:
                metrics.provider_latency(time.monotonic() - started)
                metrics.refresh_outcome("transient" if exc.transient else "invalid_grant")
                _record_failure(caller, profile, exc, now)
                raise
            except RuleViolation as exc:  # the token URI is no longer an allowed address:
                # a failure with back-off like any other, so that passes do not retry it
                # every time (it may be allowed again by OAUTH_ALLOWED_NETWORKS)
                metrics.refresh_outcome("transient")
                _record_failure(caller, profile, ProviderError(exc.message), now)
                raise
            metrics.provider_latency(time.monotonic() - started)
            metrics.refresh_outcome("ok")
            _store(caller, profile, tokens, now)
    except LockTimeout:
        raise ConcurrentChange(BUSY) from None
    return Outcome(profiles.read(subject, profile_id, with_tokens=with_tokens), True)


def _record_failure(caller: Caller, profile: OAuthProfile, exc: ProviderError,
                    now: datetime) -> None:
    """Committed before the caller hears of it; never a token in the words kept."""
    with unit_of_work(ConcurrentChange()) as session:
        session.add(profile)
        if not exc.transient:  # invalid_grant: the grant is dead
            profile.needs_reauthorization = True
            profile.next_refresh_at = None
            audit.record(caller, "update", "oauthprofile", profile.id, ["status"],
                         detail="the provider refused the grant (invalid_grant)")
            events.emit(events.NEEDS_REAUTHORIZATION, [profile.id], now)
            return
        if exc.refresh_token is not None:  # the provider may have spent the old one
            profile.refresh_token = exc.refresh_token
        profile.refresh_failures = (profile.refresh_failures or 0) + 1
        profile.last_refresh_error = exc.message[:512]
        exhausted = profile.refresh_failures >= current_app.config["REFRESH_MAX_ATTEMPTS"]
        profile.next_refresh_at = None if exhausted else \
            now + backoff(profile.refresh_failures, exc.retry_after)
        if profile.refresh_failures == current_app.config["REFRESH_MAX_ATTEMPTS"]:
            events.emit(events.REFRESH_FAILED, [profile.id], now)
        audit.record(caller, "refresh_failed", "oauthprofile", profile.id,
                     ["refreshToken"] if exc.refresh_token is not None else [],
                     detail=exc.message)


def _store(caller: Caller, profile: OAuthProfile, tokens, now: datetime) -> None:
    with unit_of_work(ConcurrentChange()) as session:
        session.add(profile)
        if profile.refresh_failures:
            events.emit(events.RECOVERED, [profile.id], now)
        changed = ["accessToken"]
        profile.access_token = tokens.access_token
        if tokens.refresh_token is not None:
            profile.refresh_token = tokens.refresh_token
            changed.append("refreshToken")
        profile.token_expires_at = tokens.expires_at
        profile.tokens_refreshed_at = now
        profile.refresh_failures = 0
        profile.last_refresh_error = None
        profile.next_refresh_at = None
        audit.record(caller, "refresh", "oauthprofile", profile.id, changed)
