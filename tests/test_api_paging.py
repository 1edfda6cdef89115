"""Keyset pagination of every list: ?limit= (default 100, max 1000), ?cursor=, Link rel=next."""
import re

import pytest

from webui.domain import bootstrap, roles
from webui.extensions import db

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def follow(client, url, headers):
    """Every item of every page, and the number of pages, following Link rel=next."""
    items, pages = [], 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        pages += 1
        key = next(iter(response.json))
        items += response.json[key]
        link = response.headers.get("Link")
        if link is None:
            break
        match = LINK.match(link)
        assert match, link
        url = match["url"]
        assert url.startswith("http://localhost/api/")  # a full URL
    return items, pages


@pytest.fixture
def many_roles(app, admin):
    """105 custom roles besides the 3 defaults (108 in all)."""
    with app.app_context():
        for i in range(105):
            roles.create_role(bootstrap.SYSTEM, {"name": f"r{i:03}", "permissions": [],
                                                       "users": []})
        db.session.remove()


def test_default_limit_is_100(client, admin, many_roles):
    response = client.get("/api/admin/roles", headers=admin.basic)
    assert len(response.json["roles"]) == 100
    assert "cursor=" in response.headers["Link"]


@pytest.mark.parametrize("limit,pages", [(1, 108), (7, 16), (54, 2), (108, 1), (1000, 1)])
def test_following_next_visits_every_item_once(client, admin, many_roles, limit, pages):
    items, seen_pages = follow(client, f"/api/admin/roles?limit={limit}", admin.basic)
    ids = [r["id"] for r in items]
    assert len(ids) == 108 and len(set(ids)) == 108 and ids == sorted(ids)
    assert seen_pages == pages


def test_next_link_keeps_the_other_arguments(client, admin, alice, google_app):
    for i in range(3):
        client.post("/api/mgmt/oauthprofiles?user=alice", headers=admin.basic,
                    json={"name": f"p{i}", "oauthAppId": google_app, "refreshToken": "r"})
    response = client.get("/api/mgmt/oauthprofiles?user=alice&limit=2", headers=admin.basic)
    link = response.headers["Link"]
    assert "user=alice" in link and "limit=2" in link
    items, pages = follow(client, "/api/mgmt/oauthprofiles?user=alice&limit=2", admin.basic)
    assert [p["name"] for p in items] == ["p0", "p1", "p2"] and pages == 2


def test_no_link_on_the_last_page(client, admin):
    response = client.get("/api/admin/users", headers=admin.basic)
    assert "Link" not in response.headers


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=-1", "limit=abc",
                                   "limit=1.5", "limit=", "limit=%EF%BC%91",
                                   "cursor=abc", "cursor=-1", "cursor=99999999999",
                                   "cursor=", "cursor=1e3"])
def test_bad_limit_or_cursor_is_400(client, admin, query):
    for url in ("/api/admin/roles", "/api/admin/users", "/api/mgmt/oauthprofiles",
                "/api/mgmt/oauthapps", "/api/admin/audit"):
        response = client.get(f"{url}?{query}", headers=admin.basic)
        assert response.status_code == 400, url
        assert response.json["error"]["code"] == "222209000"


@pytest.mark.parametrize("extra", ["endpoint=x", "_external=0", "_anchor=x", "_method=x",
                                   "_scheme=x", "name=&name=", "cursor=1&cursor=2"])
def test_unexpected_query_keys_never_steer_the_next_link(client, admin, google_app, extra):
    for n in range(3):
        client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
            "name": f"p{n}", "oauthAppId": google_app, "refreshToken": "r"})
    response = client.get(f"/api/mgmt/oauthprofiles?limit=1&{extra}", headers=admin.basic)
    assert response.status_code == 200, response.json
    link = response.headers["Link"]
    assert link.startswith("<http://localhost/api/mgmt/oauthprofiles?")
    assert "#" not in link and link.endswith('>; rel="next"')
    assert re.search(r"[?&]cursor=\d+[&>]", link)


@pytest.mark.parametrize("header", ["Host", "X-Forwarded-Host"])
def test_the_next_link_never_echoes_the_request_host(app, client, admin, google_app, header):
    for n in range(2):
        client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
            "name": f"p{n}", "oauthAppId": google_app, "refreshToken": "r"})
    app.config["PUBLIC_BASE_URL"] = "https://opm.example.com/"
    response = client.get("/api/mgmt/oauthprofiles?limit=1",
                          headers={**admin.basic, header: "evil.example"})
    link = response.headers["Link"]
    assert link.startswith("<https://opm.example.com/api/mgmt/oauthprofiles?"), link
    assert "evil.example" not in link
