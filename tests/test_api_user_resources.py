"""HDP's user sub-resources (statusinfo, passwordinfo, permissions, tenantsadministered) and
changing one's own password (/api/admin/userdetails/changePassword)."""
import pytest

from tests.conftest import PASSWORD, basic

USERS = "/api/admin/users"
CHANGE = "/api/admin/userdetails/changePassword"
NEW_PASSWORD = "a-fresh-password-42"


def test_shapes(client, admin, alice):
    base = f"{USERS}/{alice.id}"
    assert client.get(f"{base}/statusinfo", headers=admin.basic).json == {
        "status": 1, "accountLocked": False}
    info = client.get(f"{base}/passwordinfo", headers=admin.basic).json
    assert info == {"passwordStatus": 1, "passwordExpiration": None}
    assert client.get(f"{base}/permissions", headers=admin.basic).json == {
        "roles": [2], "permissions": []}
    assert client.get(f"{base}/tenantsadministered", headers=admin.basic).json == {
        "tenantsAdministered": []}


def test_changes(client, admin, alice):
    base = f"{USERS}/{alice.id}"
    off = client.put(f"{base}/statusinfo", headers=admin.basic, json={"status": 0})
    assert off.status_code == 200 and off.json["status"] == 0
    assert client.get("/api/mgmt/user", headers=alice.basic).status_code == 401
    client.put(f"{base}/statusinfo", headers=admin.basic, json={"status": 1})
    grants = client.put(f"{base}/permissions", headers=admin.basic,
                        json={"roles": [2], "permissions": [21]})
    assert grants.json == {"roles": [2], "permissions": [21]}
    reset = client.put(f"{base}/passwordinfo", headers=admin.basic, json={"passwordStatus": 2})
    assert reset.json == {"passwordStatus": 2, "passwordExpiration": None}
    for body in ({"passwordStatus": 1, "password": "x" * 20}, {"passwordStatus": 3},
                 {"passwordStatus": 1, "passwordExpiration": "2030-01-01 00:00:00"}):
        assert client.put(f"{base}/passwordinfo", headers=admin.basic,
                          json=body).status_code == 400, body
    assert "password" not in client.get(f"{base}/passwordinfo", headers=admin.basic).json


@pytest.mark.parametrize("part,body", [
    ("statusinfo", {"status": 1}), ("passwordinfo", {"passwordStatus": 1}),
    ("permissions", {"roles": [2]})])
def test_view_users_reads_and_modify_users_changes(client, make_user, alice, part, body):
    url = f"{USERS}/{alice.id}/{part}"
    viewer = make_user("viewer", permissions=(14,))
    modifier = make_user("modifier", permissions=(14, 15))
    nobody = make_user("nobody")
    assert client.get(url, headers=viewer.basic).status_code == 200
    assert client.get(url, headers=nobody.basic).status_code == 403
    assert client.put(url, headers=viewer.basic, json=body).status_code == 403
    assert client.put(url, headers=modifier.basic, json=body).status_code == 200


def test_tenants_administered_needs_tenant_api_and_modify_users(client, admin, make_user,
                                                                alice):
    tenant = client.post("/api/admin/tenants", headers=admin.basic,
                         json={"name": "T", "parentTenant": 1}).json["id"]
    url = f"{USERS}/{alice.id}/tenantsadministered"
    only_15 = make_user("only15", permissions=(14, 15))
    only_25 = make_user("only25", permissions=(14, 25))
    both = make_user("both", permissions=(14, 15, 25))
    body = {"tenantsAdministered": [tenant]}
    assert client.put(url, headers=only_15.basic, json=body).status_code == 403
    assert client.put(url, headers=only_25.basic, json=body).status_code == 403
    # Both permissions, but no administrative access on the tenant named.
    refused = client.put(url, headers=both.basic, json=body)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "222208573"
    client.put(f"/api/admin/tenants/{tenant}/admins", headers=admin.basic,
               json={"admins": [both.id]})
    assert client.put(url, headers=both.basic, json=body).json == body
    assert client.get(f"/api/admin/tenants/{tenant}/admins", headers=admin.basic).json == {
        "admins": sorted([both.id, alice.id])}


def test_change_own_password(client, alice, make_user):
    wrong = client.put(CHANGE, headers=alice.basic,
                       json={"currentPassword": "nope", "newPassword": NEW_PASSWORD})
    assert wrong.status_code == 400 and wrong.json["error"]["code"] == "222209000"
    weak = client.put(CHANGE, headers=alice.basic,
                      json={"currentPassword": PASSWORD, "newPassword": "short"})
    assert weak.status_code == 400
    done = client.put(CHANGE, headers=alice.basic,
                      json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
    assert done.status_code == 200
    assert done.json == {"passwordStatus": 1, "passwordExpiration": None}
    assert client.get("/api/mgmt/user", headers=alice.basic).status_code == 401
    assert client.get("/api/mgmt/user",
                      headers=basic("alice", NEW_PASSWORD)).status_code == 200


def test_change_own_password_needs_change_password(client, admin, make_user):
    role = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "NoChange", "permissions": [8, 11], "users": []}).json["id"]
    user = client.post(USERS, headers=admin.basic, json={
        "userName": "locked", "statusInfo": {"status": 1},
        "passwordInfo": {"password": PASSWORD}, "permissions": {"roles": [role]}}).json
    response = client.put(CHANGE, headers=basic("locked", PASSWORD),
                          json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
    assert response.status_code == 403 and response.json["error"]["code"] == "222208103"
    assert user["id"]
