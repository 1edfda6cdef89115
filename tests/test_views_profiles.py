"""The OAuth profile pages, driven through their HTML forms; results checked via the API."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.cases import BAD_NAMES, GOOD_NAMES
from tests.conftest import form_fields
from tests.pages import (MAIN_FORM, error_summary, field_error, flashes, hint, label_text,
                         login, submit)
from webui.domain.profiles import NAME_TAKEN
from webui.domain.rules import NAME_MESSAGE

TOKENS = {"accessToken": "access-token-AAA-111", "refreshToken": "refresh-token-RRR-222"}


@pytest.fixture
def signed_in(client, alice, google_app):
    login(client, alice)
    return client


def _create(client, app_id, **changes):
    return submit(client, "/oauthprofiles/new", oauthAppId=str(app_id),
                  **{"name": "GA_profile", "description": "Web analytics", **TOKENS, **changes})


def _api_profiles(client, account):
    response = client.get("/api/mgmt/oauthprofiles", headers=account.basic)
    assert response.status_code == 200
    return response.json["profiles"]


@pytest.mark.parametrize("name", GOOD_NAMES[:3])
def test_create_profile(signed_in, alice, google_app, name):
    response = _create(signed_in, google_app, name=name)
    assert response.status_code == 302
    detail = signed_in.get(response.headers["Location"])
    assert f"OAuth profile {name} created for alice." in flashes(detail.text)
    assert TOKENS["accessToken"] not in detail.text
    [item] = _api_profiles(signed_in, alice)
    assert (item["name"], item["oauthAppId"], item["description"]) == \
        (name, google_app, "Web analytics")
    full = signed_in.get(f"/api/mgmt/oauthprofiles/{item['id']}", headers=alice.basic).json
    assert full["hasAccessToken"] and full["hasRefreshToken"]


@pytest.mark.parametrize("name, message", BAD_NAMES)
def test_rejected_name_is_a_field_error_and_keeps_input(signed_in, alice, google_app, name,
                                                        message):
    response = _create(signed_in, google_app, name=name)
    assert response.status_code == 422
    assert field_error(response.text, "name") == message
    _, kept = form_fields(response.text, MAIN_FORM)
    assert kept["name"] == name and kept["description"] == "Web analytics"
    assert kept["oauthAppId"] == str(google_app)
    assert kept["accessToken"] == "" and TOKENS["refreshToken"] not in response.text
    assert _api_profiles(signed_in, alice) == []


def test_duplicate_name_is_a_field_error(signed_in, alice, google_app):
    assert _create(signed_in, google_app).status_code == 302
    response = _create(signed_in, google_app)
    assert response.status_code == 422
    assert field_error(response.text, "name") == NAME_TAKEN
    assert len(_api_profiles(signed_in, alice)) == 1


def test_missing_refresh_token_and_bad_application(signed_in, google_app):
    response = _create(signed_in, google_app, refreshToken="")
    assert field_error(response.text, "refreshToken") == "Refresh token is required."
    response = _create(signed_in, "999999")
    assert field_error(response.text, "oauthAppId") == "Invalid OAuthApplicationId: 999999"
    response = _create(signed_in, "abc")
    assert field_error(response.text, "oauthAppId") == "OAuth application must be an integer."
    response = _create(signed_in, "")
    assert field_error(response.text, "oauthAppId") == "Choose an OAuth application."


def test_post_without_csrf_token_is_refused(signed_in, alice, google_app):
    response = _create(signed_in, google_app, csrf_token=None)
    assert response.status_code == 400
    assert _api_profiles(signed_in, alice) == []


def _one(client, account, google_app) -> int:
    assert _create(client, google_app).status_code == 302
    return _api_profiles(client, account)[0]["id"]


def test_edit_keeps_secrets_when_empty_and_clears_on_request(signed_in, alice, google_app):
    pid = _one(signed_in, alice, google_app)
    page = signed_in.get(f"/oauthprofiles/{pid}/edit")
    assert "A value is set; leave this empty to keep it." in page.text
    assert TOKENS["accessToken"] not in page.text and TOKENS["refreshToken"] not in page.text
    response = submit(signed_in, f"/oauthprofiles/{pid}/edit", name="Renamed",
                      description="changed")
    assert response.status_code == 302
    assert "OAuth profile Renamed saved." in flashes(signed_in.get(response.headers["Location"]).text)
    full = signed_in.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic).json
    assert (full["name"], full["description"]) == ("Renamed", "changed")
    assert full["hasAccessToken"] and full["hasRefreshToken"]
    response = submit(signed_in, f"/oauthprofiles/{pid}/edit", clearAccessToken="y")
    assert response.status_code == 302
    full = signed_in.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic).json
    assert not full["hasAccessToken"] and full["hasRefreshToken"]


def test_edit_error_and_csrf(signed_in, alice, google_app):
    pid = _one(signed_in, alice, google_app)
    response = submit(signed_in, f"/oauthprofiles/{pid}/edit", name="bad name")
    assert response.status_code == 422 and field_error(response.text, "name")
    response = submit(signed_in, f"/oauthprofiles/{pid}/edit", name="Other", csrf_token=None)
    assert response.status_code == 400
    assert _api_profiles(signed_in, alice)[0]["name"] == "GA_profile"


def test_delete_after_confirmation(signed_in, alice, google_app):
    pid = _one(signed_in, alice, google_app)
    assert submit(signed_in, f"/oauthprofiles/{pid}/delete", csrf_token=None).status_code == 400
    assert len(_api_profiles(signed_in, alice)) == 1
    response = submit(signed_in, f"/oauthprofiles/{pid}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/oauthprofiles"
    assert _api_profiles(signed_in, alice) == []


def test_someone_elses_profile_is_not_found(client, alice, make_user, google_app):
    login(client, alice)
    pid = _one(client, alice, google_app)
    client.post("/logout", data=form_fields(client.get("/oauthprofiles").text, "form.logout")[1])
    login(client, make_user("bob"))
    for url in (f"/oauthprofiles/{pid}", f"/oauthprofiles/{pid}/edit",
                f"/oauthprofiles/{pid}/delete"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Invalid OAuthProfileId" in response.text


def test_list_filters_and_pages(signed_in, alice, google_app):
    for name in ("alpha", "beta", "alphabet"):
        assert _create(signed_in, google_app, name=name).status_code == 302
    page = signed_in.get("/oauthprofiles?name=alpha")
    names = [a.text for a in BeautifulSoup(page.text, "html.parser").select("tbody th a")]
    assert names == ["alpha", "alphabet"]
    page = signed_in.get(f"/oauthprofiles?oauthAppId={google_app}&limit=2")
    soup = BeautifulSoup(page.text, "html.parser")
    assert [a.text for a in soup.select("tbody th a")] == ["alpha", "beta"]
    more = soup.find("a", string="Next page")["href"]
    soup = BeautifulSoup(signed_in.get(more).text, "html.parser")
    assert [a.text for a in soup.select("tbody th a")] == ["alphabet"]
    assert soup.find("a", string="Next page") is None
    assert signed_in.get("/oauthprofiles?cursor=abc").status_code == 400


def test_detail_page(signed_in, alice, google_app):
    pid = _one(signed_in, alice, google_app)
    page = signed_in.get(f"/oauthprofiles/{pid}")
    assert page.status_code == 200
    assert "GA_app" in page.text and "A value is set" in page.text
    assert TOKENS["accessToken"] not in page.text


@pytest.mark.parametrize("extra", ["endpoint=x", "_external=1", "_anchor=x"])
def test_unexpected_query_keys_never_steer_the_pager(signed_in, alice, google_app, extra):
    for name in ("one", "two"):
        assert _create(signed_in, google_app, name=name).status_code == 302
    page = signed_in.get(f"/oauthprofiles?limit=1&{extra}")
    assert page.status_code == 200
    more = BeautifulSoup(page.text, "html.parser").find("a", string="Next page")["href"]
    assert more.startswith("/oauthprofiles?") and "#" not in more
    names = BeautifulSoup(signed_in.get(more).text, "html.parser").select("tbody th a")
    assert [a.text for a in names] == ["two"]


def test_every_mistake_at_once_and_the_tokens_must_be_typed_again(signed_in, alice,
                                                                  google_app):
    page = signed_in.get("/oauthprofiles/new").text
    assert label_text(page, "refreshToken").endswith("(required)")
    assert label_text(page, "oauthAppId").endswith("(required)")
    response = _create(signed_in, "", name="bad name", refreshToken="")
    assert response.status_code == 422
    expected = {"name": NAME_MESSAGE, "oauthAppId": "Choose an OAuth application.",
                "refreshToken": "Refresh token is required."}
    for field, message in expected.items():
        assert field_error(response.text, field) == message
    assert error_summary(response.text) == [(f"#{f}", m) for f, m in expected.items()]
    assert TOKENS["accessToken"] not in response.text
    assert hint(response.text, "accessToken").startswith("Type it again")
    assert _api_profiles(signed_in, alice) == []
