"""Flask-Login wired to domain.sessions: the cookie carries a random token and the time of
the last request; the user is whoever domain.sessions.resolve says the token belongs to."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, g, session
from flask_login import current_user

from webui.auth.access import ACTING_FOR
from webui.doors import LOGIN_ENDPOINT
from webui.domain import oauthapps, sessions
from webui.domain.caller import Caller, may_act_for_others
from webui.domain.permissions import CATALOGUE, Permission, has_permission
from webui.extensions import login_manager

TOKEN, SEEN = "token", "seen"
SESSION_KEYS = (TOKEN, SEEN, "_user_id", "_fresh", "_id", ACTING_FOR)


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
    principal = sessions.resolve(session.get(TOKEN), last_seen)
    if principal is None or str(principal.id) != user_id:
        forget()
        return None
    session[SEEN] = _now()
    return principal


def _template_helpers() -> dict:
    """What every page may ask: the buttons follow the same permission function as the
    domain (on the signed-in user), and the banner says whose data is on screen."""
    caller: Caller | None = g.get("caller")
    user = current_user._get_current_object() if current_user.is_authenticated else None

    def can(perm: Permission) -> bool:
        return has_permission(user, perm)

    return {
        "can": can,
        "Permission": Permission,
        "PERMISSION_NAMES": {p: name for p, (name, _) in CATALOGUE.items()},
        # By the value a permission check box sends (its number as text).
        "PERMISSION_DESCRIPTIONS": {str(int(p)): text for p, (_, text) in CATALOGUE.items()},
        "may_manage_apps": caller is not None and oauthapps.may_manage(caller),
        "may_act": user is not None and may_act_for_others(user),
        "acting_for": caller.subject.user_name if caller is not None and caller.on_behalf
        else None,
    }


def init_login(app: Flask) -> None:
    login_manager.login_view = LOGIN_ENDPOINT
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    app.context_processor(_template_helpers)
