"""Token refresh: POST /api/mgmt/oauthprofiles/{id}/refresh and the "Test connection" button,
against the real local provider."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.oauth_provider import (CLIENT_ID, Server, oauth_config,  # noqa: F401
                                  provider, register_app, saved, stored_profile)
from tests.pages import flashes, login, submit
from tests.test_concurrency import server_trouble, serving
from webui.domain import provider_calls

PROVIDER_ERROR = "222209010"


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    # No coalescing window: each sequential refresh below must reach the provider.
    return {**oauth_config, "OAUTH_REFRESH_COALESCE_SECONDS": 0}


def test_refresh_stores_a_new_access_token_and_keeps_an_unrotated_refresh_token(
        app, client, alice, saved, provider):  # noqa: F811
    response = client.post(saved.url, headers=alice.basic)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["id"] == saved.id and body["status"] == "active" and body["tokenExpiresAt"]
    assert body["accessToken"] == "********" and body["refreshToken"] == "********"
    [request] = provider.token_requests
    assert request["grant_type"] == "refresh_token"
    assert request["refresh_token"] == saved.refresh_token
    stored = stored_profile(app, "alice", saved.id)
    assert stored.access_token.startswith("at-") and stored.refresh_token == saved.refresh_token


def test_a_rotated_refresh_token_replaces_the_old_one(app, client, alice, saved,
                                                      provider):  # noqa: F811
    provider.rotate = True
    assert client.post(saved.url, headers=alice.basic).status_code == 200
    rotated = stored_profile(app, "alice", saved.id).refresh_token
    assert rotated != saved.refresh_token
    # The provider retired the old token: the next refresh works only with the new one.
    assert client.post(saved.url, headers=alice.basic).status_code == 200
    assert [r["refresh_token"] for r in provider.token_requests] == [saved.refresh_token,
                                                                     rotated]


def test_invalid_grant_marks_the_profile_as_needing_reauthorization(
        client, alice, saved, provider, signed_in_alice):  # noqa: F811
    provider.refresh_error = "invalid_grant"
    response = client.post(saved.url, headers=alice.basic)
    assert response.status_code == 502
    assert response.json["error"]["code"] == PROVIDER_ERROR
    assert response.json["error"]["message"]["value"] == provider_calls.MESSAGES["invalid_grant"]
    one = client.get(f"/api/mgmt/oauthprofiles/{saved.id}", headers=alice.basic).json
    assert one["status"] == "needsReauthorization"
    listed = client.get("/api/mgmt/oauthprofiles", headers=alice.basic).json["profiles"]
    assert [p["status"] for p in listed] == ["needsReauthorization"]
    assert "Needs re-authorization" in signed_in_alice.get("/oauthprofiles").text
    assert "Needs re-authorization" in signed_in_alice.get(f"/oauthprofiles/{saved.id}").text


@pytest.mark.parametrize("switch", ["delay", "redirect_token", "refresh_error"])
def test_provider_failures_are_502_envelopes(app, client, alice, saved, provider,  # noqa: F811
                                             switch):
    app.config["OUTBOUND_DEADLINE_SECONDS"] = 0.3
    setattr(provider, switch, {"delay": 1.0, "redirect_token": True,
                               "refresh_error": "temporarily_unavailable"}[switch])
    response = client.post(saved.url, headers=alice.basic)
    assert response.status_code == 502
    assert response.json["error"]["code"] == PROVIDER_ERROR
    expected = {"delay": provider_calls.TIMEOUT, "redirect_token": provider_calls.REDIRECTED,
                "refresh_error": provider_calls.MESSAGES["temporarily_unavailable"]}[switch]
    assert response.json["error"]["message"]["value"] == expected
    one = client.get(f"/api/mgmt/oauthprofiles/{saved.id}", headers=alice.basic).json
    # Only invalid_grant says the grant is dead; a transient failure is told as such.
    assert one["status"] == "refreshFailing" and one["lastRefreshError"] == expected


def test_an_endpoint_no_longer_allowed_is_never_contacted(app, client, alice, saved,
                                                          provider):  # noqa: F811
    app.config["ALLOW_HTTP_LOOPBACK_OAUTH"] = False
    response = client.post(saved.url, headers=alice.basic)
    assert response.status_code == 409
    assert "https" in response.json["error"]["message"]["value"]
    assert provider.token_requests == []


def test_refresh_needs_modify_and_mgmt_api_and_an_own_profile(client, admin, make_user, saved,
                                                              provider):  # noqa: F811
    for perms in ([2, 11], [2, 3]):  # without ModifyDataSource; without MgmtAPI
        role = client.post("/api/admin/roles", headers=admin.basic, json={
            "name": f"r{perms[-1]}", "permissions": perms, "users": []}).json
        user = make_user(f"u{perms[-1]}", roles_=(role["name"],))
        response = client.post(saved.url, headers=user.basic)
        assert response.status_code == 403
    bob = make_user("bob")
    assert client.post(saved.url, headers=bob.basic).status_code == 404
    assert client.post(saved.url, headers={}).status_code == 401
    assert provider.token_requests == []
    on_behalf = client.post(saved.url + "?user=alice", headers=admin.basic)
    assert on_behalf.status_code == 200 and len(provider.token_requests) == 1


def test_the_openapi_document_marks_the_extension(client):
    doc = client.get("/api/openapi.json").json
    operation = doc["paths"]["/api/mgmt/oauthprofiles/{profileId}/refresh"]["post"]
    assert operation["x-extension"] is True and "Extension" in operation["description"]
    assert "502" in operation["responses"]


def test_refreshes_within_the_coalescing_window_make_one_request(app, client, alice, saved,
                                                                 provider):  # noqa: F811
    app.config["OAUTH_REFRESH_COALESCE_SECONDS"] = 60
    for _ in range(3):
        assert client.post(saved.url, headers=alice.basic).status_code == 200
    assert len(provider.token_requests) == 1


def test_twenty_concurrent_refreshes_make_one_token_request(app, alice, saved,
                                                            provider):  # noqa: F811
    app.config["OAUTH_REFRESH_COALESCE_SECONDS"] = 5
    provider.rotate, provider.delay = True, 0.3  # a double spend would fail with invalid_grant
    statuses: list[int] = []
    barrier = threading.Barrier(20)
    with Server(app) as server:
        def call():
            barrier.wait()
            response = requests.post(server.url + saved.url, headers=alice.basic, timeout=60)
            statuses.append(response.status_code)
        threads = [threading.Thread(target=call) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    assert statuses == [200] * 20
    assert len(provider.token_requests) == 1
    stored = stored_profile(app, "alice", saved.id)
    assert stored.refresh_token != saved.refresh_token  # the rotated one was kept


def test_concurrent_refreshes_across_gunicorn_workers_make_one_token_request(
        app, alice, saved, provider, tmp_path):  # noqa: F811
    provider.rotate, provider.delay = True, 0.3
    with serving(app, tmp_path / "gunicorn.log", workers=3, threads=8) as server:
        server.warm(alice)
        barrier = threading.Barrier(20)

        def call(_):
            barrier.wait()
            return server.request("POST", saved.url, auth=alice)[0]
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(call, range(20)))
    assert statuses == [200] * 20
    assert len(provider.token_requests) == 1
    assert not server_trouble(tmp_path / "gunicorn.log")


@pytest.fixture
def signed_in_alice(app, alice):
    browser = app.test_client()
    assert login(browser, alice).status_code == 302
    return browser


def test_test_connection_button(app, saved, provider, signed_in_alice):  # noqa: F811
    detail = f"/oauthprofiles/{saved.id}"
    response = submit(signed_in_alice, detail, "form:has(#test-connection)")
    assert response.status_code == 302 and response.headers["Location"].endswith(detail)
    page = signed_in_alice.get(detail).text
    assert any(m.startswith("Connection OK") for m in flashes(page))
    assert len(provider.token_requests) == 1
    provider.refresh_error = "invalid_grant"
    submit(signed_in_alice, detail, "form:has(#test-connection)")
    page = signed_in_alice.get(detail).text
    assert provider_calls.MESSAGES["invalid_grant"] in flashes(page)
    assert "Needs re-authorization" in page


def test_test_connection_without_csrf_token_is_refused(saved, provider,  # noqa: F811
                                                       signed_in_alice):
    response = submit(signed_in_alice, f"/oauthprofiles/{saved.id}",
                      "form:has(#test-connection)", csrf_token=None)
    assert response.status_code == 400 and provider.token_requests == []


def test_tokens_never_reach_logs_or_messages(app, client, alice, saved, provider,  # noqa: F811
                                             signed_in_alice, caplog):
    caplog.set_level(logging.DEBUG)
    provider.rotate = True
    body = client.post(saved.url, headers=alice.basic).get_data(as_text=True)
    page = signed_in_alice.get(f"/oauthprofiles/{saved.id}").text
    stored = stored_profile(app, "alice", saved.id)
    for value in (saved.refresh_token, stored.access_token, stored.refresh_token):
        assert value not in caplog.text and value not in body and value not in page


def test_a_slow_provider_holds_up_no_other_writer(app, client, alice, saved,
                                                   provider):  # noqa: F811
    provider.delay = 3.0
    app_id = client.get(f"/api/mgmt/oauthprofiles/{saved.id}",
                        headers=alice.basic).json["oauthAppId"]
    with Server(app) as server:
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(requests.post, server.url + saved.url, headers=alice.basic,
                               timeout=30)
            while not provider.token_requests:  # the refresh now waits for the provider
                threading.Event().wait(0.02)
            created = requests.post(server.url + "/api/mgmt/oauthprofiles",
                                    headers=alice.basic, timeout=30, json={
                                        "name": "Meanwhile", "oauthAppId": app_id,
                                        "refreshToken": "r"})
            assert created.status_code == 201
            assert created.elapsed.total_seconds() < 1.5
            assert not slow.done()  # it really overlapped the slow refresh
            assert slow.result().status_code == 200
