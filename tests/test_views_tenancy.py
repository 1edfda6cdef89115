"""The pages of tenants, data sources and one's own account; the tenant shown on users and
applications; a child tenant's administrator sees nothing outside their tenant."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import APP_BODY, PASSWORD, basic
from tests.pages import field_error, flashes, login, submit
from tests.tenancy_setup import make_org
from webui.domain.account import WRONG_CURRENT
from webui.domain.rules import DATA_SOURCE_NAME_MESSAGE
from webui.domain.tenants import HAS_USERS

NEW_PASSWORD = "a-fresh-password-42"


@pytest.fixture
def as_admin(app, admin):
    browser = app.test_client()
    login(browser, admin)
    return browser


def _signed_in(app, account):
    browser = app.test_client()
    assert login(browser, account).status_code == 302
    return browser


def _soup(response):
    return BeautifulSoup(response.text, "html.parser")


def test_tenant_pages_create_edit_admins_delete(client, as_admin, admin, alice):
    page = _soup(as_admin.get("/tenants/new"))
    assert [b["value"] for b in page.select("#importedRoles input[checked]")] == ["2", "3"]
    response = submit(as_admin, "/tenants/new", name="OrgP", description="p",
                      importedRoles=["2", "3"], admins=str(alice.id))
    assert response.status_code == 302
    tenants = client.get("/api/admin/tenants", headers=admin.basic).json["tenants"]
    (org,) = [t for t in tenants if t["name"] == "OrgP"]
    assert client.get(f"/api/admin/tenants/{org['id']}/admins",
                      headers=admin.basic).json == {"admins": [alice.id]}
    roles = client.get("/api/admin/roles", headers=admin.basic).json["roles"]
    assert sorted(r["name"] for r in roles if r["tenantId"] == org["id"]) == [
        "Tenant Administrator", "User"]
    edit = f"/tenants/{org['id']}/edit"
    assert submit(as_admin, edit, "#tenant-form", name="OrgP2", active=None).status_code == 302
    assert client.get(f"/api/admin/tenants/{org['id']}", headers=admin.basic).json[
        "status"] == 0
    assert submit(as_admin, edit, "#admins-form", admins=None).status_code == 302
    assert client.get(f"/api/admin/tenants/{org['id']}/admins",
                      headers=admin.basic).json == {"admins": []}
    assert submit(as_admin, f"/tenants/{org['id']}/delete").status_code == 302
    names = [r.th.text.strip() for r in _soup(as_admin.get("/tenants")).select("tbody tr")]
    assert names == ["System"]


def test_tenant_delete_page_refuses_while_users_remain(client, as_admin, admin):
    org = make_org(client, admin, "OrgQ")
    response = submit(as_admin, f"/tenants/{org.id}/delete")
    assert response.status_code == 422 and HAS_USERS in flashes(response.text)


def test_tenant_form_shows_the_domain_error(as_admin):
    response = submit(as_admin, "/tenants/new", name="System")
    assert response.status_code == 422
    assert field_error(response.text, "name") == "A tenant with this name already exists."


def test_tenant_pages_need_tenant_api(app, client, admin, alice):
    browser = _signed_in(app, alice)
    assert "/tenants" not in [a["href"] for a in _soup(browser.get("/oauthprofiles"))
                              .select("nav a")]
    for url in ("/tenants", "/tenants/new", "/tenants/1/edit"):
        assert browser.get(url).status_code == 403, url


def test_tenant_shown_and_filter_on_users_and_applications(client, as_admin, admin):
    org = make_org(client, admin, "OrgR")
    client.post("/api/mgmt/oauthapps", headers=admin.basic,
                json={**APP_BODY, "name": "R_app", "tenantId": org.id})
    rows = _soup(as_admin.get(f"/users?tenantId={org.id}")).select("tbody tr")
    assert {r.th.text.strip(): r.select("td")[0].text for r in rows} == {
        "OrgR_admin": "OrgR", "OrgR_user": "OrgR"}
    assert "admin" in as_admin.get("/users").text
    role_rows = _soup(as_admin.get(f"/roles?tenantId={org.id}")).select("tbody tr")
    assert sorted((r.th.text.strip(), r.select("td")[0].text) for r in role_rows) == [
        ("Tenant Administrator", "OrgR"), ("User", "OrgR")]
    apps = _soup(as_admin.get(f"/oauthapps?tenantId={org.id}")).select("tbody tr")
    assert [(r.th.text.strip(), r.select("td")[0].text) for r in apps] == [("R_app", "OrgR")]


def test_child_tenant_administrator_sees_only_their_tenant_in_the_pages(app, client, admin,
                                                                        alice):
    a = make_org(client, admin, "OrgA")
    b = make_org(client, admin, "OrgB")
    browser = _signed_in(app, a.admin)
    names = {r.th.text.strip() for r in _soup(browser.get("/users")).select("tbody tr")}
    assert names == {"OrgA_admin", "OrgA_user"}
    for target in (b.user.id, alice.id, admin.id):
        assert browser.get(f"/users/{target}/edit").status_code == 404
        assert browser.get(f"/users/{target}/password").status_code == 404
    roles = {r.th.text.strip() for r in _soup(browser.get("/roles")).select("tbody tr")}
    assert roles == {"User", "Tenant Administrator"}  # OrgA's copies only
    assert browser.get(f"/roles/{b.user_role}/edit").status_code == 404
    assert browser.get("/roles/1/edit").status_code == 404
    response = submit(browser, "/acting", user=b.user.name)
    assert response.status_code == 404 or field_error(response.text, "user")
    assert submit(browser, "/acting", user=a.user.name).status_code == 302


def test_data_source_pages(app, client, alice, google_app):
    pid = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "P1", "oauthAppId": google_app, "refreshToken": "r"}).json["id"]
    browser = _signed_in(app, alice)
    form = _soup(browser.get("/datasources/new"))
    assert [o["value"] for o in form.select("#oauthProfileId option")] == ["", str(pid)]
    bad = submit(browser, "/datasources/new", name="9x", dataStore="54")
    assert bad.status_code == 422 and field_error(bad.text, "name") == DATA_SOURCE_NAME_MESSAGE
    mismatch = submit(browser, "/datasources/new", name="SF", dataStore="1",
                      oauthProfileId=str(pid))
    assert mismatch.status_code == 422
    assert field_error(mismatch.text, "oauthProfileId") == f"Invalid OAuthProfileId: {pid}"
    for name in ("GA-one", "GA-two"):
        response = submit(browser, "/datasources/new", name=name, dataStore="54",
                          oauthProfileId=str(pid), options="ViewId=12")
        assert response.status_code == 302, response.text
    sources = client.get("/api/mgmt/datasources", headers=alice.basic).json["dataSources"]
    first = client.get(f"/api/mgmt/datasources/{sources[0]['id']}", headers=alice.basic).json
    assert first["options"] == {"ViewId": "12", "OAuthProfileId": str(pid)}
    linked = _soup(browser.get(f"/oauthprofiles/{pid}"))
    assert [a.text for a in linked.select("#linked-data-sources a")] == ["GA-one", "GA-two"]
    warning = _soup(browser.get(f"/oauthprofiles/{pid}/delete")).select_one(".warning").text
    assert warning.startswith("2 data sources use this profile: GA-one, GA-two.")
    app_page = _soup(browser.get(f"/oauthapps/{google_app}"))
    assert [a.text for a in app_page.select("#used-by + .table-wrap tbody a")] == ["P1"]
    edit = f"/datasources/{sources[0]['id']}/edit"
    assert submit(browser, edit, oauthProfileId="").status_code == 302
    assert "OAuthProfileId" not in client.get(f"/api/mgmt/datasources/{sources[0]['id']}",
                                              headers=alice.basic).json["options"]
    assert submit(browser, f"/datasources/{sources[0]['id']}/delete").status_code == 302
    assert client.get(f"/api/mgmt/datasources/{sources[0]['id']}",
                      headers=alice.basic).status_code == 404


def test_data_source_pages_are_the_owners(app, client, admin, alice):
    made = client.post("/api/mgmt/datasources", headers=alice.basic,
                       json={"name": "mine", "dataStore": 54}).json["id"]
    browser = _signed_in(app, admin)
    assert browser.get(f"/datasources/{made}").status_code == 404
    assert submit(browser, "/acting", user="alice").status_code == 302
    assert browser.get(f"/datasources/{made}").status_code == 200


def test_my_account_changes_the_password_and_ends_other_sessions(app, client, alice):
    other = _signed_in(app, alice)
    browser = _signed_in(app, alice)
    assert "My account" in browser.get("/oauthprofiles").text
    wrong = submit(browser, "/account", currentPassword="nope", newPassword=NEW_PASSWORD)
    assert wrong.status_code == 422
    assert field_error(wrong.text, "currentPassword") == WRONG_CURRENT
    weak = submit(browser, "/account", currentPassword=PASSWORD, newPassword="short")
    assert weak.status_code == 422 and field_error(weak.text, "newPassword")
    done = submit(browser, "/account", currentPassword=PASSWORD, newPassword=NEW_PASSWORD)
    assert done.status_code == 302
    assert browser.get("/oauthprofiles").status_code == 200  # this session stays
    assert other.get("/oauthprofiles").status_code == 302  # the other one ended
    assert client.get("/api/mgmt/user", headers=basic("alice", PASSWORD)).status_code == 401
    assert client.get("/api/mgmt/user", headers=basic("alice", NEW_PASSWORD)).status_code == 200
    assert submit(browser, "/account", csrf_token=None, currentPassword=NEW_PASSWORD,
                  newPassword=PASSWORD).status_code == 400


def test_new_user_page_places_the_user_in_a_chosen_tenant(client, as_admin, admin):
    org = make_org(client, admin, "OrgS")
    page = _soup(as_admin.get("/users/new"))
    assert [o.text for o in page.select("#tenantId option")] == ["System", "OrgS"]
    labels = [lab.text for lab in page.select("#roles label")]
    assert "User (OrgS)" in labels and "User (System)" in labels
    response = submit(as_admin, "/users/new", userName="s_new", password=PASSWORD,
                      tenantId=str(org.id), roles=str(org.user_role))
    assert response.status_code == 302
    made = [u for u in client.get("/api/admin/users?name=s_new", headers=admin.basic)
            .json["users"]][0]
    assert made["tenantId"] == org.id and made["permissions"]["roles"] == [org.user_role]
    mixed = submit(as_admin, "/users/new", userName="s_bad", password=PASSWORD,
                   tenantId=str(org.id), roles="2")
    assert mixed.status_code == 422
