"""The authorization-code flow through the HTML door, against the real local provider
(tests/oauth_provider.py): start (checks, PKCE, state, redirect_uri), consent, callback."""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select, text

from tests.cases import BAD_NAMES
from tests.conftest import form_fields
from tests.oauth_provider import (CLIENT_ID, PUBLIC_BASE_URL, local_app,  # noqa: F401
                                  oauth_config, consent, provider, register_app,
                                  s256, stored_profile)
from tests.pages import field_error, flashes, login, submit
from webui.domain import authorization, provider_calls, profiles
from webui.domain.caller import Caller
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import LoginSession, PendingAuthorization, User

CALLBACK = PUBLIC_BASE_URL + "/oauth2callback"


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return oauth_config


@pytest.fixture
def signed_in(client, alice):
    assert login(client, alice).status_code == 302
    return client


def start(client, app_id, name="Sales_data", **changes):
    return submit(client, "/oauthprofiles/new", "#profile-form", name=name,
                  oauthAppId=str(app_id), authorize="1", **changes)


def provider_url(client, response) -> str:
    """Follow our side of the start: the POST's 303, then the page that moves on."""
    assert response.status_code == 303, response.status_code
    assert urlsplit(response.headers["Location"]).path == "/oauth2/continue"
    page = client.get("/oauth2/continue")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    url = soup.select_one("#continue")["href"]
    assert soup.select_one('meta[http-equiv="refresh"]')["content"] == f"0; url={url}"
    return url


def callback(client, url: str):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")


def csrf_token(client) -> str:
    """A valid CSRF token of this browser session (from any page with a form)."""
    _, data = form_fields(client.get("/oauthprofiles").text, "form.logout")
    return data["csrf_token"]


def pending_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PendingAuthorization))


def test_authorize_sends_the_browser_to_the_provider_with_pkce_and_state(
        app, signed_in, local_app, provider):  # noqa: F811
    url = provider_url(signed_in, start(signed_in, local_app))
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == provider.url + "/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "read write"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 22  # >= 128 bits in base64url
    assert "access_type" not in query and "prompt" not in query  # not a Google app
    assert pending_count(app) == 1
    with app.app_context():  # only the state's digest is stored, the verifier encrypted
        row = db.session.scalars(select(PendingAuthorization)).one()
        assert row.id == hashlib.sha256(query["state"].encode()).hexdigest()
        assert s256(row.code_verifier) == query["code_challenge"]
        raw = db.session.scalar(text("SELECT code_verifier FROM oauth_state"))
        assert row.code_verifier not in raw


def test_redirect_uri_comes_from_the_configuration_never_the_host_header(
        app, alice, local_app, provider):  # noqa: F811
    with app.test_request_context("/oauthprofiles/new", base_url="http://evil.example"):
        user = db.session.scalar(select(User).where(User.user_name == "alice"))
        token = "a-login-session"
        sessions_row = LoginSession(id=authorization.digest(token), user_id=user.id,
                                    credential_version=user.credential_version)
        db.session.add(sessions_row)
        db.session.commit()
        url = authorization.start_new_profile(Caller.own(Principal.of(user)), {
            "name": "Host_test", "oauthAppId": local_app}, sessions_row.id)
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [CALLBACK]


def test_google_applications_ask_for_offline_access_and_consent(client, admin, signed_in,
                                                                 provider):  # noqa: F811
    app_id = register_app(client, admin, provider, name="GA_local", data_store=54)
    query = parse_qs(urlsplit(provider_url(signed_in, start(signed_in, app_id))).query)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]


def test_consent_creates_the_profile_with_the_providers_tokens(app, client, alice, signed_in,
                                                               local_app, provider):  # noqa: F811
    url = provider_url(signed_in, start(signed_in, local_app, description="From the flow"))
    done = callback(signed_in, consent(url))
    assert done.status_code == 302
    profile_page = signed_in.get(done.headers["Location"])
    assert "OAuth profile Sales_data created with the provider's tokens." in flashes(
        profile_page.text)
    # The code was redeemed once, at the application's token URI, with the same
    # redirect_uri and the PKCE verifier (the provider checked the S256 challenge).
    [request] = provider.token_requests
    assert request["path"] == "/token" and request["grant_type"] == "authorization_code"
    assert request["redirect_uri"] == CALLBACK and request["code_verifier"]
    profile_id = int(done.headers["Location"].rsplit("/", 1)[1])
    body = client.get(f"/api/mgmt/oauthprofiles/{profile_id}", headers=alice.basic).json
    assert body["name"] == "Sales_data" and body["description"] == "From the flow"
    assert body["oauthAppId"] == local_app and body["status"] == "active"
    assert body["hasAccessToken"] and body["hasRefreshToken"] and body["tokenExpiresAt"]
    stored = stored_profile(app, "alice", profile_id)
    assert stored.access_token.startswith("at-1-") and stored.refresh_token.startswith("rt-")
    assert pending_count(app) == 0


@pytest.mark.parametrize("bad,message", BAD_NAMES)
def test_the_name_rule_runs_before_leaving_for_the_provider(app, signed_in, local_app,
                                                            provider, bad, message):  # noqa: F811
    response = start(signed_in, local_app, name=bad)
    assert response.status_code == 422
    assert field_error(response.text, "name") == message
    assert provider.authorize_requests == [] and pending_count(app) == 0


def test_a_taken_name_is_refused_before_leaving(client, alice, signed_in, local_app):
    client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "Taken", "oauthAppId": local_app, "refreshToken": "x"})
    response = start(signed_in, local_app, name="Taken")
    assert field_error(response.text, "name") == profiles.NAME_TAKEN


def test_without_create_permission_nothing_starts(app, client, admin, make_user, local_app):
    role = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "viewers", "permissions": [2, 3, 8], "users": []}).json
    login(client, make_user("viewer", roles_=(role["name"],)))
    assert client.get("/oauthprofiles/new").status_code == 403
    response = client.post("/oauthprofiles/new", data={
        "name": "Nope", "oauthAppId": str(local_app), "authorize": "1",
        "csrf_token": csrf_token(client)})
    assert response.status_code == 403 and pending_count(app) == 0


def test_authorize_without_csrf_token_is_refused(app, signed_in, local_app):
    response = submit(signed_in, "/oauthprofiles/new", "#profile-form", name="No_csrf",
                      oauthAppId=str(local_app), authorize="1", csrf_token=None)
    assert response.status_code == 400 and pending_count(app) == 0


@pytest.mark.parametrize("tamper", ["missing", "altered", "unknown"])
def test_a_missing_or_tampered_state_is_refused_before_any_token_request(
        signed_in, local_app, provider, tamper):  # noqa: F811
    url = consent(provider_url(signed_in, start(signed_in, local_app)))
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    if tamper == "missing":
        del query["state"]
    elif tamper == "altered":
        query["state"] = query["state"][:-1] + ("A" if query["state"][-1] != "A" else "B")
    else:
        query["state"] = "x" * 43
    response = signed_in.get("/oauth2callback?" + urlencode(query), follow_redirects=True)
    expected = authorization.STATE_MISSING if tamper == "missing" else \
        authorization.STATE_UNKNOWN
    assert expected in flashes(response.text)
    assert provider.token_requests == []


def test_a_replayed_state_is_refused(signed_in, local_app, provider):  # noqa: F811
    url = consent(provider_url(signed_in, start(signed_in, local_app)))
    assert callback(signed_in, url).status_code == 302
    again = callback(signed_in, url)
    assert authorization.STATE_UNKNOWN in flashes(signed_in.get(again.headers["Location"]).text)
    assert len(provider.token_requests) == 1


def test_an_expired_state_is_refused(app, signed_in, local_app, provider,  # noqa: F811
                                     monkeypatch):
    url = consent(provider_url(signed_in, start(signed_in, local_app)))
    later = authorization.utcnow() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(authorization, "utcnow", lambda: later)
    response = callback(signed_in, url)
    assert authorization.STATE_EXPIRED in flashes(signed_in.get(response.headers["Location"]).text)
    assert provider.token_requests == [] and pending_count(app) == 0


def test_a_state_works_only_in_the_session_that_started_it(app, alice, signed_in, local_app,
                                                           provider):  # noqa: F811
    url = consent(provider_url(signed_in, start(signed_in, local_app)))
    other = app.test_client()
    login(other, alice)  # the same user, another browser session
    response = callback(other, url)
    assert authorization.STATE_UNKNOWN in flashes(other.get(response.headers["Location"]).text)
    assert provider.token_requests == []
    assert callback(signed_in, url).status_code == 302  # still good where it started


def test_a_callback_without_a_session_is_refused(app, signed_in, local_app, provider):  # noqa: F811
    url = consent(provider_url(signed_in, start(signed_in, local_app)))
    stranger = app.test_client()
    response = callback(stranger, url)
    assert response.status_code == 401 and "Location" not in response.headers
    assert provider.token_requests == []


def test_access_denied_is_told_in_plain_words(app, signed_in, local_app, provider):  # noqa: F811
    url = consent(provider_url(signed_in, start(signed_in, local_app)), decision="deny")
    response = callback(signed_in, url)
    assert provider_calls.MESSAGES["access_denied"] in flashes(
        signed_in.get(response.headers["Location"]).text)
    assert provider.token_requests == []


def test_an_unknown_provider_error_is_escaped_and_never_a_500(signed_in, local_app,
                                                             provider):  # noqa: F811
    url = consent(provider_url(signed_in, start(signed_in, local_app)), decision="deny")
    url = url.replace("access_denied", "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    response = callback(signed_in, url)
    page = signed_in.get(response.headers["Location"]).text
    assert "The provider refused the request." in flashes(page) and "<script>alert" not in page


def test_a_refused_code_is_told_in_plain_words(signed_in, local_app, provider):  # noqa: F811
    url = consent(provider_url(signed_in, start(signed_in, local_app)))
    response = callback(signed_in, url.replace("code=code-", "code=forged-"))
    assert provider_calls.MESSAGES["invalid_grant"] in flashes(
        signed_in.get(response.headers["Location"]).text)


def test_the_code_goes_only_to_the_token_uri_of_the_application_bound_to_the_state(
        client, admin, signed_in, provider):  # noqa: F811
    first = register_app(client, admin, provider, name="First_app")
    second = register_app(client, admin, provider, name="Second_app", token_path="/other/token",
                          client_id="other-client")
    url = consent(provider_url(signed_in, start(signed_in, first)))
    response = callback(signed_in, url + f"&oauthAppId={second}&token_uri=/other/token")
    assert response.status_code == 302
    assert [r["path"] for r in provider.token_requests] == ["/token"]
    assert second  # registered, never contacted


def test_slow_and_redirecting_token_endpoints_are_provider_errors(app, signed_in, local_app,
                                                                  provider):  # noqa: F811
    app.config["OUTBOUND_DEADLINE_SECONDS"] = 0.3
    provider.delay = 1.0
    url = consent(provider_url(signed_in, start(signed_in, local_app, name="Slow")))
    page = signed_in.get(callback(signed_in, url).headers["Location"]).text
    assert provider_calls.TIMEOUT in flashes(page)
    provider.delay, provider.redirect_token = 0.0, True
    url = consent(provider_url(signed_in, start(signed_in, local_app, name="Bounced")))
    page = signed_in.get(callback(signed_in, url).headers["Location"]).text
    assert provider_calls.REDIRECTED in flashes(page)
    assert all(r["path"] == "/token" for r in provider.token_requests)


def test_no_refresh_token_from_the_provider_saves_nothing(app, alice, client, signed_in,
                                                          local_app, provider):  # noqa: F811
    provider.omit_refresh = True
    url = consent(provider_url(signed_in, start(signed_in, local_app)))
    page = signed_in.get(callback(signed_in, url).headers["Location"]).text
    assert provider_calls.NO_REFRESH_TOKEN in flashes(page)
    assert client.get("/api/mgmt/oauthprofiles", headers=alice.basic).json["profiles"] == []


def test_reauthorize_replaces_the_tokens_and_clears_the_flag(app, client, admin, alice,
                                                             signed_in, local_app,
                                                             provider):  # noqa: F811
    created = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "Old", "oauthAppId": local_app, "refreshToken": "revoked-token"}).json
    client.put(f"/api/mgmt/oauthapps/{local_app}", headers=admin.basic, json={"scope": "read"})
    detail = f"/oauthprofiles/{created['id']}"
    assert "Needs re-authorization" in signed_in.get(detail).text
    response = submit(signed_in, detail, "form:has(#reauthorize)")
    done = callback(signed_in, consent(provider_url(signed_in, response)))
    assert done.headers["Location"].endswith(detail)
    assert "OAuth profile Old re-authorized with the provider's tokens." in flashes(
        signed_in.get(detail).text)
    body = client.get(f"/api/mgmt/oauthprofiles/{created['id']}", headers=alice.basic).json
    assert body["status"] == "active" and body["tokenExpiresAt"]
    stored = stored_profile(app, "alice", created["id"])
    assert stored.refresh_token != "revoked-token" and stored.access_token.startswith("at-")


def test_codes_and_tokens_never_reach_urls_logs_or_messages(app, signed_in, local_app,
                                                            provider, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    locations, messages = [], []
    response = start(signed_in, local_app)
    locations.append(response.headers["Location"])
    url = consent(provider_url(signed_in, response))  # the provider's own redirect: expected
    code = parse_qs(urlsplit(url).query)["code"][0]
    done = callback(signed_in, url)
    locations.append(done.headers["Location"])
    page = signed_in.get(done.headers["Location"])
    messages += flashes(page.text)
    with app.app_context():
        profile_id = int(done.headers["Location"].rsplit("/", 1)[1])
        user = db.session.scalar(select(User).where(User.user_name == "alice"))
        stored = profiles.get_profile(Caller.own(Principal.of(user)), profile_id, with_tokens=True)
    secrets_ = [code, stored.access_token, stored.refresh_token]
    for value in secrets_:
        assert value not in caplog.text
        assert all(value not in m for m in messages)
        assert all(value not in loc for loc in locations)
        assert value not in page.text


def test_declining_a_reauthorization_lands_back_on_the_profile(client, alice, signed_in,
                                                               local_app,
                                                               provider):  # noqa: F811
    created = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "Declined", "oauthAppId": local_app, "refreshToken": "old-token"}).json
    detail = f"/oauthprofiles/{created['id']}"
    response = submit(signed_in, detail, "form:has(#reauthorize)")
    back = callback(signed_in, consent(provider_url(signed_in, response), decision="deny"))
    assert back.headers["Location"].endswith(detail)
    assert provider_calls.MESSAGES["access_denied"] in flashes(signed_in.get(detail).text)
    assert provider.token_requests == []
