"""Browser sessions of the web UI: signing in, resolving a session token, signing out.

The browser keeps a random token in its (signed) session cookie; the database keeps only the
SHA-256 of it, in a LoginSession row. Signing out deletes the row, so a cookie copied before
logout is worthless afterwards. A session dies when:

- it is older than SESSION_ABSOLUTE_LIFETIME (measured from the row's created_at),
- it has been idle longer than SESSION_IDLE_TIMEOUT (the caller passes the time of the last
  request it saw; the web door keeps that in the signed cookie so that an ordinary request
  never writes to the database),
- the user's credential_version moved (password, status, roles or permissions changed),
- the user may no longer use the web UI (WebUI, 8).

Signing in to the UI needs WebUI (8), HDP's "may use the web UI" permission; a user without
it (an API-only account) is refused with Forbidden after a correct password.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import delete, update

from webui.domain import audit, credentials
from webui.domain.caller import Caller
from webui.domain.errors import Conflict, Forbidden, NotAuthenticated
from webui.domain.permissions import Permission, has_permission
from webui.domain.principal import Principal, account_of_session
from webui.domain.transaction import unit_of_work
from webui.models import LoginSession

LOGIN_FAILED = "Invalid user name or password."
NO_WEB_UI = "This account may not use the web UI (it lacks the WebUI permission)."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; we store UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def sign_in(user_name: str, password: str, address: str | None = None
            ) -> tuple[Principal, str]:
    """Check the credentials and open a browser session for the user.

    Returns the Principal and a fresh random token to keep in the cookie.
    Raises NotAuthenticated (message LOGIN_FAILED, the same for an unknown user, a wrong
    password and an inactive account) or Forbidden (NO_WEB_UI, only after a correct password).
    Records audit "login" or "login_failed". Also drops this user's expired session rows.
    """
    try:
        principal = credentials.authenticate(user_name, password)
    except NotAuthenticated:
        audit.record_failed_sign_in(user_name, address)
        raise NotAuthenticated(LOGIN_FAILED) from None
    if not has_permission(principal, Permission.WEB_UI):
        audit.record_failed_sign_in(user_name, address, ["permissions"])
        raise Forbidden(NO_WEB_UI)
    token = secrets.token_urlsafe(32)
    oldest = _now() - current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    with unit_of_work(Conflict("Retry.")) as session:
        session.execute(delete(LoginSession).where(LoginSession.user_id == principal.id,
                                                   LoginSession.created_at < oldest))
        session.add(LoginSession(id=_digest(token), user_id=principal.id, created_at=_now(),
                                 credential_version=principal.credential_version))
        audit.record(Caller.own(principal, address=address), "login", "user", principal.id)
    return principal, token


def resolve(token: str | None, last_seen: datetime | None = None) -> Principal | None:
    """The signed-in user of this session token, or None when there is no such live session.

    One query (the session row, its account and the account's grants). last_seen: when the
    browser was last active (None: not known, treated as idle). A dead session row is deleted.
    """
    if not token or not isinstance(token, str):
        return None
    found = account_of_session(_digest(token))
    if found is None:
        return None
    account, row = found
    now = _now()
    config = current_app.config
    principal = account.principal
    if (_aware(row.created_at) + config["SESSION_ABSOLUTE_LIFETIME"] <= now
            or last_seen is None or _aware(last_seen) + config["SESSION_IDLE_TIMEOUT"] <= now
            or not account.active or row.session_version != principal.credential_version
            or not has_permission(principal, Permission.WEB_UI)):
        _drop(_digest(token))
        return None
    return principal


def _drop(session_id: str) -> None:
    with unit_of_work(Conflict("Retry.")) as session:
        session.execute(delete(LoginSession).where(LoginSession.id == session_id))


def sign_out(token: str | None, caller: Caller | None = None) -> None:
    """End the session of this token (no error when there is none). Records audit "logout"."""
    if not token or not isinstance(token, str):
        return
    with unit_of_work(Conflict("Retry.")) as session:
        gone = session.execute(delete(LoginSession).where(LoginSession.id == _digest(token)))
        if gone.rowcount and caller is not None:
            audit.record(caller, "logout", "user", caller.actor.id)


def end_other_sessions(session, user_id: int, keep_token: str | None, version: int) -> None:
    """Inside the write transaction that moved user_id's credential_version to version (a
    password change): end every other browser session of the user, and carry the one of
    keep_token (the request's own, if any) over to the new version so that it stays."""
    keep = _digest(keep_token) if isinstance(keep_token, str) and keep_token else None
    others = [LoginSession.user_id == user_id]
    if keep is not None:
        others.append(LoginSession.id != keep)
        session.execute(update(LoginSession).where(LoginSession.id == keep,
                                                   LoginSession.user_id == user_id)
                        .values(credential_version=version))
    session.execute(delete(LoginSession).where(*others))
