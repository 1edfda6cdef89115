"""/api/admin/users through the test client."""
import pytest

from tests.conftest import PASSWORD, basic
from webui.domain import schemas

URL = "/api/admin/users"


def new_user(name="bob", roles=(2,), permissions=(), status=1, password=PASSWORD):
    return {"userName": name, "statusInfo": {"status": status, "accountLocked": False},
            "passwordInfo": {"password": password, "passwordStatus": 1,
                             "passwordExpiration": None},
            "permissions": {"roles": list(roles), "permissions": list(permissions)}}


def test_create_returns_hdp_user_object_without_password(client, admin):
    response = client.post(URL, headers=admin.basic, json=new_user(permissions=(28,)))
    assert response.status_code == 201
    body = response.json
    assert list(body) == ["id", "userName", "tenantId", "statusInfo", "passwordInfo",
                          "permissions", "authenticationInfo"]
    assert body["userName"] == "bob" and body["tenantId"] == 1
    assert body["statusInfo"] == {"status": 1, "accountLocked": False}
    assert "password" not in body["passwordInfo"]
    assert body["permissions"] == {"roles": [2], "permissions": [28]}
    assert body["authenticationInfo"] == {"authUsers": [{"authUserName": "bob",
                                                         "authServiceId": 1}]}
    assert PASSWORD not in response.get_data(as_text=True)
    one = client.get(f"{URL}/{body['id']}", headers=admin.basic)
    assert one.json == body
    listed = client.get(URL, headers=admin.basic).json["users"]
    assert [u["userName"] for u in listed] == ["admin", "bob"]
    assert PASSWORD not in client.get(URL, headers=admin.basic).get_data(as_text=True)


@pytest.mark.parametrize("change,field", [
    ({"userName": "x" * 129}, "userName"), ({"userName": ""}, "userName"),
    ({"userName": "has:colon"}, "userName"), ({"userName": 5}, "userName"),
    ({"statusInfo": {"status": 2}}, "statusInfo"), ({"statusInfo": {"status": True}}, "statusInfo"),
    ({"passwordInfo": {"password": "short"}}, "passwordInfo"),
    ({"passwordInfo": {"password": "password1234"}}, "passwordInfo"),
    ({"permissions": {"roles": []}}, "permissions"),
    ({"permissions": {"roles": [999]}}, "permissions"),
    ({"permissions": {"roles": ["2"]}}, "permissions"),
    ({"permissions": {"roles": [2], "permissions": [22]}}, "permissions"),
])
def test_invalid_users_are_400(client, admin, change, field):
    response = client.post(URL, headers=admin.basic, json={**new_user(), **change})
    assert response.status_code == 400, response.json
    assert client.get(URL, headers=admin.basic).json["users"][-1]["userName"] == "admin"


@pytest.mark.parametrize("missing", ["userName", "statusInfo", "passwordInfo", "permissions"])
def test_required_fields(client, admin, missing):
    body = new_user()
    del body[missing]
    response = client.post(URL, headers=admin.basic, json=body)
    assert response.status_code == 400
    assert response.json["error"]["message"]["value"] == schemas.missing(missing)


def test_user_name_taken_is_409(client, admin, alice):
    response = client.post(URL, headers=admin.basic, json=new_user("alice"))
    assert response.status_code == 409


def test_unknown_user_is_404_with_hdp_code(client, admin):
    for response in (client.get(f"{URL}/123", headers=admin.basic),
                     client.put(f"{URL}/123", headers=admin.basic, json={}),
                     client.delete(f"{URL}/123", headers=admin.basic),
                     client.put(f"{URL}/123/resetpassword", headers=admin.basic,
                                json={"newPassword": "another-pass-987"})):
        assert response.status_code == 404
        assert response.json["error"] == {"code": "222207916", "message": {
            "lang": "en-US", "value": "There is no User with that id: 123."}}


def test_inactive_user_cannot_authenticate(client, admin, make_user):
    sleeper = make_user("sleeper", active=False)
    response = client.get("/api/mgmt/user", headers=sleeper.basic)
    assert response.status_code == 401 and "Basic" in response.headers["WWW-Authenticate"]


def test_deactivation_and_reset_take_effect_on_the_next_request(client, admin, alice):
    url = "/api/mgmt/oauthprofiles"
    assert client.get(url, headers=alice.basic).status_code == 200  # now cached
    response = client.put(f"{URL}/{alice.id}/resetpassword", headers=admin.basic,
                          json={"newPassword": "brand-new-secret-42"})
    assert response.status_code == 204 and response.data == b""
    assert client.get(url, headers=alice.basic).status_code == 401
    fresh = basic("alice", "brand-new-secret-42")
    assert client.get(url, headers=fresh).status_code == 200
    client.put(f"{URL}/{alice.id}", headers=admin.basic, json={"statusInfo": {"status": 0}})
    assert client.get(url, headers=fresh).status_code == 401
    client.put(f"{URL}/{alice.id}", headers=admin.basic, json={"statusInfo": {"status": 1}})
    assert client.get(url, headers=fresh).status_code == 200


def test_role_change_takes_effect_on_the_next_request(client, admin, alice):
    assert client.get(URL, headers=alice.basic).status_code == 403
    client.put(f"{URL}/{alice.id}", headers=admin.basic,
               json={"permissions": {"roles": [3]}})
    assert client.get(URL, headers=alice.basic).status_code == 200
    client.put(f"{URL}/{alice.id}", headers=admin.basic,
               json={"permissions": {"roles": [2]}})
    assert client.get(URL, headers=alice.basic).status_code == 403
    assert client.get("/api/mgmt/permissions", headers=alice.basic).json["permissions"] == \
        list(range(1, 12))


def test_a_deleted_user_name_reused_does_not_inherit_the_old_grants(client, admin, make_user):
    boss = make_user("boss", ("Administrator",))
    assert client.get(URL, headers=boss.basic).status_code == 200  # cached as Administrator
    assert client.delete(f"{URL}/{boss.id}", headers=admin.basic).status_code == 204
    response = client.post(URL, headers=admin.basic, json=new_user("boss", roles=(2,)))
    assert response.status_code == 201
    assert client.get(URL, headers=boss.basic).status_code == 403
    assert client.get("/api/mgmt/user", headers=boss.basic).json["userId"] == response.json["id"]


def test_cannot_delete_or_deactivate_the_last_active_administrator(client, admin, make_user):
    tenant_admin = make_user("tadmin", ("Tenant Administrator",))
    response = client.delete(f"{URL}/{admin.id}", headers=tenant_admin.basic)
    assert response.status_code == 403  # not theirs to touch (and it is the last one)
    response = client.put(f"{URL}/{admin.id}", headers=admin.basic,
                          json={"statusInfo": {"status": 0}})
    assert response.status_code == 409 and response.json["error"]["code"] == "222209003"
    assert client.get("/api/mgmt/user", headers=admin.basic).status_code == 200
    second = make_user("second", ("Administrator",))
    assert client.put(f"{URL}/{admin.id}", headers=second.basic,
                      json={"statusInfo": {"status": 0}}).status_code == 200
    response = client.delete(f"{URL}/{second.id}", headers=second.basic)
    assert response.status_code == 409  # own account, and the last active one


def test_cannot_change_own_roles(client, admin, make_user):
    make_user("second", ("Administrator",))
    response = client.put(f"{URL}/{admin.id}", headers=admin.basic,
                          json={"permissions": {"roles": [1, 3]}})
    assert response.status_code == 403
    assert client.get(f"{URL}/{admin.id}", headers=admin.basic).json[
        "permissions"]["roles"] == [1]


def test_non_admin_cannot_grant_what_they_lack(client, admin, make_user):
    tadmin = make_user("tadmin", ("Tenant Administrator",))
    for body in (new_user(roles=(1,)), new_user(roles=(2,), permissions=(28,))):
        response = client.post(URL, headers=tadmin.basic, json=body)
        assert response.status_code == 403, body
    assert client.post(URL, headers=tadmin.basic, json=new_user(roles=(2,), permissions=(21,))
                       ).status_code == 201


def test_non_admin_cannot_take_over_a_more_powerful_account(client, admin, make_user):
    tadmin = make_user("tadmin", ("Tenant Administrator",))
    for response in (
            client.put(f"{URL}/{admin.id}/resetpassword", headers=tadmin.basic,
                       json={"newPassword": "taken-over-1234"}),
            client.put(f"{URL}/{admin.id}", headers=tadmin.basic,
                       json={"permissions": {"roles": [2]}}),
            client.put(f"{URL}/{admin.id}", headers=tadmin.basic, json={"userName": "x"})):
        assert response.status_code == 403
    assert client.get("/api/mgmt/user", headers=admin.basic).json["userName"] == "admin"


def test_user_admin_permissions(client, admin, alice, make_user):
    viewer = make_user("viewer", permissions=(14,))
    assert client.get(URL, headers=viewer.basic).status_code == 200
    assert client.get(f"{URL}/{alice.id}", headers=viewer.basic).status_code == 200
    for response in (client.post(URL, headers=viewer.basic, json=new_user()),
                     client.put(f"{URL}/{alice.id}", headers=viewer.basic, json={}),
                     client.delete(f"{URL}/{alice.id}", headers=viewer.basic),
                     client.get(URL, headers=alice.basic)):
        assert response.status_code == 403


def test_delete_user_deletes_their_profiles(client, admin, alice, google_app):
    body = {"name": "p", "oauthAppId": google_app, "refreshToken": "r"}
    assert client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json=body
                       ).status_code == 201
    assert client.delete(f"{URL}/{alice.id}", headers=admin.basic).status_code == 204
    assert client.get(f"{URL}/{alice.id}", headers=admin.basic).status_code == 404
    assert client.get("/api/mgmt/oauthprofiles", headers=alice.basic).status_code == 401
