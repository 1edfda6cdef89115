"""/api/admin/roles and the permission catalogue through the test client."""
import pytest

from webui.domain import bootstrap, roles
from webui.domain.permissions import CATALOGUE

URL = "/api/admin/roles"
HDP_NAMES = {1: "CreateDataSource", 2: "ViewDataSource", 3: "ModifyDataSource",
             4: "DeleteDataSource", 5: "UseDataSourceWithJDBC", 6: "UseDataSourceWithODBC",
             7: "UseDataSourceWithOData", 8: "WebUI", 9: "ChangePassword", 10: "SQLEditorWebUI",
             11: "MgmtAPI", 12: "Administrator", 13: "CreateUsers", 14: "ViewUsers",
             15: "ModifyUsers", 16: "DeleteUsers", 17: "CreateRole", 18: "ViewRole",
             19: "ModifyRole", 20: "DeleteRole", 21: "OnBehalfOf", 25: "TenantAPI",
             27: "Limits", 28: "OAuth"}
ODATA = {"name": "ODataOnly", "tenantId": 1, "description": "This role allows only OData access.",
         "permissions": [7], "users": []}


def test_list_shape_and_default_roles(client, admin):
    response = client.get(URL, headers=admin.basic)
    assert response.status_code == 200
    roles = response.json["roles"]
    assert [(r["id"], r["name"]) for r in roles] == [
        (1, "Administrator"), (2, "User"), (3, "Tenant Administrator")]
    assert all(list(r) == ["id", "name", "tenantId", "description"] for r in roles)


def test_default_role_permissions(client, admin):
    perms = {rid: client.get(f"{URL}/{rid}", headers=admin.basic).json["permissions"]
             for rid in (1, 2, 3)}
    assert perms[1] == sorted(HDP_NAMES)
    assert perms[2] == list(range(1, 12))
    assert perms[3] == list(range(1, 12)) + list(range(13, 22))


def test_custom_role_crud(client, admin, alice):
    created = client.post(URL, headers=admin.basic, json={**ODATA, "users": [alice.id]})
    assert created.status_code == 201
    role = created.json
    assert role == {"id": role["id"], **ODATA, "users": [alice.id]}
    url = f"{URL}/{role['id']}"
    assert client.get(url, headers=admin.basic).json == role
    updated = client.put(url, headers=admin.basic, json={"description": "d", "permissions": [6, 7]})
    assert updated.status_code == 200
    assert updated.json["permissions"] == [6, 7] and updated.json["name"] == "ODataOnly"
    assert updated.json["users"] == [alice.id]
    # A role with users cannot be deleted.
    response = client.delete(url, headers=admin.basic)
    assert response.status_code == 409 and response.json["error"]["code"] == "222209003"
    client.put(url, headers=admin.basic, json={"users": []})
    response = client.delete(url, headers=admin.basic)
    assert response.status_code == 204 and response.data == b""
    assert client.get(url, headers=admin.basic).json["error"]["code"] == "222207924"


@pytest.mark.parametrize("role_id", [1, 2, 3])
def test_default_roles_are_not_deletable_and_only_their_users_change(client, admin, alice,
                                                                      role_id):
    url = f"{URL}/{role_id}"
    assert client.delete(url, headers=admin.basic).status_code == 409
    for change in ({"name": "Renamed"}, {"permissions": [1]}, {"description": "x"}):
        assert client.put(url, headers=admin.basic, json=change).status_code == 400
    members = client.get(url, headers=admin.basic).json["users"]
    new = sorted({*members, alice.id})
    response = client.put(url, headers=admin.basic, json={"users": new})
    assert response.status_code == 200 and response.json["users"] == new


def test_role_membership_change_takes_effect_at_once(client, admin, alice):
    assert client.get("/api/admin/users", headers=alice.basic).status_code == 403
    client.put(f"{URL}/3", headers=admin.basic, json={"users": [alice.id]})
    assert client.get("/api/admin/users", headers=alice.basic).status_code == 200
    role = client.post(URL, headers=admin.basic, json={**ODATA, "permissions": [14],
                                                      "users": []}).json
    client.put(f"{URL}/3", headers=admin.basic, json={"users": []})
    assert client.get("/api/admin/users", headers=alice.basic).status_code == 403
    client.put(f"{URL}/{role['id']}", headers=admin.basic, json={"users": [alice.id]})
    assert client.get("/api/admin/users", headers=alice.basic).status_code == 200
    client.put(f"{URL}/{role['id']}", headers=admin.basic, json={"permissions": [7]})
    assert client.get("/api/admin/users", headers=alice.basic).status_code == 403


def test_cannot_change_own_membership(client, admin, make_user):
    make_user("second", ("Administrator",))
    assert client.put(f"{URL}/1", headers=admin.basic, json={"users": []}).status_code == 403
    response = client.post(URL, headers=admin.basic, json={**ODATA, "users": [admin.id]})
    assert response.status_code == 403
    assert [r["name"] for r in client.get(URL, headers=admin.basic).json["roles"]] == [
        "Administrator", "User", "Tenant Administrator"]


def test_removing_the_last_administrator_through_a_role_is_409(app, client, make_user):
    with app.app_context():
        roles.create_role(bootstrap.SYSTEM, {"name": "Boss", "permissions": [11, 12],
                                                   "users": []})
    boss = make_user("boss", ("Boss",))
    (role,) = [r for r in client.get(URL, headers=boss.basic).json["roles"]
               if r["name"] == "Boss"]
    response = client.put(f"{URL}/{role['id']}", headers=boss.basic, json={"permissions": [11]})
    assert response.status_code == 409 and response.json["error"]["code"] == "222209003"
    assert client.get(f"{URL}/{role['id']}", headers=boss.basic).json["permissions"] == [11, 12]


def test_name_taken_is_409_and_required_keys(client, admin):
    assert client.post(URL, headers=admin.basic, json=ODATA).status_code == 201
    assert client.post(URL, headers=admin.basic, json=ODATA).status_code == 409
    assert client.post(URL, headers=admin.basic, json={**ODATA, "name": "User"}
                       ).status_code == 409
    for missing in ("name", "permissions", "users"):
        body = {k: v for k, v in {**ODATA, "name": "Other"}.items() if k != missing}
        response = client.post(URL, headers=admin.basic, json=body)
        assert response.status_code == 400, missing


@pytest.mark.parametrize("change", [{"permissions": [22]}, {"permissions": ["7"]},
                                    {"users": [999]}, {"name": ""}, {"name": "x" * 129},
                                    {"permissions": 7}])
def test_invalid_roles(client, admin, change):
    assert client.post(URL, headers=admin.basic, json={**ODATA, **change}).status_code == 400


def test_role_permissions_need_their_permissions(client, admin, alice, make_user):
    viewer = make_user("viewer", permissions=(18,))
    assert client.get(URL, headers=viewer.basic).status_code == 200
    assert client.get(f"{URL}/2", headers=viewer.basic).status_code == 200
    assert client.post(URL, headers=viewer.basic, json=ODATA).status_code == 403
    assert client.get(URL, headers=alice.basic).status_code == 403
    creator = make_user("creator", permissions=(17,))
    response = client.post(URL, headers=creator.basic, json={**ODATA, "permissions": [12]})
    assert response.status_code == 403  # cannot grant what they lack
    assert client.post(URL, headers=creator.basic, json=ODATA).status_code == 201


def test_unknown_role_is_404_with_hdp_code(client, admin):
    for response in (client.get(f"{URL}/1234", headers=admin.basic),
                     client.put(f"{URL}/1234", headers=admin.basic, json={}),
                     client.delete(f"{URL}/1234", headers=admin.basic)):
        assert response.status_code == 404
        assert response.json["error"] == {"code": "222207924", "message": {
            "lang": "en-US", "value": "There is no Role with that id: 1234"}}


def test_permission_catalogue(client, admin, alice):
    for account in (admin, alice):  # Administrator or MgmtAPI
        response = client.get("/api/admin/permissions", headers=account.basic)
        assert response.status_code == 200
        perms = response.json["permissions"]
        assert [p["id"] for p in perms] == list(range(1, 22)) + [25, 27, 28]
        assert {p["id"]: p["name"] for p in perms} == HDP_NAMES
        assert all(list(p) == ["id", "name", "description"] and p["description"]
                   for p in perms)
    one = client.get("/api/admin/permissions/21", headers=alice.basic)
    assert one.json == {"id": 21, "name": "OnBehalfOf", "description": CATALOGUE[21][1]}
    for missing in (22, 26, 29, 1000):
        response = client.get(f"/api/admin/permissions/{missing}", headers=admin.basic)
        assert response.status_code == 404
        assert response.json["error"] == {"code": "222208553", "message": {
            "lang": "en-US", "value": f"There is no Permission with that id: {missing}"}}


def test_catalogue_needs_mgmt_api_or_administrator(client, admin, make_user):
    role = client.post(URL, headers=admin.basic, json={**ODATA, "permissions": [1]}).json
    nobody = make_user("nobody", roles_=(role["name"],))
    assert client.get("/api/admin/permissions", headers=nobody.basic).status_code == 403


def test_roles_cannot_reach_accounts_beyond_the_actors_authority(client, make_user, admin):
    # A Tenant Administrator cannot change the grants of someone holding OAuth (28).
    tenant_admin = make_user("tadmin", ("Tenant Administrator",))
    role = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "Extra", "permissions": [1], "users": []}).json
    strong = make_user("strong", ("User",), permissions=[28])
    plain = make_user("plainer")
    url = f"/api/admin/roles/{role['id']}"
    assert client.put(url, headers=tenant_admin.basic,
                      json={"users": [strong.id]}).status_code == 403
    assert client.put(url, headers=admin.basic, json={"users": [strong.id]}).status_code == 200
    for body in ({"users": []}, {"permissions": [2]}):
        assert client.put(url, headers=tenant_admin.basic, json=body).status_code == 403
    assert client.get(url, headers=admin.basic).json["users"] == [strong.id]
    created = client.post("/api/admin/roles", headers=tenant_admin.basic, json={
        "name": "WithStrong", "permissions": [1], "users": [strong.id]})
    assert created.status_code == 403
    fine = client.post("/api/admin/roles", headers=tenant_admin.basic, json={
        "name": "WithPlain", "permissions": [1], "users": [plain.id]})
    assert fine.status_code == 201
