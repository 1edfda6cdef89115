"""/login and /logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webui.auth import session as web_session
from webui.auth.blueprint import bp
from webui.auth.forms import LoginForm
from webui.doors import LOGIN_ENDPOINT
from webui.domain import sessions
from webui.domain.caller import Caller
from webui.domain.errors import Forbidden, NotAuthenticated
from webui.infra import throttle


def local_path(target: str | None) -> str | None:
    """target if it is a path on this site, else None. Refuses absolute and scheme-relative
    URLs, backslashes (browsers read "/\\host" as "//host") and control characters or spaces
    (browsers drop tabs and newlines, turning "/\\t/host" into "//host")."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) <= 0x20 or ord(c) == 0x7f for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = local_path(request.args.get("next")) or ""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(local_path(form.next.data) or url_for("admin.profile_list"))
    status = 200
    if form.validate_on_submit():
        try:
            principal, token = sessions.sign_in(form.username.data or "",
                                                form.password.data or "", request.remote_addr)
        except (NotAuthenticated, Forbidden) as exc:
            flash(exc.message, "error")
            status = exc.status
        else:
            throttle.signed_in()
            web_session.start(token)
            login_user(principal)
            flash(f"Signed in as {principal.user_name}.", "success")
            return redirect(local_path(form.next.data) or url_for("admin.profile_list"))
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    # CSRFProtect has already refused a POST without a valid token (400).
    signed_in = Caller.own(current_user._get_current_object(), address=request.remote_addr) \
        if current_user.is_authenticated else None
    sessions.sign_out(session.get(web_session.TOKEN), signed_in)
    logout_user()
    session.clear()
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))


def attempted_sign_in() -> str | None:
    """For the throttle: the user name typed into a POST of the login form (an unreadable
    body counts as an attempt by nobody in particular)."""
    if request.endpoint == LOGIN_ENDPOINT and request.method == "POST":
        try:
            return request.form.get(LoginForm.FIELD_USER, "")
        except Exception:  # noqa: BLE001 - an unreadable body is refused elsewhere
            return ""
    return None
