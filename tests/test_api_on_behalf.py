"""?user=NAME (HDP's on-behalf-of): Administrator, or MgmtAPI + OnBehalfOf + the operation's
own permission; anything less is 403; an unknown user is 404 (222207916)."""
import pytest

PROFILES = "/api/mgmt/oauthprofiles"


@pytest.fixture
def profile_body(google_app):
    return {"name": "Delegated", "oauthAppId": google_app, "refreshToken": "r-123"}


@pytest.fixture
def custom_role(client, admin):
    def make(name, perms):
        response = client.post("/api/admin/roles", headers=admin.basic,
                               json={"name": name, "permissions": list(perms), "users": []})
        assert response.status_code == 201
        return name
    return make


def test_administrator_creates_for_the_named_user_who_owns_it(client, admin, alice,
                                                              profile_body):
    response = client.post(f"{PROFILES}?user=alice", headers=admin.basic, json=profile_body)
    assert response.status_code == 201
    pid = response.json["id"]
    mine = client.get(PROFILES, headers=alice.basic).json["profiles"]
    assert [p["id"] for p in mine] == [pid]
    assert client.get(PROFILES, headers=admin.basic).json["profiles"] == []
    assert client.get(f"{PROFILES}/{pid}", headers=admin.basic).status_code == 404
    assert client.get(f"{PROFILES}/{pid}?user=alice", headers=admin.basic).status_code == 200
    assert client.put(f"{PROFILES}/{pid}?user=alice", headers=admin.basic,
                      json={"description": "by admin"}).status_code == 200
    assert client.get(f"{PROFILES}/{pid}", headers=alice.basic).json["description"] == "by admin"
    assert client.delete(f"{PROFILES}/{pid}?user=alice", headers=admin.basic).status_code == 204
    assert client.get(PROFILES, headers=alice.basic).json["profiles"] == []


def test_the_audit_trail_names_both(client, admin, alice, profile_body):
    client.post(f"{PROFILES}?user=alice", headers=admin.basic, json=profile_body)
    events = client.get("/api/admin/audit?objectType=oauthprofile", headers=admin.basic).json
    (event,) = events["events"]
    assert (event["actor"], event["onBehalfOf"], event["action"]) == ("admin", "alice", "create")


@pytest.mark.parametrize("verb,perm", [("post", 1), ("get", 2), ("put", 3), ("delete", 4)])
def test_delegate_needs_mgmt_api_on_behalf_of_and_the_operation_permission(
        client, admin, alice, make_user, custom_role, profile_body, verb, perm):
    pid = client.post(f"{PROFILES}?user=alice", headers=admin.basic,
                      json={**profile_body, "name": "Existing"}).json["id"]
    url = PROFILES + ("" if verb == "post" else f"/{pid}") + "?user=alice"
    kwargs = {"json": profile_body} if verb in {"post", "put"} else {}
    everything = {11, 21, 1, 2, 3, 4}
    for missing in (11, 21, perm):
        name = custom_role(f"without_{missing}", everything - {missing})
        account = make_user(f"d{missing}", roles_=(name,))
        response = getattr(client, verb)(url, headers=account.basic, **kwargs)
        assert response.status_code == 403, (missing, response.json)
        assert response.json["error"]["code"] == "222208103"
    delegate = make_user("delegate", roles_=(custom_role("delegate", everything),))
    response = getattr(client, verb)(url, headers=delegate.basic, **kwargs)
    assert response.status_code == {"post": 201, "get": 200, "put": 200, "delete": 204}[verb]


def test_created_on_behalf_by_a_delegate_belongs_to_the_named_user(
        client, admin, alice, make_user, profile_body):
    delegate = make_user("delegate", roles_=("Tenant Administrator",))
    response = client.post(f"{PROFILES}?user=alice", headers=delegate.basic, json=profile_body)
    assert response.status_code == 201
    assert [p["id"] for p in client.get(PROFILES, headers=alice.basic).json["profiles"]] == \
        [response.json["id"]]
    assert client.get(PROFILES, headers=delegate.basic).json["profiles"] == []


def test_plain_user_cannot_act_for_another(client, admin, alice, make_user, profile_body):
    make_user("bob")
    response = client.post(f"{PROFILES}?user=bob", headers=alice.basic, json=profile_body)
    assert response.status_code == 403
    assert client.get(f"{PROFILES}?user=bob", headers=alice.basic).status_code == 403
    # Naming oneself is no delegation at all.
    assert client.post(f"{PROFILES}?user=alice", headers=alice.basic, json=profile_body
                       ).status_code == 201


@pytest.mark.parametrize("url", [PROFILES, f"{PROFILES}/1", "/api/mgmt/oauthapps",
                                 "/api/mgmt/permissions"])
def test_unknown_user_is_404_with_hdp_code(client, admin, make_user, url):
    delegate = make_user("delegate", roles_=("Tenant Administrator",))
    for account in (admin, delegate):
        response = client.get(f"{url}?user=ghost", headers=account.basic)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "222207916"


def test_permissions_on_behalf(client, admin, alice, make_user):
    response = client.get("/api/mgmt/permissions?user=alice", headers=admin.basic)
    assert response.json == {"userId": alice.id, "permissions": list(range(1, 12))}
    assert client.get("/api/mgmt/permissions?user=admin", headers=alice.basic
                      ).status_code == 403


def test_an_empty_user_parameter_is_no_delegation(client, admin, alice, profile_body):
    response = client.post(f"{PROFILES}?user=", headers=alice.basic, json=profile_body)
    assert response.status_code == 201
    assert client.get(f"{PROFILES}?user=", headers=alice.basic).json["profiles"][0][
        "id"] == response.json["id"]


def test_acting_for_someone_more_powerful_is_refused(client, make_user, admin, google_app):
    # alice may act for others (User role + OnBehalfOf) but holds neither 12 nor 28.
    alice = make_user("alice_ob", permissions=[21])
    peer = make_user("peer")  # the same User role: alice holds all that peer holds
    client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
        "name": "AdminOwn", "oauthAppId": google_app, "refreshToken": "ADMIN-RT"})
    for url in ("/api/mgmt/oauthprofiles?user=admin", "/api/mgmt/oauthprofiles/1?user=admin"):
        response = client.get(url, headers=alice.basic)
        assert response.status_code == 403, url
        assert "ADMIN-RT" not in response.get_data(as_text=True)
    response = client.put("/api/mgmt/oauthprofiles/1?user=admin", headers=alice.basic,
                          json={"refreshToken": "hijacked"})
    assert response.status_code == 403
    assert client.get(f"/api/mgmt/oauthprofiles?user={peer.name}",
                      headers=alice.basic).status_code == 200
