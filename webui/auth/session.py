"""Flask-Login wired to domain.sessions: the cookie carries a random token and the time of
the last request; the user is whoever domain.sessions.resolve says the token belongs to."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, request, session

from webui.auth.access import acting_name, current_principal
from webui.domain import oauthapps, sessions
from webui.domain.acting import may_act_for_others
from webui.domain.permissions import CATALOGUE, Permission, has_permission
from webui.extensions import login_manager

TOKEN, SEEN = "token", "seen"
SESSION_KEYS = (TOKEN, SEEN, "_user_id", "_fresh", "_id", "acting_for")


def start(token: str) -> None:
    """Renew the session at login: nothing from the anonymous session survives (a cookie
    captured before login carries no token and never will)."""
    session.clear()
    session[TOKEN] = token
    session[SEEN] = _now()
    session.permanent = True


def forget() -> None:
    for key in SESSION_KEYS:
        session.pop(key, None)


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()


def _load_user(user_id: str):
    seen = session.get(SEEN)
    last_seen = datetime.fromtimestamp(seen, timezone.utc) \
        if isinstance(seen, (int, float)) else None
    principal = sessions.resolve(session.get(TOKEN), last_seen, request.remote_addr)
    if principal is None or str(principal.id) != user_id:
        forget()
        return None
    session[SEEN] = _now()
    return principal


def _template_helpers() -> dict:
    user = current_principal()

    def can(perm: Permission) -> bool:
        return has_permission(user, perm)

    signed_in = user is not None
    return {
        "can": can,
        "Permission": Permission,
        "PERMISSION_NAMES": {p: name for p, (name, _) in CATALOGUE.items()},
        "may_manage_apps": signed_in and oauthapps.may_manage(user),
        "may_act": signed_in and may_act_for_others(user),
        "acting_for": acting_name() if signed_in else None,
    }


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    app.context_processor(_template_helpers)
