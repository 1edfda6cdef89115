"""Every failure under /api/ answers with HDP's envelope, whatever raised it."""
import json

import pytest
from sqlalchemy import func, select

from tests.conftest import APP_BODY, basic
from webui.domain.error_codes import DESCRIPTIONS, Code
from webui.extensions import db
from webui.models import AuditEvent, Tenant


def assert_envelope(response, status: int, code: str, message: str | None = None) -> dict:
    """The response is HDP's error envelope with this status and code; returns its error."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert list(body) == ["error"]
    error = body["error"]
    # HDP's two fields; invalid input (400) adds the full list, led by the message.
    assert set(error) == ({"code", "message", "errors"} if "errors" in error
                          else {"code", "message"})
    if "errors" in error:
        assert status == 400 and error["errors"][0]["message"] == error["message"]["value"]
    assert error["code"] == code and isinstance(error["code"], str)
    assert set(error["message"]) == {"lang", "value"}
    assert error["message"]["lang"] == "en-US" and error["message"]["value"]
    if message is not None:
        assert error["message"]["value"] == message
    return error


def test_every_code_is_nine_digits_and_documented():
    assert all(len(c.value) == 9 and c.value.isdigit() for c in Code)
    assert set(DESCRIPTIONS) == set(Code)
    assert len({c.value for c in Code}) == len(Code)


@pytest.mark.parametrize("headers", [
    {}, basic("admin", "wrong-password-123"), basic("nobody", "test-password-1234"),
    {"Authorization": "Bearer abc"}, {"Authorization": "Basic not-base64!"},
])
def test_401_carries_www_authenticate_basic(client, admin, headers):
    response = client.get("/api/mgmt/oauthprofiles", headers=headers)
    assert_envelope(response, 401, Code.NOT_AUTHENTICATED.value,
                    "Not authorized: invalid user name and/or password.")
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_401_on_admin_routes_too(client):
    for url in ("/api/admin/users", "/api/admin/roles", "/api/admin/permissions",
                "/api/mgmt/user", "/api/mgmt/oauthapps"):
        response = client.get(url)
        assert_envelope(response, 401, Code.NOT_AUTHENTICATED.value)
        assert "Basic" in response.headers["WWW-Authenticate"]


def test_403_is_the_envelope_with_hdp_code(client, alice):
    response = client.get("/api/admin/users", headers=alice.basic)
    assert_envelope(response, 403, "222208103", "You lack the permissions to access this url.")
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("url", ["/api/nothing", "/api/", "/api", "/api/mgmt/oauthprofiles/0",
                                 "/api/mgmt/oauthprofiles/abc",
                                 "/api/mgmt/oauthprofiles/99999999999"])
def test_unknown_routes_under_api_are_404_envelopes(client, url):
    assert_envelope(client.get(url), 404, Code.NOT_FOUND.value)


def test_405_keeps_the_allow_header(client, admin):
    response = client.patch("/api/mgmt/oauthprofiles", headers=admin.basic, json={})
    error = assert_envelope(response, 405, Code.METHOD_NOT_ALLOWED.value)
    assert "PATCH" in error["message"]["value"]
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed and "PATCH" not in allowed


def test_413_for_a_body_over_64_kib(client, admin):
    body = json.dumps({"name": "x", "description": "a" * (64 * 1024)})
    response = client.post("/api/mgmt/oauthprofiles", headers=admin.basic, data=body,
                           content_type="application/json")
    assert_envelope(response, 413, Code.BODY_TOO_LARGE.value)


def test_a_body_just_under_64_kib_is_read(client, admin):
    body = json.dumps({"name": "x", "description": "a" * (60 * 1024)})
    response = client.post("/api/mgmt/oauthprofiles", headers=admin.basic, data=body,
                           content_type="application/json")
    assert_envelope(response, 400, Code.INVALID_INPUT.value)  # too long a description


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data"])
def test_415_unless_json(client, admin, content_type):
    kwargs = {"data": json.dumps(APP_BODY)}
    if content_type:
        kwargs["content_type"] = content_type
    response = client.post("/api/mgmt/oauthapps", headers=admin.basic, **kwargs)
    assert_envelope(response, 415, Code.UNSUPPORTED_MEDIA_TYPE.value)


@pytest.mark.parametrize("raw", ["", "{", "not json", '{"a": NaN}', '{"a": Infinity}',
                                 "[1, 2]", '"text"', "42", "null", "[" * 100_00])
def test_malformed_or_non_object_json_is_400_with_hdp_code(client, admin, raw):
    response = client.post("/api/mgmt/oauthapps", headers=admin.basic, data=raw,
                           content_type="application/json")
    error = assert_envelope(response, 400, Code.INVALID_JSON.value)
    assert error["message"]["value"].startswith("Invalid JSON Input")


def test_409_is_the_envelope(client, admin, google_app):
    response = client.post("/api/mgmt/oauthapps", headers=admin.basic, json=APP_BODY)
    assert_envelope(response, 409, Code.NAME_TAKEN.value)


@pytest.fixture
def failing_app(app):
    """The app with a route that writes, then fails unexpectedly."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        db.session.add(Tenant(id=77, name="half-written"))
        db.session.flush()
        raise RuntimeError("secret detail 0xDEADBEEF")

    # GET: a test-only route is not exempt from CSRF, and CSRF is not under test here.
    app.add_url_rule("/api/test-explode", "test_explode", explode)
    return app


def test_500_is_the_envelope_without_traceback_and_nothing_is_written(failing_app, caplog):
    client = failing_app.test_client()
    response = client.get("/api/test-explode")
    error = assert_envelope(response, 500, Code.INTERNAL_ERROR.value)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "DEADBEEF" not in text and "RuntimeError" not in text
    assert error["message"]["value"] == "Internal error; nothing was changed."
    with failing_app.app_context():
        assert db.session.get(Tenant, 77) is None
        assert db.session.scalar(select(func.count()).select_from(Tenant)) == 1
    assert any("RuntimeError" in r.getMessage() for r in caplog.records), caplog.records


def test_domain_errors_never_write_half(client, admin):
    """A refused create leaves no audit event behind (one transaction per use case)."""
    def events():
        with client.application.app_context():
            return db.session.scalar(select(func.count()).select_from(AuditEvent))

    before = events()
    bad = {**APP_BODY, "tokenURI": "http://example.com/token"}
    assert client.post("/api/mgmt/oauthapps", headers=admin.basic, json=bad).status_code == 400
    assert client.post("/api/mgmt/oauthapps", headers=admin.basic, json=APP_BODY
                       ).status_code == 201
    assert events() == before + 1
