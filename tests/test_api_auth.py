"""HTTP Basic authentication on every API call; the API never sets a cookie."""
import threading
import time

import pytest
from argon2 import PasswordHasher

from tests.conftest import APP_BODY, PASSWORD, basic
from webui.domain import credentials, passwords

EVERY_GET = ["/api/mgmt/oauthprofiles", "/api/mgmt/oauthapps", "/api/mgmt/permissions",
             "/api/mgmt/user", "/api/admin/users", "/api/admin/roles",
             "/api/admin/permissions", "/api/admin/permissions/1", "/api/admin/audit"]


def test_every_route_needs_credentials(client, admin):
    for url in EVERY_GET:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert client.get(url, headers=admin.basic).status_code == 200, url


def test_the_api_never_sets_a_cookie(client, admin, alice, google_app):
    responses = [client.get(url, headers=admin.basic) for url in EVERY_GET]
    responses += [client.get(EVERY_GET[0]),  # 401
                  client.get("/api/admin/users", headers=alice.basic),  # 403
                  client.get("/api/nowhere", headers=admin.basic),  # 404
                  client.post("/api/mgmt/oauthapps", headers=admin.basic, json=APP_BODY),  # 409
                  client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
                      "name": "p", "oauthAppId": google_app, "refreshToken": "r"})]
    for response in responses:
        assert "Set-Cookie" not in response.headers, response.request.path
    assert not list(client._cookies)


def test_a_session_cookie_does_not_authenticate(client, admin):
    client.set_cookie("session", "anything", domain="localhost")
    assert client.get("/api/mgmt/user").status_code == 401


@pytest.mark.parametrize("user,password", [
    ("admin", "wrong-password-1"), ("ADMIN", PASSWORD), ("admin ", PASSWORD), ("", PASSWORD),
    ("admin", ""), ("ghost", PASSWORD)])
def test_wrong_credentials_are_401(client, admin, user, password):
    assert client.get("/api/mgmt/user", headers=basic(user, password)).status_code == 401


def test_passwords_with_a_colon_and_unicode_work(client, make_user):
    account = make_user("carol", password="pass:with:colons-ünï")
    assert client.get("/api/mgmt/user", headers=account.basic).status_code == 200


def test_own_account_endpoints(client, admin, alice):
    me = client.get("/api/mgmt/user", headers=alice.basic).json
    assert me["userId"] == alice.id and me["userName"] == "alice"
    assert me["permissions"] == list(range(1, 12)) and "passwordExpiration" in me
    perms = client.get("/api/mgmt/permissions", headers=admin.basic).json
    assert perms == {"userId": admin.id, "permissions": list(range(1, 22)) + [25, 27, 28]}


def test_own_account_needs_mgmt_api(client, admin, make_user):
    client.post("/api/admin/roles", headers=admin.basic,
                json={"name": "ui_only", "permissions": [8], "users": []})
    ui_only = make_user("ui", roles_=("ui_only",))
    for url in ("/api/mgmt/user", "/api/mgmt/permissions"):
        assert client.get(url, headers=ui_only.basic).status_code == 403


def test_a_cached_credential_never_admits_a_wrong_password(client, alice):
    url = "/api/mgmt/user"
    assert client.get(url, headers=alice.basic).status_code == 200  # cached now
    assert client.get(url, headers=basic("alice", PASSWORD + "x")).status_code == 401
    assert client.get(url, headers=alice.basic).status_code == 200


class CountingHasher(PasswordHasher):
    """The app's argon2 hasher, counting its verifications (and who ran them)."""

    def __init__(self, hasher: PasswordHasher):
        super().__init__(hasher.time_cost, hasher.memory_cost, hasher.parallelism,
                         hasher.hash_len, hasher.salt_len, type=hasher.type)
        self.calls: list[str] = []

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        self.calls.append(threading.current_thread().name)
        return super().verify(hash, password)


def test_a_steady_client_never_waits_for_argon2_after_its_first_call(app, alice):
    app.config["CREDENTIAL_CACHE_SECONDS"] = ttl = 1.0
    app.extensions[credentials.EXTENSION] = credentials.CredentialCache(ttl)
    hasher = app.extensions[passwords.EXTENSION] = CountingHasher(
        app.extensions[passwords.EXTENSION])
    client = app.test_client()
    url = "/api/mgmt/user"
    assert client.get(url, headers=alice.basic).status_code == 200
    assert hasher.calls == ["MainThread"]  # the first call verifies in the request
    deadline = time.monotonic() + 3 * ttl
    while time.monotonic() < deadline:  # three TTLs of steady calls
        assert client.get(url, headers=alice.basic).status_code == 200
        time.sleep(ttl / 20)
    # Renewed in the background (a bit after 3/4 of each TTL), never in a request.
    assert hasher.calls[0] == "MainThread" and len(hasher.calls) >= 3
    assert set(hasher.calls[1:]) == {"credential-renewal"}


def test_cross_site_browser_requests_are_refused(client, admin, google_app):
    body = {"name": "Forged", "oauthAppId": google_app, "refreshToken": "r"}
    forged = client.post("/api/mgmt/oauthprofiles", json=body,
                         headers={**admin.basic, "Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    assert forged.json["error"]["code"] == "222208103"
    for site in ("same-origin", "none"):
        listed = client.get("/api/mgmt/oauthprofiles",
                            headers={**admin.basic, "Sec-Fetch-Site": site})
        assert listed.status_code == 200 and listed.json["profiles"] == []
