"""/api/admin/tenants: HDP's shapes; Administrator, or TenantAPI (25) with administrative
access; importedRoles copied with new ids; deleting refused while users remain."""
import pytest

from tests.tenancy_setup import TENANTS, USERS, make_member, make_org, make_tenant


def test_create_answers_hdp_shape_with_copied_roles(client, admin):
    body = make_tenant(client, admin, "OrgA", description="A", status=1)
    assert list(body) == ["id", "name", "description", "parentTenant", "status", "roles"]
    assert body["name"] == "OrgA" and body["parentTenant"] == 1 and body["status"] == 1
    assert len(body["roles"]) == 2 and not set(body["roles"]) & {1, 2, 3}
    copy = client.get(f"/api/admin/roles/{body['roles'][1]}", headers=admin.basic).json
    original = client.get("/api/admin/roles/3", headers=admin.basic).json
    assert copy["tenantId"] == body["id"] and copy["name"] == original["name"]
    assert copy["permissions"] == original["permissions"] and copy["users"] == []
    listed = client.get(TENANTS, headers=admin.basic).json
    assert listed == {"tenants": [{"id": 1, "name": "System"},
                                  {"id": body["id"], "name": "OrgA"}]}
    one = client.get(f"{TENANTS}/{body['id']}", headers=admin.basic).json
    assert one == {"id": body["id"], "name": "OrgA", "description": "A",
                   "parentTenant": 1, "status": 1}


def test_rules_of_the_body(client, admin):
    make_tenant(client, admin, "Taken")
    for body, field_code in (({"name": "X", "parentTenant": 2}, "222209000"),
                             ({"name": "X"}, "222209000"),
                             ({"name": "X", "parentTenant": 1, "importedRoles": [999]},
                              "222207924"),
                             ({"name": "X", "parentTenant": 1, "admins": [999]}, "222207916")):
        response = client.post(TENANTS, headers=admin.basic, json=body)
        assert response.status_code == 400, body
        assert response.json["error"]["code"] == field_code
    taken = client.post(TENANTS, headers=admin.basic, json={"name": "Taken", "parentTenant": 1})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "222209002"


def test_update_and_admins(client, admin, make_user):
    tenant = make_tenant(client, admin, "OrgB")
    url = f"{TENANTS}/{tenant['id']}"
    response = client.put(url, headers=admin.basic, json={"name": "OrgB2", "status": 0})
    assert response.status_code == 200
    assert response.json["name"] == "OrgB2" and response.json["status"] == 0
    assert client.put(url, headers=admin.basic, json={"name": "X"}).status_code == 400
    assert client.put(f"{TENANTS}/1", headers=admin.basic,
                      json={"name": "S", "status": 1}).status_code == 409
    sys_user = make_user("sysop")
    assert client.put(f"{url}/admins", headers=admin.basic,
                      json={"admins": [sys_user.id]}).json == {"admins": [sys_user.id]}
    assert client.get(f"{url}/admins", headers=admin.basic).json == {"admins": [sys_user.id]}
    other = make_org(client, admin, "OrgC")
    refused = client.put(f"{url}/admins", headers=admin.basic, json={"admins": [other.user.id]})
    assert refused.status_code == 400  # admins live in the system tenant or in that tenant


def test_delete_refused_while_users_remain(client, admin):
    org = make_org(client, admin, "OrgD")
    url = f"{TENANTS}/{org.id}"
    refused = client.delete(url, headers=admin.basic)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "222209003"
    for account in (org.user, org.admin):
        assert client.delete(f"{USERS}/{account.id}", headers=admin.basic).status_code == 204
    assert client.delete(url, headers=admin.basic).status_code == 204
    gone = client.get(url, headers=admin.basic)
    assert gone.status_code == 404 and gone.json["error"]["code"] == "222208573"
    assert client.get(f"/api/admin/roles/{org.user_role}", headers=admin.basic).status_code == 404
    assert client.delete(f"{TENANTS}/1", headers=admin.basic).status_code == 409


def test_tenant_api_needs_administrator_or_tenant_api(client, admin, make_user):
    tenant = make_tenant(client, admin, "OrgE")
    plain = make_user("plain", ("Tenant Administrator",))
    for method, url in (("get", TENANTS), ("post", TENANTS), ("get", f"{TENANTS}/1"),
                        ("put", f"{TENANTS}/{tenant['id']}"),
                        ("delete", f"{TENANTS}/{tenant['id']}"),
                        ("get", f"{TENANTS}/{tenant['id']}/admins"),
                        ("put", f"{TENANTS}/{tenant['id']}/admins")):
        response = client.open(url, method=method.upper(), headers=plain.basic,
                               json={"name": "Y", "parentTenant": 1, "status": 1,
                                     "admins": []})
        assert response.status_code == 403, (method, url)
        assert response.json["error"]["code"] == "222208103"


def test_tenant_api_holder_sees_and_changes_only_what_they_administer(client, admin,
                                                                      make_user):
    operator = make_user("operator", ("Tenant Administrator",), permissions=(25,))
    foreign = make_tenant(client, admin, "Foreign")
    # Created by the operator: administrative access as its creator.
    own = client.post(TENANTS, headers=operator.basic,
                      json={"name": "Mine", "parentTenant": 1, "importedRoles": [2]})
    assert own.status_code == 201, own.json
    names = [t["name"] for t in client.get(TENANTS, headers=operator.basic).json["tenants"]]
    assert names == ["System", "Mine"]
    assert client.get(f"{TENANTS}/{foreign['id']}", headers=operator.basic).status_code == 404
    assert client.put(f"{TENANTS}/{foreign['id']}", headers=operator.basic,
                      json={"name": "Z", "status": 1}).status_code == 404
    assert client.put(f"{TENANTS}/{own.json['id']}", headers=operator.basic,
                      json={"name": "Mine2", "status": 1}).status_code == 200
    # Listed as an admin: access to that tenant too.
    client.put(f"{TENANTS}/{foreign['id']}/admins", headers=admin.basic,
               json={"admins": [operator.id]})
    assert client.get(f"{TENANTS}/{foreign['id']}", headers=operator.basic).status_code == 200
    # Importing a role holding permissions the operator lacks would be a way up.
    up = client.post(TENANTS, headers=operator.basic,
                     json={"name": "Up", "parentTenant": 1, "importedRoles": [1]})
    assert up.status_code == 403


def test_child_tenant_users_create_no_tenants(client, admin):
    org = make_org(client, admin, "OrgF")
    member = make_member(client, admin, org.id, "orgf_ops", [org.admin_role], (25,))
    response = client.post(TENANTS, headers=member.basic, json={"name": "N", "parentTenant": 1})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["", "/1", "/1/admins"])
def test_unauthenticated_is_401(client, path):
    assert client.get(TENANTS + path).status_code == 401


def test_an_inactive_tenant_signs_its_users_out(client, admin):
    org = make_org(client, admin, "OrgG")
    url = f"{TENANTS}/{org.id}"
    assert client.get("/api/mgmt/user", headers=org.user.basic).status_code == 200
    client.put(url, headers=admin.basic, json={"name": "OrgG", "status": 0})
    refused = client.get("/api/mgmt/user", headers=org.user.basic)
    assert refused.status_code == 401 and refused.json["error"]["code"] == "222209001"
    client.put(url, headers=admin.basic, json={"name": "OrgG", "status": 1})
    assert client.get("/api/mgmt/user", headers=org.user.basic).status_code == 200
