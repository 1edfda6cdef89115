"""/api/mgmt/datasources and /api/mgmt/oauthprofiles/{id}/stats: HDP's shapes, permissions
1/2/3/4 + MgmtAPI, owner only, ?user=, profiles usable only by their owner for the same data
store, and a deleted profile unlinks its data sources."""
import pytest

from tests.conftest import APP_BODY, basic
from tests.tenancy_setup import make_org

SOURCES = "/api/mgmt/datasources"
PROFILES = "/api/mgmt/oauthprofiles"


@pytest.fixture
def profile_of(client, google_app):
    def make(account, name="P1", app_id=None):
        response = client.post(PROFILES, headers=account.basic, json={
            "name": name, "oauthAppId": app_id or google_app, "refreshToken": "r"})
        assert response.status_code == 201, response.json
        return response.json["id"]
    return make


def _body(name="GA-prod", profile=None, **extra):
    options = {"ViewId": "123"} | ({"OAuthProfileId": str(profile)} if profile else {})
    return {"name": name, "dataStore": 54, "description": "d", "options": options, **extra}


def test_create_read_update_delete(client, alice, profile_of):
    pid = profile_of(alice)
    created = client.post(SOURCES, headers=alice.basic, json=_body(profile=pid))
    assert created.status_code == 201, created.json
    body = created.json
    assert [body[k] for k in ("name", "dataStore", "description")] == ["GA-prod", 54, "d"]
    assert body["options"] == {"ViewId": "123", "OAuthProfileId": str(pid)}
    url = f"{SOURCES}/{body['id']}"
    assert client.get(url, headers=alice.basic).json["options"]["OAuthProfileId"] == str(pid)
    listed = client.get(SOURCES, headers=alice.basic).json
    assert listed == {"dataSources": [{"id": body["id"], "name": "GA-prod", "dataStore": 54,
                                       "description": "d"}]}
    changed = client.put(url, headers=alice.basic, json={"options": {"ViewId": "9"}})
    assert changed.status_code == 200 and changed.json["options"] == {"ViewId": "9"}
    assert client.put(url, headers=alice.basic, json={"name": "b"}).json["name"] == "b"
    assert client.delete(url, headers=alice.basic).status_code == 204
    gone = client.get(url, headers=alice.basic)
    assert gone.status_code == 404 and gone.json["error"]["code"] == "222207004"


@pytest.mark.parametrize("name", ["1abc", "_a", "a b", "ä", "a.b", ""])
def test_name_rule(client, alice, name):
    response = client.post(SOURCES, headers=alice.basic, json=_body(name=name))
    assert response.status_code == 400 and response.json["error"]["code"] == "222209000"


def test_name_unique_per_owner_and_options_are_strings(client, alice, admin):
    assert client.post(SOURCES, headers=alice.basic, json=_body()).status_code == 201
    assert client.post(SOURCES, headers=alice.basic, json=_body()).status_code == 409
    assert client.post(SOURCES, headers=admin.basic, json=_body()).status_code == 201
    for options in ({"x": 1}, ["x"], {"OAuthProfileId": "abc"}, {"OAuthProfileId": 3}):
        response = client.post(SOURCES, headers=alice.basic,
                               json={**_body(name="o"), "options": options})
        assert response.status_code == 400, options


def test_only_a_usable_profile_of_the_owner_for_the_same_data_store(
        client, admin, alice, make_user, profile_of):
    bob = make_user("bob")
    bobs = profile_of(bob)
    refused = client.post(SOURCES, headers=alice.basic, json=_body(profile=bobs))
    assert refused.status_code == 400 and refused.json["error"]["code"] == "222207710"
    sf_app = client.post("/api/mgmt/oauthapps", headers=admin.basic,
                         json={**APP_BODY, "name": "SF", "dataStore": 1}).json["id"]
    salesforce = profile_of(alice, "SF_profile", sf_app)
    assert client.post(SOURCES, headers=alice.basic,
                       json=_body(profile=salesforce)).status_code == 400
    ok = client.post(SOURCES, headers=alice.basic,
                     json={**_body(profile=salesforce), "dataStore": 1})
    assert ok.status_code == 201
    # Changing the data store re-checks the linked profile.
    assert client.put(f"{SOURCES}/{ok.json['id']}", headers=alice.basic,
                      json={"dataStore": 54}).status_code == 400


def test_a_child_tenant_user_cannot_use_a_profile_of_an_application_of_another_tenant(
        client, admin, profile_of):
    org = make_org(client, admin, "OrgA")
    pid = profile_of(org.user)  # a system application: usable by a child tenant's users
    assert client.post(SOURCES, headers=org.user.basic,
                       json=_body(profile=pid)).status_code == 201


def test_deleting_the_profile_unlinks_and_stats_list_them(client, alice, profile_of):
    pid = profile_of(alice)
    ids = [client.post(SOURCES, headers=alice.basic, json=_body(name=n, profile=pid))
           .json["id"] for n in ("one", "two")]
    client.post(SOURCES, headers=alice.basic, json=_body(name="other"))
    stats = client.get(f"{PROFILES}/{pid}/stats", headers=alice.basic)
    assert stats.status_code == 200
    assert stats.json["dataSourcesLinked"] == 2 and stats.json["dataStoreId"] == 54
    assert [(d["id"], d["name"]) for d in stats.json["dataSources"]] == list(
        zip(ids, ("one", "two")))
    assert client.delete(f"{PROFILES}/{pid}", headers=alice.basic).status_code == 204
    kept = client.get(f"{SOURCES}/{ids[0]}", headers=alice.basic)
    assert kept.status_code == 200 and kept.json["options"] == {"ViewId": "123"}
    missing = client.get(f"{PROFILES}/{pid}/stats", headers=alice.basic)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "222207710"


def test_owner_only_and_on_behalf(client, admin, alice, make_user, profile_of):
    pid = profile_of(alice)
    ds = client.post(SOURCES, headers=alice.basic, json=_body(profile=pid)).json["id"]
    assert client.get(f"{SOURCES}/{ds}", headers=admin.basic).status_code == 404
    assert client.get(f"{PROFILES}/{pid}/stats", headers=admin.basic).status_code == 404
    assert client.get(f"{SOURCES}/{ds}?user=alice", headers=admin.basic).status_code == 200
    assert client.get(f"{PROFILES}/{pid}/stats?user=alice",
                      headers=admin.basic).status_code == 200
    made = client.post(f"{SOURCES}?user=alice", headers=admin.basic, json=_body(name="x"))
    assert made.status_code == 201
    assert made.json["id"] in {d["id"] for d in client.get(
        SOURCES, headers=alice.basic).json["dataSources"]}
    plain = make_user("plain")
    refused = client.get(f"{SOURCES}?user=alice", headers=plain.basic)
    assert refused.status_code == 403


@pytest.mark.parametrize("verb,perm", [("post", 1), ("get", 2), ("put", 3), ("delete", 4),
                                       ("stats", 2)])
def test_each_permission_and_mgmt_api(client, admin, verb, perm):
    for missing in (perm, 11):
        granted = sorted({1, 2, 3, 4, 8, 11} - {missing})
        role = client.post("/api/admin/roles", headers=admin.basic, json={
            "name": f"r{verb}{missing}", "permissions": granted, "users": []}).json["id"]
        user = client.post("/api/admin/users", headers=admin.basic, json={
            "userName": f"u{verb}{missing}", "statusInfo": {"status": 1},
            "passwordInfo": {"password": "test-password-1234"},
            "permissions": {"roles": [role]}}).json
        headers = basic(user["userName"], "test-password-1234")
        url = {"post": SOURCES, "stats": f"{PROFILES}/1/stats"}.get(verb, f"{SOURCES}/1")
        method = "GET" if verb == "stats" else verb.upper()
        response = client.open(url, method=method, headers=headers, json=_body())
        assert response.status_code == 403, (verb, missing, response.json)
        assert response.json["error"]["code"] == "222208103"
