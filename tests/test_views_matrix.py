"""Every page x (anonymous, plain user, user without CreateDataSource, administrator).

The profile belongs to the plain user, so for everyone else it does not exist (404), the
administrator included until they act for its owner."""
from __future__ import annotations

import pytest

from tests.pages import login, submit
from webui.domain import bootstrap, roles
from webui.extensions import db

LOGIN = 302  # anonymous: redirected to the login page
# page -> (anonymous, plain, no_create, administrator)
MATRIX = {
    "/": (LOGIN, 302, 302, 302),
    "/oauthprofiles": (LOGIN, 200, 200, 200),
    "/oauthprofiles/new": (LOGIN, 200, 403, 200),
    "/oauthprofiles/{profile}": (LOGIN, 200, 404, 404),
    "/oauthprofiles/{profile}/edit": (LOGIN, 200, 404, 404),
    "/oauthprofiles/{profile}/delete": (LOGIN, 200, 404, 404),
    "/oauthprofiles/999999": (LOGIN, 404, 404, 404),
    "/oauthapps": (LOGIN, 200, 200, 200),
    "/oauthapps/new": (LOGIN, 403, 403, 200),
    "/oauthapps/{app}": (LOGIN, 200, 200, 200),
    "/oauthapps/{app}/edit": (LOGIN, 403, 403, 200),
    "/oauthapps/{app}/delete": (LOGIN, 403, 403, 200),
    "/oauthapps/999999": (LOGIN, 404, 404, 404),
    "/users": (LOGIN, 403, 403, 200),
    "/users/new": (LOGIN, 403, 403, 200),
    "/users/{user}/edit": (LOGIN, 403, 403, 200),
    "/users/{user}/password": (LOGIN, 403, 403, 200),
    "/users/{user}/deactivate": (LOGIN, 403, 403, 200),
    "/users/999999/edit": (LOGIN, 403, 403, 404),
    "/roles": (LOGIN, 403, 403, 200),
    "/roles/new": (LOGIN, 403, 403, 200),
    "/roles/1/edit": (LOGIN, 403, 403, 200),
    "/roles/1/delete": (LOGIN, 403, 403, 200),
    "/acting": (LOGIN, 403, 403, 200),
    "/audit": (LOGIN, 403, 403, 200),
    "/audit?action=create&objectType=oauthprofile": (LOGIN, 403, 403, 200),
    "/login": (200, 302, 302, 302),
}
WHO = ["anonymous", "plain", "no_create", "administrator"]


@pytest.fixture
def accounts(app, make_user, admin, alice, google_app):
    with app.app_context():
        roles.create_role(bootstrap.SYSTEM, {
            "name": "Viewer", "permissions": [2, 3, 4, 8], "users": []})
        db.session.remove()
    return {"plain": alice, "no_create": make_user("viewer", ("Viewer",)),
            "administrator": admin}


@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(app, client, accounts, google_app, who):
    owner = app.test_client()
    login(owner, accounts["plain"])
    created = submit(owner, "/oauthprofiles/new", name="Owned", oauthAppId=str(google_app),
                     refreshToken="r-token")
    profile = created.headers["Location"].rsplit("/", 1)[1]
    if who != "anonymous":
        assert login(client, accounts[who]).status_code == 302
    column = WHO.index(who)
    got, expected = {}, {}
    for pattern, statuses in MATRIX.items():
        url = pattern.format(profile=profile, app=google_app, user=accounts["plain"].id)
        got[pattern] = client.get(url).status_code
        expected[pattern] = statuses[column]
    assert got == expected
    if who == "anonymous":
        assert client.get("/oauthapps/new").headers["Location"] == "/login?next=%2Foauthapps%2Fnew"


@pytest.mark.parametrize("who, visible, hidden", [
    ("plain", ["/oauthprofiles/new"], ["/users", "/roles", "/acting", "/oauthapps/new",
                                       "/audit"]),
    ("no_create", [], ["/oauthprofiles/new", "/users", "/acting"]),
    ("administrator", ["/oauthprofiles/new", "/users", "/roles", "/acting", "/audit"], []),
])
def test_buttons_follow_the_permissions(client, accounts, who, visible, hidden):
    login(client, accounts[who])
    page = client.get("/oauthprofiles").text + client.get("/oauthapps").text
    for href in visible:
        assert f'href="{href}"' in page, href
    for href in hidden:
        assert f'href="{href}"' not in page, href


def test_forbidden_and_missing_pages_are_html(client, accounts):
    login(client, accounts["plain"])
    page = client.get("/users")
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "You cannot open this page" in page.text and 'action="/logout"' in page.text
    assert "You lack the permissions" not in page.text
    missing = client.get("/oauthapps/999999")
    assert missing.status_code == 404 and "Page not found" in missing.text
    assert "Invalid OAuthApplicationId" not in missing.text
