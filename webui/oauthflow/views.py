"""Views of the authorization-code flow.

Leaving for the provider: a form POST must not be answered with a redirect to the provider,
because Chromium applies the page's CSP ``form-action 'self'`` to every redirect a form
submission follows. So the POST stores the authorize URL in the (signed) session and answers
303 to GET /oauth2/continue, a page of ours that moves on to the provider with a meta refresh
(a new navigation, not a form submission) and offers a plain link as well.

The callback never sends anyone to the login page with its query (code and state) in ``next``:
an answer that arrives without a live session is simply refused.
"""
from __future__ import annotations

import logging
import re

from flask import (Blueprint, Response, flash, redirect, render_template, request, session,
                   url_for)

from webui.admin.binding import ConfirmForm, run_form
from webui.auth.access import answers_anonymous, caller, identify
from webui.auth.session import TOKEN
from webui.domain import authorization, refresh
from webui.domain.errors import DomainError, NotAuthenticated

bp = Blueprint("oauthflow", __name__)
# The door signs the visitor in and resolves the Caller before any view (webui/auth/access.py).
bp.before_request(identify)
PENDING = "oauth_authorize_url"
NO_SESSION = "Your session has ended, so this authorization cannot be completed. Sign in " \
             "and start it again."


class RedactCallbackQuery(logging.Filter):
    """Drop the query (code, state) of callback URLs from request log lines. gunicorn's
    access log (gunicorn.conf.py) never writes query strings; werkzeug's development server
    logs whole request lines, so its logger gets this filter."""
    _QUERY = re.compile(re.escape(authorization.CALLBACK_PATH) + r"\?[^\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._QUERY.sub(authorization.CALLBACK_PATH + "?[redacted]", a)
                                if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = self._QUERY.sub(authorization.CALLBACK_PATH + "?[redacted]", record.msg)
        return True


_REDACT = RedactCallbackQuery()


@bp.record_once
def _quiet_dev_server(_state) -> None:
    logging.getLogger("werkzeug").addFilter(_REDACT)  # one instance: added once per process


def _login_session() -> str:
    """The LoginSession id of this browser session (what a pending authorization is bound
    to). Raises NotAuthenticated when there is none."""
    token = session.get(TOKEN)
    if not isinstance(token, str) or not token:
        raise NotAuthenticated(NO_SESSION)
    return authorization.digest(token)


def _to_provider(url: str) -> Response:
    session[PENDING] = url
    return redirect(url_for("oauthflow.authorize_continue"), 303)


def begin_new_profile(data: dict) -> Response:
    """The new-profile form's "authorize" button: check as for a plain save, then leave for
    the provider. Raises DomainError (for the form to show next to its field)."""
    return _to_provider(authorization.start_new_profile(caller(), data, _login_session()))


@bp.get("/oauth2/continue")
def authorize_continue():
    url = session.pop(PENDING, None)
    if not url:
        flash("There is no authorization waiting to continue.", "error")
        return redirect(url_for("admin.profile_list"))
    response = Response(render_template("oauthflow/continue.html", url=url))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/oauthprofiles/<id:profile_id>/reauthorize")
def profile_reauthorize(profile_id: int):
    done = run_form(ConfirmForm(), lambda: authorization.start_reauthorization(
        caller(), profile_id, _login_session()))
    if done:
        return _to_provider(done.value)
    return redirect(url_for("admin.profile_detail", profile_id=profile_id))


@bp.post("/oauthprofiles/<id:profile_id>/test")
def profile_test(profile_id: int):
    if run_form(ConfirmForm(), lambda: refresh.refresh_profile(caller(), profile_id)):
        flash("Connection OK: the provider accepted the refresh token and issued a fresh "
              "access token.", "success")
    return redirect(url_for("admin.profile_detail", profile_id=profile_id))


@bp.get(authorization.CALLBACK_PATH)
@answers_anonymous
def callback():
    if caller() is None:
        return _refuse(NO_SESSION, 401)
    try:
        done = authorization.complete(caller(), _login_session(), request.args)
    except DomainError as exc:
        flash(exc.message, "error")
        # Back where the person started: the profile being re-authorized, else the list.
        profile_id = getattr(exc, "profile_id", None)
        return _away(url_for("admin.profile_detail", profile_id=profile_id)
                     if profile_id is not None else url_for("admin.profile_list"))
    verb = "created" if done.created else "re-authorized"
    flash(f"OAuth profile {done.profile.name} {verb} with the provider's tokens.", "success")
    return _away(url_for("admin.profile_detail", profile_id=done.profile.id))


def _away(location: str) -> Response:
    response = redirect(location)
    response.headers["Referrer-Policy"] = "no-referrer"  # the callback URL holds the code
    return response


def _refuse(message: str, status: int):
    response = Response(render_template("errors/page.html", status=status, message=message),
                        status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
