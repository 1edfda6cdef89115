"""Administrative access (tenancy.py): a child tenant's administrator reads, changes and acts
on nothing outside their tenant; applications follow HDP 6.4-6.5."""
import pytest

from tests.conftest import APP_BODY
from tests.tenancy_setup import USERS, make_member, make_org

APPS = "/api/mgmt/oauthapps"
PROFILES = "/api/mgmt/oauthprofiles"


@pytest.fixture
def orgs(client, admin):
    return make_org(client, admin, "OrgA"), make_org(client, admin, "OrgB")


def _ids(response, key):
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json[key]}


def test_users_and_roles_of_another_tenant_do_not_exist(client, admin, alice, orgs):
    a, b = orgs
    assert _ids(client.get(USERS, headers=a.admin.basic), "users") == {a.admin.id, a.user.id}
    assert _ids(client.get("/api/admin/roles", headers=a.admin.basic), "roles") == {
        a.user_role, a.admin_role}
    for target in (b.user.id, alice.id, admin.id):
        for method in ("GET", "PUT", "DELETE"):
            response = client.open(f"{USERS}/{target}", method=method, headers=a.admin.basic,
                                   json={"statusInfo": {"status": 0}})
            assert response.status_code == 404, (target, method)
            assert response.json["error"]["code"] == "222207916"
        for sub, body in (("statusinfo", {"status": 0}), ("passwordinfo", {"passwordStatus": 2}),
                          ("permissions", {"roles": [a.user_role]}),
                          ("tenantsadministered", {"tenantsAdministered": []})):
            assert client.get(f"{USERS}/{target}/{sub}",
                              headers=a.admin.basic).status_code == 404
            if sub != "tenantsadministered":  # that one needs TenantAPI (25) first: 403
                assert client.put(f"{USERS}/{target}/{sub}", headers=a.admin.basic,
                                  json=body).status_code == 404
    assert client.get(f"/api/admin/roles/{b.user_role}", headers=a.admin.basic).status_code == 404
    # Own tenant: managed.
    assert client.put(f"{USERS}/{a.user.id}", headers=a.admin.basic,
                      json={"statusInfo": {"status": 0}}).status_code == 200


def test_creating_elsewhere_is_refused(client, admin, orgs):
    a, b = orgs
    for tenant_id, roles in ((b.id, [b.user_role]), (1, [2])):
        response = client.post(USERS, headers=a.admin.basic, json={
            "userName": f"intruder{tenant_id}", "tenantId": tenant_id,
            "statusInfo": {"status": 1}, "passwordInfo": {"password": "x" * 16},
            "permissions": {"roles": roles}})
        assert response.status_code == 400 and response.json["error"]["code"] == "222209000"
    created = make_member(client, a.admin, a.id, "a_new", [a.user_role])
    assert client.get(f"{USERS}/{created.id}", headers=admin.basic).json["tenantId"] == a.id


def test_an_unlisted_child_tenant_administrator_administers_nothing(client, admin, orgs):
    a, _ = orgs
    unlisted = make_member(client, admin, a.id, "a_unlisted", [a.admin_role])
    assert _ids(client.get(USERS, headers=unlisted.basic), "users") == set()
    assert client.get(f"{USERS}/{a.user.id}", headers=unlisted.basic).status_code == 404


def test_on_behalf_only_in_administered_tenants(client, admin, alice, orgs, google_app):
    a, b = orgs
    body = {"name": "P1", "oauthAppId": google_app, "refreshToken": "r"}
    ok = client.post(f"{PROFILES}?user={a.user.name}", headers=a.admin.basic, json=body)
    assert ok.status_code == 201, ok.json
    for name in (b.user.name, alice.name):
        response = client.get(f"{PROFILES}?user={name}", headers=a.admin.basic)
        assert response.status_code == 404 and response.json["error"]["code"] == "222207916"
    # The Administrator acts for anyone.
    assert client.get(f"{PROFILES}?user={b.user.name}", headers=admin.basic).status_code == 200


def test_applications_visibility_and_use(client, admin, orgs, google_app):
    a, b = orgs
    a_app = client.post(APPS, headers=a.admin.basic, json={**APP_BODY, "name": "A_app"})
    assert a_app.status_code == 201 and a_app.json["tenantId"] == a.id
    a_app = a_app.json["id"]
    b_app = client.post(APPS, headers=admin.basic,
                        json={**APP_BODY, "name": "B_app", "tenantId": b.id}).json["id"]
    # A's users use the system application and A's, never B's.
    assert _ids(client.get(APPS, headers=a.user.basic), "applications") == {google_app, a_app}
    assert _ids(client.get(APPS, headers=b.user.basic), "applications") == {google_app, b_app}
    assert client.get(f"{APPS}/{b_app}", headers=a.user.basic).status_code == 404
    refused = client.post(PROFILES, headers=a.user.basic,
                          json={"name": "X", "oauthAppId": b_app, "refreshToken": "r"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "222207711"
    # The system tenant's users use only system applications for themselves.
    assert _ids(client.get(APPS, headers=admin.basic), "applications") == {google_app}
    # A child tenant's manager manages only their own tenant's applications.
    assert client.put(f"{APPS}/{google_app}", headers=a.admin.basic,
                      json={"description": "x"}).status_code == 404
    assert client.delete(f"{APPS}/{b_app}", headers=a.admin.basic).status_code == 404
    elsewhere = client.post(APPS, headers=a.admin.basic,
                            json={**APP_BODY, "name": "Else", "tenantId": b.id})
    assert elsewhere.status_code == 400


def test_application_list_filters(client, admin, make_user, orgs, google_app):
    a, b = orgs
    b_app = client.post(APPS, headers=admin.basic,
                        json={**APP_BODY, "name": "B_app", "tenantId": b.id}).json["id"]
    assert _ids(client.get(f"{APPS}?tenantId={b.id}", headers=admin.basic),
                "applications") == {b_app}
    assert _ids(client.get(f"{APPS}?tenantName=OrgB", headers=admin.basic),
                "applications") == {b_app}
    assert _ids(client.get(f"{APPS}?tenantId=1", headers=a.user.basic),
                "applications") == {google_app}
    for query in (f"tenantId={b.id}", "tenantName=OrgB", "tenantId=999", "tenantName=Nope"):
        response = client.get(f"{APPS}?{query}", headers=a.admin.basic)
        assert response.status_code == 404, query
        assert response.json["error"]["code"] == "222208573"
    assert client.get(f"{APPS}?tenantId=x", headers=admin.basic).status_code == 400
    # A system-tenant manager listed as B's admin sees, and manages, B's applications.
    manager = make_user("manager", ("User",), permissions=(28,))
    client.put(f"/api/admin/tenants/{b.id}/admins", headers=admin.basic,
               json={"admins": [manager.id]})
    assert _ids(client.get(f"{APPS}?tenantId={b.id}", headers=manager.basic),
                "applications") == {b_app}
    assert client.put(f"{APPS}/{b_app}", headers=manager.basic,
                      json={"description": "managed"}).status_code == 200
    made = client.post(APPS, headers=manager.basic,
                       json={**APP_BODY, "name": "ForB", "tenantId": b.id})
    assert made.status_code == 201 and made.json["tenantId"] == b.id
    assert client.post(APPS, headers=manager.basic, json={
        **APP_BODY, "name": "ForA", "tenantId": a.id}).status_code == 400


def test_tenants_administered(client, admin, make_user, orgs):
    a, b = orgs
    sysop = make_user("sysop", ("Tenant Administrator",), permissions=(25,))
    url = f"{USERS}/{sysop.id}/tenantsadministered"
    assert client.put(url, headers=admin.basic,
                      json={"tenantsAdministered": [a.id, b.id]}).json == {
        "tenantsAdministered": sorted([a.id, b.id])}
    assert client.get(url, headers=admin.basic).json == {
        "tenantsAdministered": sorted([a.id, b.id])}
    assert _ids(client.get(USERS, headers=sysop.basic), "users") >= {a.user.id, b.user.id}
    # A child tenant's user administers only their own tenant.
    own = f"{USERS}/{a.user.id}/tenantsadministered"
    assert client.put(own, headers=admin.basic,
                      json={"tenantsAdministered": [b.id]}).status_code == 400
    assert client.put(own, headers=admin.basic,
                      json={"tenantsAdministered": [a.id]}).status_code == 200
    # Needs TenantAPI (25) + ModifyUsers (15) for a non-Administrator.
    assert client.put(f"{USERS}/{a.user.id}/tenantsadministered", headers=a.admin.basic,
                      json={"tenantsAdministered": []}).status_code == 403
    unknown = client.put(url, headers=admin.basic, json={"tenantsAdministered": [999]})
    assert unknown.status_code == 400 and unknown.json["error"]["code"] == "222208573"


def test_role_list_filters(client, admin, orgs):
    a, b = orgs
    assert _ids(client.get(f"/api/admin/roles?tenantId={b.id}", headers=admin.basic),
                "roles") == {b.user_role, b.admin_role}
    assert _ids(client.get("/api/admin/roles?tenantName=OrgA", headers=admin.basic),
                "roles") == {a.user_role, a.admin_role}
    # Another tenant's roles stay out of sight, filter or not.
    assert _ids(client.get(f"/api/admin/roles?tenantId={b.id}", headers=a.admin.basic),
                "roles") == set()
    missing = client.get("/api/admin/roles?tenantName=Nope", headers=admin.basic)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "222208573"


def test_data_sources_on_behalf_only_in_administered_tenants(client, admin, orgs):
    a, b = orgs
    sources = "/api/mgmt/datasources"
    made = client.post(f"{sources}?user={b.user.name}", headers=admin.basic,
                       json={"name": "b-source", "dataStore": 54})
    assert made.status_code == 201
    refused = client.get(f"{sources}?user={b.user.name}", headers=a.admin.basic)
    assert refused.status_code == 404 and refused.json["error"]["code"] == "222207916"
    assert client.get(f"{sources}/{made.json['id']}", headers=a.admin.basic).status_code == 404
    own = client.post(f"{sources}?user={a.user.name}", headers=a.admin.basic,
                      json={"name": "a-source", "dataStore": 54})
    assert own.status_code == 201
    assert [d["name"] for d in client.get(sources, headers=a.user.basic).json[
        "dataSources"]] == ["a-source"]
