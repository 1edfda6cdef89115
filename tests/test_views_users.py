"""User and role administration pages, and acting on behalf of a user."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import PASSWORD, basic
from tests.pages import (error_summary, field_error, flashes, hint, label_text, login, submit,
                         whose)
from webui.domain.grants import LAST_ADMIN
from webui.domain.permissions import CATALOGUE, Permission
from webui.domain.roles import NAME_TAKEN as ROLE_TAKEN
from webui.domain.users import NAME_TAKEN as USER_TAKEN

NEW_PASSWORD = "a-fresh-password-42"


@pytest.fixture
def as_admin(client, admin):
    login(client, admin)
    return client


def _role_id(client, name: str) -> str:
    soup = BeautifulSoup(client.get("/users/new").text, "html.parser")
    label = soup.find("label", string=name)
    return soup.select_one(f"#{label['for']}")["value"]


def test_permission_checkboxes_carry_hdp_names_and_numbers(as_admin):
    soup = BeautifulSoup(as_admin.get("/users/new").text, "html.parser")
    labels = [lab.text for lab in soup.select("#permissions label")]
    assert "CreateDataSource (1)" in labels and "OnBehalfOf (21)" in labels
    box = soup.select_one("#permissions-12")
    assert box["name"] == "permissions" and box["value"] == "12"
    assert soup.select_one("label[for=permissions-12]").text == "Administrator (12)"


def test_create_user_with_roles_and_permissions(as_admin, admin):
    response = submit(as_admin, "/users/new", userName="carol", password=PASSWORD,
                      roles=_role_id(as_admin, "User"), permissions=["21", "28"])
    assert response.status_code == 302
    assert "User carol created." in flashes(as_admin.get(response.headers["Location"]).text)
    me = as_admin.get("/api/mgmt/user", headers=basic("carol", PASSWORD))
    assert me.status_code == 200, me.json
    users = as_admin.get("/api/admin/users", headers=admin.basic).json["users"]
    carol = next(u for u in users if u["userName"] == "carol")
    assert carol["permissions"]["permissions"] == [21, 28]


def test_user_form_errors(as_admin, alice):
    response = submit(as_admin, "/users/new", userName="alice", password=PASSWORD)
    assert response.status_code == 422
    assert field_error(response.text, "userName") == USER_TAKEN
    response = submit(as_admin, "/users/new", userName="dave", password="short")
    assert field_error(response.text, "password")
    assert "short" not in BeautifulSoup(response.text, "html.parser").select_one(
        "#password").get("value", "")
    response = submit(as_admin, "/users/new", userName="dave", password=PASSWORD, roles=None)
    assert "A user needs at least one role." in response.text
    assert submit(as_admin, "/users/new", userName="x", password=PASSWORD,
                  csrf_token=None).status_code == 400


def test_edit_user_roles(as_admin, admin, alice):
    url = f"/users/{alice.id}/edit"
    response = submit(as_admin, url, roles=_role_id(as_admin, "Tenant Administrator"))
    assert response.status_code == 302
    got = as_admin.get(f"/api/admin/users/{alice.id}", headers=admin.basic).json
    assert got["permissions"]["roles"] == [3]
    assert submit(as_admin, url, userName="alice2", csrf_token=None).status_code == 400


def test_deactivate_reset_password_and_activate(app, as_admin, alice):
    assert submit(as_admin, f"/users/{alice.id}/deactivate", csrf_token=None).status_code == 400
    response = submit(as_admin, f"/users/{alice.id}/deactivate")
    assert response.status_code == 302
    with app.test_client() as other:
        assert login(other, alice).status_code == 401
    assert submit(as_admin, f"/users/{alice.id}/password",
                  newPassword=NEW_PASSWORD, csrf_token=None).status_code == 400
    response = submit(as_admin, f"/users/{alice.id}/password", newPassword="short")
    assert response.status_code == 422 and field_error(response.text, "newPassword")
    response = submit(as_admin, f"/users/{alice.id}/password", newPassword=NEW_PASSWORD)
    assert response.status_code == 302
    assert submit(as_admin, f"/users/{alice.id}/edit", "form.inline").status_code == 302
    with app.test_client() as other:
        renewed = type(alice)(alice.id, alice.name, NEW_PASSWORD)
        assert login(other, renewed).status_code == 302
    with app.test_client() as other:
        assert login(other, alice).status_code == 401


def test_the_last_administrator_cannot_be_deactivated(as_admin, admin):
    response = submit(as_admin, f"/users/{admin.id}/deactivate")
    assert response.status_code == 422  # the confirmation comes back with the refusal on it
    assert LAST_ADMIN in flashes(response.text)
    assert 'id="confirm-form"' in response.text
    assert as_admin.get("/oauthprofiles").status_code == 200


def test_custom_role(as_admin, admin):
    response = submit(as_admin, "/roles/new", name="Analysts", description="read only",
                      permissions=["2", "8"])
    assert response.status_code == 302
    roles = as_admin.get("/api/admin/roles", headers=admin.basic).json["roles"]
    analysts = next(r for r in roles if r["name"] == "Analysts")
    got = as_admin.get(f"/api/admin/roles/{analysts['id']}", headers=admin.basic).json
    assert got["permissions"] == [2, 8] and got["description"] == "read only"
    response = submit(as_admin, "/roles/new", name="Analysts", permissions=["2"])
    assert field_error(response.text, "name") == ROLE_TAKEN
    assert submit(as_admin, "/roles/new", name="R2", csrf_token=None).status_code == 400
    url = f"/roles/{analysts['id']}/edit"
    assert submit(as_admin, url, permissions=["2", "8", "9"]).status_code == 302
    assert submit(as_admin, url, name="Z", csrf_token=None).status_code == 400
    got = as_admin.get(f"/api/admin/roles/{analysts['id']}", headers=admin.basic).json
    assert got["permissions"] == [2, 8, 9]
    assert submit(as_admin, f"/roles/{analysts['id']}/delete", csrf_token=None).status_code == 400
    assert submit(as_admin, f"/roles/{analysts['id']}/delete").status_code == 302
    assert as_admin.get(f"/api/admin/roles/{analysts['id']}",
                        headers=admin.basic).status_code == 404


def test_predefined_roles_are_read_only(as_admin):
    page = as_admin.get("/roles/1/edit")
    assert page.status_code == 200 and "role-form" not in page.text
    assert "Administrator (12)" in page.text


# Acting on behalf ------------------------------------------------------------------------

def test_act_for_a_user_and_create_their_profile(as_admin, alice, google_app):
    assert "Acting for" not in whose(as_admin.get("/oauthprofiles").text)
    response = submit(as_admin, "/acting", user="alice")
    assert response.status_code == 302
    page = as_admin.get("/oauthprofiles")
    assert "Acting for: alice" in whose(page.text)
    assert "OAuth profiles of alice" in page.text
    response = submit(as_admin, "/oauthprofiles/new", name="For_alice", oauthAppId=str(google_app),
                      refreshToken="refresh-x")
    assert response.status_code == 302
    assert "Acting for: alice" in whose(as_admin.get("/oauthapps").text)  # every page says it
    mine = as_admin.get("/api/mgmt/oauthprofiles", headers=alice.basic).json["profiles"]
    assert [p["name"] for p in mine] == ["For_alice"]
    pid = mine[0]["id"]
    assert submit(as_admin, f"/oauthprofiles/{pid}/edit", description="by admin").status_code == 302
    response = submit(as_admin, "/oauthprofiles", "form[action='/acting/stop']")
    assert response.status_code == 302
    assert as_admin.get(f"/oauthprofiles/{pid}").status_code == 404
    assert "Acting for" not in whose(as_admin.get("/oauthprofiles").text)


def test_acting_errors(as_admin):
    response = submit(as_admin, "/acting", user="nobody")
    assert response.status_code == 422
    assert field_error(response.text, "user") == "There is no User with that name: nobody."
    assert submit(as_admin, "/acting", user="alice", csrf_token=None).status_code == 400


def test_plain_users_cannot_act_for_others(client, alice, make_user):
    make_user("bob")
    login(client, alice)
    assert "/acting" not in client.get("/oauthprofiles").text
    assert client.get("/acting").status_code == 403
    with client.session_transaction() as cookie:
        cookie["acting_for"] = "bob"  # even a forged choice is checked by the domain rule
    page = client.get("/oauthprofiles")
    assert page.status_code == 200 and "OAuth profiles of alice" in page.text
    assert "Acting for" not in whose(page.text)
    assert any(m.startswith("You no longer act for bob") for m in flashes(page.text))
    with client.session_transaction() as cookie:
        assert "acting_for" not in cookie  # dropped, not honoured


def test_one_click_buttons_need_the_csrf_token(as_admin, alice):
    submit(as_admin, f"/users/{alice.id}/deactivate")
    assert as_admin.post(f"/users/{alice.id}/activate").status_code == 400
    assert submit(as_admin, "/acting", user="alice").status_code == 302
    assert as_admin.post("/acting/stop").status_code == 400
    assert "Acting for: alice" in whose(as_admin.get("/oauthprofiles").text)


def test_user_form_shows_every_mistake_with_a_focusable_summary(as_admin):
    page = as_admin.get("/users/new").text
    assert label_text(page, "userName").endswith("(required)")
    assert label_text(page, "password").endswith("(required)")
    response = submit(as_admin, "/users/new", userName="", password="short")
    assert response.status_code == 422
    assert field_error(response.text, "userName") == "User name is required."
    assert field_error(response.text, "password")
    assert [href for href, _ in error_summary(response.text)] == ["#userName", "#password"]
    assert hint(response.text, "password").startswith("Type it again")


def test_each_permission_box_carries_its_description(as_admin):
    soup = BeautifulSoup(as_admin.get("/users/new").text, "html.parser")
    box = soup.select_one("#permissions-21")
    assert box is not None
    described = soup.select_one(f"#{box['aria-describedby']}")
    assert described.get_text(strip=True) == CATALOGUE[Permission.ON_BEHALF_OF][1]
    assert len(soup.select("#permissions .check .hint")) == len(CATALOGUE)


def test_no_role_is_reported_with_the_other_mistakes(as_admin):
    response = submit(as_admin, "/users/new", userName="", password=PASSWORD, roles=None)
    assert response.status_code == 422
    assert field_error(response.text, "userName") == "User name is required."
    assert [href for href, _ in error_summary(response.text)] == ["#userName", "#roles"]
    assert "A user needs at least one role." in dict(error_summary(response.text)).values()
