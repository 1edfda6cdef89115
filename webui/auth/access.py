"""The pages' Caller: who is signed in (the browser session) and whom they act for (the
acting-for picker), resolved once per request before any page view runs and kept on ``g``.

The gate habit of the pages is the API's: the door signs the user in and resolves the Caller;
it checks no operation permission. Every permission is decided by the use case the view
calls, through the Caller (webui/domain/caller.py).
"""
from __future__ import annotations

from flask import current_app, flash, g, request, session
from flask_login import current_user

from webui.domain import acting
from webui.domain.caller import Caller
from webui.domain.errors import DomainError
from webui.extensions import login_manager

ACTING_FOR = "acting_for"


def identify():
    """before_request of the page blueprints: anonymous visitors go to the login page (a
    view marked ``answers_anonymous`` answers them itself); otherwise g.caller is set.

    An acting-for choice that no longer resolves (the user was deleted, or now holds more
    authority than the actor) is dropped, with a message, rather than locking every page."""
    if not current_user.is_authenticated:
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "answers_anonymous", False):
            g.caller = None
            return None
        return login_manager.unauthorized()
    actor = current_user._get_current_object()
    name = session.get(ACTING_FOR)
    try:
        g.caller = acting.resolve(actor, name, address=request.remote_addr)
    except DomainError as exc:
        session.pop(ACTING_FOR, None)
        flash(f"You no longer act for {name}: {exc.message}", "error")
        g.caller = Caller.own(actor, address=request.remote_addr)
    return None


def answers_anonymous(view):
    """Mark a page view that answers anonymous requests itself (the OAuth callback refuses
    them with 401 rather than sending a provider's code on to the login page)."""
    view.answers_anonymous = True
    return view


def caller() -> Caller:
    """The caller of this page request (resolved before the view ran)."""
    return g.caller


def choose(subject_name: str | None) -> None:
    """Remember the acting-for choice for the next requests (None: act for oneself)."""
    if subject_name:
        session[ACTING_FOR] = subject_name
    else:
        session.pop(ACTING_FOR, None)
