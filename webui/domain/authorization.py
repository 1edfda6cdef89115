"""The authorization-code flow that creates or re-authorizes a profile (RFC 6749 with PKCE,
to RFC 9700's practices).

``start_new_profile`` / ``start_reauthorization`` run the same checks as a plain save, then
remember the flow under a fresh ``state`` (256 random bits; only its SHA-256 is stored) bound to
the browser session that started it, with a PKCE verifier (encrypted at rest), and return the
provider URL. ``complete`` consumes that state exactly once, within OAUTH_STATE_LIFETIME, before
any token request; it redeems the code at the token URI of the application bound to the state,
with the same redirect_uri and the verifier, then creates or updates the profile through
``webui.domain.profiles`` (so every rule of a plain save applies again).

The redirect URI is PUBLIC_BASE_URL + /oauth2callback, never taken from the request.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import undefer

from webui.domain import acting, provider_calls, profiles, schemas
from webui.domain.caller import Caller
from webui.domain.errors import Conflict, DomainError, Invalid
from webui.domain.oauthapps import usable_application
from webui.domain.provider_calls import NO_REFRESH_TOKEN, ProviderError
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.profile_view import ProfileView
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile, PendingAuthorization
from webui.models.columns import utcnow

CALLBACK_PATH = "/oauth2callback"
STATE_MISSING = "The provider's answer carries no state, so it cannot be trusted. " \
                "Start the authorization again."
STATE_UNKNOWN = "This authorization answer is unknown, was already used, or belongs to " \
                "another session. Start the authorization again."
STATE_EXPIRED = "This authorization took too long and expired. Start it again."
CODE_MISSING = "The provider's answer carries no authorization code. Start again."
_CODE_MAX = 4096


class AuthorizeStart(schemas.Schema):
    """The fields of the new-profile form that the flow needs (the tokens come later)."""
    name: schemas.Name
    oauthAppId: schemas.AppId
    description: schemas.Description = ""


@dataclass(frozen=True)
class Completed:
    profile: ProfileView
    created: bool  # False: an existing profile was re-authorized


def redirect_uri() -> str:
    """What the provider sends the browser back to; to be registered at the provider."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + CALLBACK_PATH


def digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite: naive UTC


def start_new_profile(caller: Caller, data: Any, login_session_id: str, *,
                      now: datetime | None = None) -> str:
    """Begin authorizing a new profile (name, oauthAppId, description); returns the provider
    URL to send the browser to.

    Needs CreateDataSource (1), as a plain save. Raises Forbidden, Invalid (name rule,
    unusable oauthAppId, field limits), Conflict (name taken by the owner), RuleViolation (the
    application's endpoint is not allowed).
    """
    subject = caller.require(Permission.CREATE_DATA_SOURCE)
    values = schemas.parse(AuthorizeStart, data)
    app = usable_application(subject, values.oauthAppId)
    _require_free_name(subject, values.name)
    return _start(caller, app, login_session_id, now, name=values.name,
                  description=values.description)


def _require_free_name(subject: Principal, name: str) -> None:
    """Checked before the provider is involved (at the start, and again before the code is
    redeemed), so that nobody consents, and no grant is spent, for a name that cannot be
    saved; the unique constraint still decides at the save. Raises Conflict."""
    taken = db.session.scalar(select(OAuthProfile.id).where(
        OAuthProfile.owner_id == subject.id, OAuthProfile.name == name))
    if taken is not None:
        raise Conflict(profiles.NAME_TAKEN, "name")


def _recheck(caller: Caller, pending: PendingAuthorization) -> Caller:
    """Permissions and target may have changed while the user was at the provider: check
    them again before redeeming the code, for the user the flow was started for (whoever the
    browser acts for now). Returns that caller. Raises Forbidden, NotFound, Conflict."""
    started_for = acting.resolve(caller.actor, pending.on_behalf_of, demands=caller.demands,
                                 address=caller.address)
    if pending.profile_id is None:
        _require_free_name(started_for.require(Permission.CREATE_DATA_SOURCE), pending.name)
    else:
        profiles.owned_profile(started_for.require(Permission.MODIFY_DATA_SOURCE),
                               pending.profile_id)
    return started_for


def start_reauthorization(caller: Caller, profile_id: int, login_session_id: str, *,
                          now: datetime | None = None) -> str:
    """Begin re-authorizing the profile; returns the provider URL.

    Needs ModifyDataSource (3). Raises Forbidden, NotFound, RuleViolation.
    """
    subject = caller.require(Permission.MODIFY_DATA_SOURCE)
    profile = profiles.owned_profile(subject, profile_id)
    return _start(caller, profile.application, login_session_id, now, profile_id=profile.id)


def _start(caller: Caller, app: OAuthApplication, login_session_id: str,
           now: datetime | None, **target: Any) -> str:
    now = now or utcnow()
    state = secrets.token_urlsafe(32)           # 256 bits
    verifier = secrets.token_urlsafe(64)        # 86 characters (RFC 7636: 43-128)
    callback = redirect_uri()
    url = provider_calls.authorization_url(app, callback, state, verifier)
    with unit_of_work(Conflict("Retry.")) as session:
        session.execute(delete(PendingAuthorization)
                        .where(PendingAuthorization.expires_at < now))
        session.add(PendingAuthorization(
            id=digest(state), login_session_id=login_session_id, user_id=caller.actor.id,
            on_behalf_of=caller.subject.user_name if caller.on_behalf else None,
            oauth_app_id=app.id, redirect_uri=callback, code_verifier=verifier,
            created_at=now, expires_at=now + current_app.config["OAUTH_STATE_LIFETIME"],
            **target))
    return url


def _consume(state: Any, login_session_id: str, actor: Principal,
             now: datetime) -> PendingAuthorization:
    """Take the pending authorization of this state out of the database, once.

    Raises Invalid: no state, unknown (or tampered, replayed, another session's), expired.
    """
    if not isinstance(state, str) or not state:
        raise Invalid(STATE_MISSING, "state")
    key = digest(state)
    expired = False
    with unit_of_work(Conflict(STATE_UNKNOWN)) as session:
        pending = session.scalar(select(PendingAuthorization).where(
            PendingAuthorization.id == key,
            PendingAuthorization.login_session_id == login_session_id,
            PendingAuthorization.user_id == actor.id).with_for_update())
        if pending is None:
            raise Invalid(STATE_UNKNOWN, "state")
        gone = session.execute(delete(PendingAuthorization)
                               .where(PendingAuthorization.id == key))
        if gone.rowcount != 1:  # a concurrent callback took it first
            raise Invalid(STATE_UNKNOWN, "state")
        expired = _aware(pending.expires_at) <= now
    if expired:
        raise Invalid(STATE_EXPIRED, "state")
    return pending


def complete(caller: Caller, login_session_id: str, answer: Mapping[str, Any], *,
             now: datetime | None = None) -> Completed:
    """Finish a flow from the provider's answer (the callback's query: state, code or error).

    The state is checked and consumed before anything else; then the code is redeemed at the
    token URI of the application bound to the state, and the profile created (or its tokens
    replaced), with the expiry stored and needs-re-authorization cleared.

    Raises Invalid (state missing/unknown/replayed/expired, no code, and any rule of the save),
    ProviderError (the provider's error such as access_denied, or a refused code),
    RuleViolation (endpoint no longer allowed), Forbidden, NotFound, Conflict (name taken).
    An error raised once the state is consumed carries ``profile_id``: the profile being
    re-authorized (None for a new one), where the person should land again.
    """
    now = now or utcnow()
    pending = _consume(answer.get("state"), login_session_id, caller.actor, now)
    try:
        return _finish(caller, pending, answer, now)
    except DomainError as exc:
        exc.profile_id = pending.profile_id
        raise


def _finish(caller: Caller, pending: PendingAuthorization, answer: Mapping[str, Any],
            now: datetime) -> Completed:
    if answer.get("error") is not None:
        raise provider_calls.refused(answer.get("error"))
    code = answer.get("code")
    if not isinstance(code, str) or not code or len(code) > _CODE_MAX:
        raise Invalid(CODE_MISSING, "code")
    caller = _recheck(caller, pending)
    app = db.session.scalar(select(OAuthApplication).options(
        undefer(OAuthApplication.client_secret))
        .where(OAuthApplication.id == pending.oauth_app_id))
    tokens = provider_calls.redeem_code(app, code, pending.redirect_uri, pending.code_verifier,
                                     now)
    issued = profiles.TokenIssue(obtained_at=now, expires_at=tokens.expires_at)
    if pending.profile_id is None:
        if tokens.refresh_token is None:
            raise ProviderError(NO_REFRESH_TOKEN)
        profile = profiles.create_profile(caller, {
            "name": pending.name, "oauthAppId": app.id, "description": pending.description,
            "accessToken": tokens.access_token, "refreshToken": tokens.refresh_token},
            issued=issued)
    else:
        data = {"accessToken": tokens.access_token}
        if tokens.refresh_token is not None:  # none issued: the old one stays valid
            data["refreshToken"] = tokens.refresh_token
        profile = profiles.update_profile(caller, pending.profile_id, data, issued=issued)
    return Completed(profile, pending.profile_id is None)

