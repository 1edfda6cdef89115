"""Browser sessions: domain.sessions and the /login, /logout pages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from tests.conftest import form_fields
from tests.pages import flashes, login, submit
from webui.domain import sessions
from webui.domain.caller import Caller
from webui.domain.errors import Forbidden, NotAuthenticated
from webui.extensions import db
from webui.models import AuditEvent, LoginSession


def _sessions_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LoginSession)
                                 .where(LoginSession.user_id == user_id))


def test_sign_in_stores_only_a_digest_and_resolves(app, alice):
    with app.app_context():
        principal, token = sessions.sign_in(alice.name, alice.password, "10.0.0.1")
        assert principal.id == alice.id
        ids = db.session.scalars(select(LoginSession.id)).all()
        assert token not in ids and len(ids) == 1
        now = datetime.now(timezone.utc)
        assert sessions.resolve(token, now).id == alice.id
        assert sessions.resolve(token + "x", now) is None
        sessions.sign_out(token, Caller.own(principal))
        assert sessions.resolve(token, now) is None
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "login" in actions and "logout" in actions


def test_sign_in_failures_are_identical_and_audited(app, alice, make_user):
    make_user("sleepy", active=False)
    with app.app_context():
        messages = set()
        for name, password in [("nobody", alice.password), (alice.name, "wrong-password-123"),
                               ("sleepy", alice.password)]:
            with pytest.raises(NotAuthenticated) as caught:
                sessions.sign_in(name, password)
            messages.add(caught.value.message)
        assert messages == {sessions.LOGIN_FAILED}
        failed = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "login_failed"))
        assert failed == 3


def test_web_ui_permission_is_needed_to_sign_in(app, make_user):
    # Permissions 11 only (MgmtAPI), through a role without WebUI (8).
    from webui.domain import bootstrap, roles
    with app.app_context():
        roles.create_role(bootstrap.SYSTEM, {"name": "API only", "permissions": [11],
                                                    "users": []})
    api_only = make_user("robot", ("API only",))
    with app.app_context(), pytest.raises(Forbidden):
        sessions.sign_in(api_only.name, api_only.password)


def test_resolve_honours_credential_version(app, alice):
    with app.app_context():
        _, token = sessions.sign_in(alice.name, alice.password)
        db.session.execute(update(db.metadata.tables["user_account"])
                           .values(credential_version=99))
        db.session.commit()
        assert sessions.resolve(token, datetime.now(timezone.utc)) is None


def test_login_redirects_and_logout_button_on_every_page(client, alice):
    response = login(client, alice)
    assert response.status_code == 302
    assert response.headers["Location"] == "/oauthprofiles"
    page = client.get("/oauthprofiles")
    assert page.status_code == 200
    assert 'action="/logout"' in page.text and "csrf_token" in page.text


def test_unknown_user_and_wrong_password_look_the_same(client, alice):
    first = submit(client, "/login", "#login-form", username="nobody", password="x" * 12)
    second = submit(client, "/login", "#login-form", username=alice.name, password="x" * 12)
    assert first.status_code == second.status_code == 401
    assert flashes(first.text) == flashes(second.text) == [sessions.LOGIN_FAILED]


def test_inactive_user_cannot_log_in(client, make_user):
    sleepy = make_user("sleepy", active=False)
    response = login(client, sleepy)
    assert response.status_code == 401
    assert flashes(response.text) == [sessions.LOGIN_FAILED]
    assert client.get("/oauthprofiles").status_code == 302


def assert_signs_nobody_in(app, cookie: str) -> None:
    """A browser replaying this session cookie is sent to the login page."""
    with app.test_client() as replay:
        replay.set_cookie("session", cookie)
        response = replay.get("/oauthprofiles")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_session_is_renewed_at_login(app, client, alice):
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, alice)
    after = client.get_cookie("session").value
    assert before != after
    assert_signs_nobody_in(app, before)


def test_logout_revokes_the_session(app, client, alice):
    login(client, alice)
    captured = client.get_cookie("session").value
    response = submit(client, "/oauthprofiles", "form.logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _sessions_of(app, alice.id) == 0
    assert_signs_nobody_in(app, captured)


def test_logout_needs_the_csrf_token(app, client, alice):
    login(client, alice)
    assert client.post("/logout", data={}).status_code == 400
    assert _sessions_of(app, alice.id) == 1
    assert client.get("/oauthprofiles").status_code == 200


def test_idle_timeout(app, client, alice):
    login(client, alice)
    assert client.get("/oauthprofiles").status_code == 200
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    with client.session_transaction() as cookie:
        cookie["seen"] = (datetime.now(timezone.utc) - idle - timedelta(seconds=1)).timestamp()
    response = client.get("/oauthprofiles")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _sessions_of(app, alice.id) == 0


def test_activity_keeps_an_idle_session_alive(app, client, alice):
    login(client, alice)
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    with client.session_transaction() as cookie:
        cookie["seen"] = (datetime.now(timezone.utc) - idle + timedelta(seconds=30)).timestamp()
    assert client.get("/oauthprofiles").status_code == 200  # refreshes "seen"
    assert client.get("/oauthprofiles").status_code == 200


def test_absolute_lifetime(app, client, alice):
    login(client, alice)
    lifetime = app.config["SESSION_ABSOLUTE_LIFETIME"]
    with app.app_context():
        db.session.execute(update(LoginSession).values(
            created_at=datetime.now(timezone.utc) - lifetime - timedelta(seconds=1)))
        db.session.commit()
    response = client.get("/oauthprofiles")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.fixture
def app_config(app_config):
    # Short, configurable limits; the tests above move the clock by editing state instead.
    return {**app_config, "SESSION_IDLE_TIMEOUT": timedelta(minutes=5),
            "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=1)}


def test_limits_are_configurable(app):
    assert app.config["SESSION_IDLE_TIMEOUT"] == timedelta(minutes=5)
    assert app.config["SESSION_ABSOLUTE_LIFETIME"] == timedelta(hours=1)


def test_next_goes_to_a_local_path(client, alice):
    response = client.get("/oauthapps")
    assert response.headers["Location"] == "/login?next=%2Foauthapps"
    response = login(client, alice, next_path="/oauthapps")
    assert response.headers["Location"] == "/oauthapps"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "evil.example", "/\t/evil.example", "/ /evil.example"])
def test_next_never_leaves_the_site(client, alice, target):
    page = client.get("/login", query_string={"next": target})
    assert form_fields(page.text, "#login-form")[1]["next"] == ""
    # Even when posted directly, the target is refused.
    _, data = form_fields(page.text, "#login-form")
    data |= {"username": alice.name, "password": alice.password, "next": target}
    response = client.post("/login", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/oauthprofiles"


def test_login_needs_the_csrf_token(app, client, alice):
    response = submit(client, "/login", "#login-form", username=alice.name,
                      password=alice.password, csrf_token=None)
    assert response.status_code == 400
    assert _sessions_of(app, alice.id) == 0


def test_session_cookie_flags(client, alice):
    response = login(client, alice)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_when_configured(app, alice):
    app.config["SESSION_COOKIE_SECURE"] = True
    with app.test_client() as client:
        page = client.get("/login", base_url="https://localhost")
        _, data = form_fields(page.text, "#login-form")
        data |= {"username": alice.name, "password": alice.password}
        # Over HTTPS, Flask-WTF also insists on a same-origin Referer.
        response = client.post("/login", data=data, base_url="https://localhost",
                               headers={"Referer": "https://localhost/login"})
        assert response.status_code == 302
        assert "Secure" in response.headers["Set-Cookie"]
