"""The OAuth application pages: managers register and change; users see them read-only."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.cases import BAD_NAMES
from tests.conftest import APP_BODY, form_fields
from tests.pages import error_summary, field_error, flashes, hint, label_text, login, submit
from webui.admin.oauthapps import redirect_uri
from webui.domain.oauthapps import NAME_TAKEN
from webui.domain.rules import NAME_MESSAGE

FORM = {k: str(v) for k, v in APP_BODY.items()}


@pytest.fixture
def as_admin(client, admin):
    login(client, admin)
    return client


def _apps(client, account):
    return client.get("/api/mgmt/oauthapps", headers=account.basic).json["applications"]


def test_register_application(as_admin, admin):
    page = as_admin.get("/oauthapps/new")
    assert "https://profiles.example.org/oauth2callback" in page.text
    assert 'value="54"' in page.text and "Google Analytics" in page.text
    response = submit(as_admin, "/oauthapps/new", **FORM)
    assert response.status_code == 302
    detail = as_admin.get(response.headers["Location"])
    assert "OAuth application GA_app registered." in flashes(detail.text)
    assert APP_BODY["clientSecret"] not in detail.text
    assert "https://profiles.example.org/oauth2callback" in detail.text
    [app] = _apps(as_admin, admin)
    full = as_admin.get(f"/api/mgmt/oauthapps/{app['id']}", headers=admin.basic).json
    for key, value in APP_BODY.items():
        if key != "clientSecret":
            assert full[key] == value, key
    assert full["hasClientSecret"]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PUBLIC_BASE_URL": "https://profiles.example.org/"}


def test_redirect_uri_comes_from_the_configured_base_url(app):
    with app.test_request_context("/oauthapps/new", base_url="http://evil.example"):
        assert redirect_uri() == "https://profiles.example.org/oauth2callback"


@pytest.mark.parametrize("name, message", BAD_NAMES[:4])
def test_bad_name_keeps_input_but_not_the_secret(as_admin, admin, name, message):
    response = submit(as_admin, "/oauthapps/new", **{**FORM, "name": name})
    assert response.status_code == 422
    assert field_error(response.text, "name") == message
    assert APP_BODY["clientId"] in response.text
    assert APP_BODY["clientSecret"] not in response.text
    assert _apps(as_admin, admin) == []


def test_bad_endpoint_and_duplicate_name(as_admin, admin):
    response = submit(as_admin, "/oauthapps/new", **{**FORM, "tokenURI": "http://example.com/t"})
    assert response.status_code == 422 and field_error(response.text, "tokenURI")
    assert submit(as_admin, "/oauthapps/new", **FORM).status_code == 302
    response = submit(as_admin, "/oauthapps/new", **FORM)
    assert field_error(response.text, "name") == NAME_TAKEN
    assert len(_apps(as_admin, admin)) == 1


def test_csrf_is_required(as_admin, admin, google_app):
    assert submit(as_admin, "/oauthapps/new", **FORM, csrf_token=None).status_code == 400
    response = submit(as_admin, f"/oauthapps/{google_app}/edit", name="X", csrf_token=None)
    assert response.status_code == 400
    response = submit(as_admin, f"/oauthapps/{google_app}/delete", csrf_token=None)
    assert response.status_code == 400
    assert [a["name"] for a in _apps(as_admin, admin)] == ["GA_app"]


def test_edit_keeps_an_empty_secret(as_admin, admin, google_app):
    page = as_admin.get(f"/oauthapps/{google_app}/edit")
    assert APP_BODY["clientSecret"] not in page.text
    assert "A value is set; leave this empty to keep it." in page.text
    response = submit(as_admin, f"/oauthapps/{google_app}/edit", scope="openid email")
    assert response.status_code == 302
    full = as_admin.get(f"/api/mgmt/oauthapps/{google_app}", headers=admin.basic).json
    assert full["scope"] == "openid email" and full["hasClientSecret"]
    response = submit(as_admin, f"/oauthapps/{google_app}/edit", clientSecret="new-secret-1")
    assert response.status_code == 302


def test_delete_states_how_many_profiles_go_with_it(client, as_admin, admin, alice,
                                                    google_app):
    page = as_admin.get(f"/oauthapps/{google_app}/delete")
    assert "No OAuth profile uses it: nothing else is deleted." in page.text
    for owner, name in ((admin, "Mine_a"), (admin, "Mine_b"), (alice, "Hers")):
        assert client.post("/api/mgmt/oauthprofiles", headers=owner.basic, json={
            "name": name, "oauthAppId": google_app, "refreshToken": "r",
            "accessToken": "a"}).status_code == 201
    page = as_admin.get(f"/oauthapps/{google_app}/delete")
    assert "3 OAuth profiles (of every owner) use it and are deleted too." in page.text
    detail = BeautifulSoup(as_admin.get(f"/oauthapps/{google_app}").text, "html.parser")
    rows = [[c.get_text(" ", strip=True) for c in tr.select("th, td")]
            for tr in detail.select("#used-by + .table-wrap tbody tr")]
    assert rows == [["Mine_a", "admin", "Active", "Unknown"],
                    ["Mine_b", "admin", "Active", "Unknown"]]
    assert detail.select_one("#used-by-total").get_text(" ", strip=True).startswith(
        "In all, 3 OAuth profiles")
    response = submit(as_admin, f"/oauthapps/{google_app}/delete")
    assert response.status_code == 302
    assert _apps(as_admin, admin) == []


def test_users_see_applications_read_only(client, alice, google_app):
    login(client, alice)
    listing = client.get("/oauthapps")
    assert "GA_app" in listing.text and "/oauthapps/new" not in listing.text
    detail = client.get(f"/oauthapps/{google_app}")
    assert detail.status_code == 200
    assert APP_BODY["clientId"] in detail.text and "Client secret" not in detail.text
    assert "used-by-total" not in detail.text  # the count of others' profiles is managers'
    assert 'data-copy="client-id" hidden' in detail.text  # shown only by static/copy.js
    assert f"/oauthapps/{google_app}/edit" not in detail.text
    assert client.get(f"/oauthapps/{google_app}/edit").status_code == 403
    # Without a token the CSRF check refuses first; with one, the permission check does.
    assert client.post(f"/oauthapps/{google_app}/delete").status_code == 400
    _, data = form_fields(client.get("/oauthprofiles/new").text, "form#profile-form")
    refused = client.post(f"/oauthapps/{google_app}/delete",
                          data={"csrf_token": data["csrf_token"]})
    assert refused.status_code == 403
    assert client.get(f"/oauthapps/{google_app}").status_code == 200


def test_every_mistake_is_shown_at_once_in_plain_words(as_admin, admin):
    response = submit(as_admin, "/oauthapps/new", **{
        **FORM, "name": "bad name", "dataStore": "", "clientId": "",
        "clientSecret": "typed-secret", "authorizeURI": "http://evil.example",
        "tokenURI": "nope"})
    assert response.status_code == 422
    expected = {"name": NAME_MESSAGE, "dataStore": "Choose a data store.",
                "clientId": "Client id is required.",
                "authorizeURI": "Authorize URI must be an absolute https URL.",
                "tokenURI": "Token URI must be an absolute https URL."}
    for field, message in expected.items():
        assert field_error(response.text, field) == message
    assert error_summary(response.text) == [(f"#{f}", m) for f, m in expected.items()]
    assert "typed-secret" not in response.text
    assert hint(response.text, "clientSecret").startswith("Type it again")
    assert _apps(as_admin, admin) == []


def test_required_fields_are_marked_from_the_schema(as_admin):
    page = as_admin.get("/oauthapps/new").text
    for field in ("name", "dataStore", "clientId", "clientSecret", "authorizeURI",
                  "tokenURI"):
        assert label_text(page, field).endswith("(required)"), field
    for field in ("description", "scope"):
        assert "(required)" not in label_text(page, field)
    assert error_summary(page) == []
