"""Tokens follow their owner's consent, not the application's latest URL.

The attack of the adversarial review, replayed: a user who manages applications (MgmtAPI +
OAuth, not Administrator) cannot read alice's profile, but points the shared application's
token URI at a host of theirs; alice's next refresh, or the next token hand-out, would post
her refresh token and the client secret there. Now her profile is blocked until she authorizes
again, and the new host never sees a request.
"""
from __future__ import annotations

import pytest

from tests.oauth_provider import (CLIENT_ID, oauth_config, provider,  # noqa: F401
                                  register_app, running_provider)

BLOCKED = "222209012"


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return {**oauth_config, "OAUTH_REFRESH_COALESCE_SECONDS": 0}


@pytest.fixture
def evil():
    """The attacker's own token endpoint (a real server that records what it gets)."""
    attacker, server = running_provider()
    with server:
        yield attacker


@pytest.fixture
def setting(client, admin, alice, make_user, provider):  # noqa: F811
    app_id = register_app(client, admin, provider)
    token = provider.grant_refresh_token(CLIENT_ID)
    created = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "Analytics", "oauthAppId": app_id, "refreshToken": token})
    assert created.status_code == 201
    manager = make_user("manager", permissions=(28,))  # User role (MgmtAPI) + OAuth
    return app_id, created.json["id"], manager


@pytest.mark.parametrize("field", ["tokenURI", "authorizeURI", "clientId"])
def test_a_changed_registration_blocks_refresh_and_hand_out(client, admin, alice, provider,
                                                            evil, setting, field):  # noqa
    app_id, profile_id, manager = setting
    assert client.get(f"/api/mgmt/oauthprofiles/{profile_id}",
                      headers=manager.basic).status_code == 404  # cannot read it
    change = {"tokenURI": f"{evil.url}/token", "authorizeURI": f"{evil.url}/authorize",
              "clientId": "attacker-client"}[field]
    response = client.put(f"/api/mgmt/oauthapps/{app_id}", headers=manager.basic,
                          json={field: change, **({"tokenURI": f"{evil.url}/token"}
                                                   if field != "tokenURI" else {})})
    assert response.status_code == 200, response.json
    profile = f"/api/mgmt/oauthprofiles/{profile_id}"
    for call in (lambda: client.post(f"{profile}/refresh", headers=alice.basic),
                 lambda: client.get(f"{profile}/token", headers=alice.basic),
                 lambda: client.post(f"{profile}/refresh?user=alice", headers=admin.basic)):
        answer = call()
        assert answer.status_code == 409 and answer.json["error"]["code"] == BLOCKED
    assert evil.token_requests == [] and provider.token_requests == []
    assert client.get(profile, headers=alice.basic).json["status"] == "needsReauthorization"
    events = client.get("/api/admin/audit?objectType=oauthapp&action=update",
                        headers=admin.basic).json["events"]
    detail = events[0]["detail"]
    assert "tokenURI host: 127.0.0.1 -> 127.0.0.1" in detail
    assert "secret" not in detail.lower()


def test_only_the_owner_unblocks_it_with_new_tokens(client, alice, provider, evil,
                                                   setting):  # noqa: F811
    app_id, profile_id, manager = setting
    client.put(f"/api/mgmt/oauthapps/{app_id}", headers=manager.basic,
               json={"tokenURI": f"{evil.url}/token"})
    profile = f"/api/mgmt/oauthprofiles/{profile_id}"
    # The owner supplies tokens issued by the new endpoint: their consent, so it unblocks.
    assert client.put(profile, headers=alice.basic, json={
        "refreshToken": evil.grant_refresh_token(CLIENT_ID)}).status_code == 200
    evil.register(CLIENT_ID, "local-secret-XYZ-4711", "https://opm.test.example/oauth2callback")
    assert client.post(f"{profile}/refresh", headers=alice.basic).status_code == 200
    assert len(evil.token_requests) == 1 and provider.token_requests == []


def test_a_description_change_blocks_nothing(client, alice, setting, provider):  # noqa: F811
    app_id, profile_id, manager = setting
    client.put(f"/api/mgmt/oauthapps/{app_id}", headers=manager.basic,
               json={"description": "just words"})
    answer = client.post(f"/api/mgmt/oauthprofiles/{profile_id}/refresh", headers=alice.basic)
    assert answer.status_code == 200 and len(provider.token_requests) == 1
