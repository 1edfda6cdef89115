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
        assert "Page not found" in response.text and "Invalid OAuthProfileId" not in response.text


def _names(html: str) -> list[str]:
    return [a.text for a in BeautifulSoup(html, "html.parser").select("tbody th a")]


def test_list_searches_name_and_description_newest_first(signed_in, alice, google_app):
    for name in ("alpha", "beta", "alphabet"):
        assert _create(signed_in, google_app, name=name).status_code == 302
    assert _create(signed_in, google_app, name="gamma",
                   description="Sales DASHBOARD").status_code == 302
    assert _names(signed_in.get("/oauthprofiles").text) == ["gamma", "alphabet", "beta",
                                                            "alpha"]
    assert _names(signed_in.get("/oauthprofiles?q=ALPHA").text) == ["alphabet", "alpha"]
    assert _names(signed_in.get("/oauthprofiles?q=dashboard").text) == ["gamma"]
    assert _names(signed_in.get("/oauthprofiles?q=%25").text) == []  # LIKE wildcards literal
    page = signed_in.get(f"/oauthprofiles?oauthAppId={google_app}&sort=name&dir=asc")
    assert _names(page.text) == ["alpha", "alphabet", "beta", "gamma"]
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("th[aria-sort]").get_text(" ", strip=True).startswith("Name")
    assert soup.select_one("th[aria-sort]")["aria-sort"] == "ascending"
    assert "4 OAuth profiles" in soup.select_one("#board-count").text
    assert _names(signed_in.get("/oauthprofiles?status=needsReauthorization").text) == []
    assert len(_names(signed_in.get("/oauthprofiles?status=active").text)) == 4
    for bad in ("page=0", "page=x", "dir=up", "sort=password", "status=odd"):
        assert signed_in.get(f"/oauthprofiles?{bad}").status_code == 400, bad


def test_list_counts_and_pages(signed_in, alice, google_app, client):
    for i in range(30):
        assert client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
            "name": f"p{i:02}", "oauthAppId": google_app, "refreshToken": "r"}
        ).status_code == 201
    soup = BeautifulSoup(signed_in.get("/oauthprofiles").text, "html.parser")
    assert soup.select_one("#board-count").text.startswith("1-25 of 30")
    assert _names(str(soup))[0] == "p29"
    assert soup.select_one(".pager [aria-current=page]").text == "1"
    second = soup.find("a", string="Next")["href"]
    soup = BeautifulSoup(signed_in.get(second).text, "html.parser")
    assert soup.select_one("#board-count").text.startswith("26-30 of 30")
    assert _names(str(soup)) == ["p04", "p03", "p02", "p01", "p00"]
    assert soup.find("a", string="Next") is None and soup.find("a", string="Previous")


def test_detail_page(signed_in, alice, google_app):
    pid = _one(signed_in, alice, google_app)
    page = signed_in.get(f"/oauthprofiles/{pid}")
    assert page.status_code == 200
    assert "GA_app" in page.text and "A value is set" in page.text
    assert TOKENS["accessToken"] not in page.text


@pytest.mark.parametrize("extra", ["endpoint=x", "_external=1", "_anchor=x"])
def test_unexpected_query_keys_never_steer_the_pager(signed_in, alice, google_app, extra):
    assert _create(signed_in, google_app, name="one").status_code == 302
    page = signed_in.get(f"/oauthprofiles?{extra}")
    assert page.status_code == 200
    sort = BeautifulSoup(page.text, "html.parser").select_one("th a.sort")["href"]
    assert sort.startswith("/oauthprofiles?") and "#" not in sort
    assert _names(signed_in.get(sort).text) == ["one"]


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


def test_bulk_delete_names_the_profiles_then_deletes_them(signed_in, alice, google_app):
    for name in ("keep", "drop_a", "drop_b"):
        assert _create(signed_in, google_app, name=name).status_code == 302
    ids = {p["name"]: str(p["id"]) for p in _api_profiles(signed_in, alice)}
    confirm = submit(signed_in, "/oauthprofiles", "#bulk-form", action="delete",
                     ids=[ids["drop_a"], ids["drop_b"]])
    assert confirm.status_code == 200
    soup = BeautifulSoup(confirm.text, "html.parser")
    assert soup.h1.text == "Delete 2 OAuth profiles?"
    assert [li.text for li in soup.select("#bulk-names li")] == ["drop_a (GA_app)",
                                                                 "drop_b (GA_app)"]
    assert {p["name"] for p in _api_profiles(signed_in, alice)} == set(ids)  # not yet
    action, data = form_fields(confirm.text, "#confirm-form")
    data["ids"] = [i["value"] for i in soup.select("#confirm-form input[name=ids]")]
    done = signed_in.post(action, data=data)
    assert done.status_code == 302
    assert "Deleted: drop_a, drop_b." in flashes(signed_in.get(done.headers["Location"]).text)
    assert [p["name"] for p in _api_profiles(signed_in, alice)] == ["keep"]


def test_bulk_needs_a_selection_and_the_csrf_token(signed_in, alice, google_app):
    assert _create(signed_in, google_app, name="only").status_code == 302
    response = submit(signed_in, "/oauthprofiles", "#bulk-form", action="delete")
    assert response.status_code == 302
    assert "Select at least one profile." in flashes(signed_in.get("/oauthprofiles").text)
    pid = str(_api_profiles(signed_in, alice)[0]["id"])
    assert submit(signed_in, "/oauthprofiles", "#bulk-form", action="delete", ids=[pid],
                  csrf_token=None).status_code == 400
    assert submit(signed_in, "/oauthprofiles", "#bulk-form", action="melt",
                  ids=[pid]).status_code == 400


def test_the_menu_marks_the_current_page(signed_in):
    for url, label in (("/oauthprofiles", "OAuth profiles"), ("/oauthprofiles/new",
                                                              "OAuth profiles"),
                       ("/oauthapps", "OAuth applications")):
        soup = BeautifulSoup(signed_in.get(url).text, "html.parser")
        assert [a.text for a in soup.select("nav[aria-label=Main] [aria-current=page]")] == \
            [label]
