"""No N+1: an API list issues the same number of SQL statements whatever its length.

Statements are counted at the driver (SQLAlchemy's before_cursor_execute), for the whole
request: the Basic-auth lookup of the caller included.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.conftest import APP_BODY
from webui.extensions import db

MAX_STATEMENTS = 8  # a list should need a handful, not one per item


@contextmanager
def recording(app):
    """Collect the SQL text of every statement executed inside the block."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements(app, client, path: str, headers: dict, expect: int) -> list[str]:
    """The statements of one GET of path (after a first, uncounted one that fills the
    credential cache), checking that the page holds `expect` items."""
    assert client.get(path, headers=headers).status_code == 200
    with recording(app) as seen:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.json
    (items,) = response.json.values()
    assert len(items) == expect
    return list(seen)


def assert_list_is_flat(app, client, path: str, headers: dict, add, before: int = 0) -> None:
    """add(first, count) creates count items; a list of before + 2 items and one of
    before + 12 must issue the same statements."""
    add(0, 2)
    small = statements(app, client, path, headers, before + 2)
    add(2, 10)
    assert_flat(small, statements(app, client, path, headers, before + 12))


def assert_flat(small: list[str], large: list[str]) -> None:
    assert len(large) == len(small), "\n".join(["small:", *small, "large:", *large])
    assert len(large) <= MAX_STATEMENTS, "\n".join(large)
    # The caller's credentials are looked up in the database on every request (the
    # credential cache only spares the hash), and counted here.
    assert any("FROM user_account" in s and "user_name" in s for s in large), large


def test_profile_list_is_flat(app, client, admin, alice):
    def add(first: int, count: int) -> None:
        # Each profile with an application of its own: a lazy load per item would show.
        for i in range(first, first + count):
            created = client.post("/api/mgmt/oauthapps", headers=admin.basic,
                                  json={**APP_BODY, "name": f"app_{i}"})
            assert created.status_code == 201, created.json
            response = client.post("/api/mgmt/oauthprofiles", headers=alice.basic,
                                   json={"name": f"profile_{i}", "oauthAppId": created.json["id"],
                                         "accessToken": "at", "refreshToken": "rt"})
            assert response.status_code == 201, response.json

    assert_list_is_flat(app, client, "/api/mgmt/oauthprofiles", alice.basic, add)


def test_application_list_is_flat(app, client, admin, alice):
    def add(first: int, count: int) -> None:
        for i in range(first, first + count):
            response = client.post("/api/mgmt/oauthapps", headers=admin.basic,
                                   json={**APP_BODY, "name": f"app_{i}"})
            assert response.status_code == 201, response.json

    assert_list_is_flat(app, client, "/api/mgmt/oauthapps", alice.basic, add)


def test_user_list_is_flat(app, client, admin, make_user):
    def add(first: int, count: int) -> None:
        for i in range(first, first + count):
            # Roles and explicit permissions: both collections are serialized per user.
            make_user(f"user_{i}", ("User", "Tenant Administrator"), permissions=(21,))

    assert_list_is_flat(app, client, "/api/admin/users", admin.basic, add,
                        before=1)  # admin included


def test_role_list_is_flat(app, client, admin):
    def add(first: int, count: int) -> None:
        for i in range(first, first + count):
            response = client.post("/api/admin/roles", headers=admin.basic,
                                   json={"name": f"role_{i}", "description": "bench",
                                         "permissions": [1, 2], "users": []})
            assert response.status_code == 201, response.json

    path = "/api/admin/roles"
    builtin = len(client.get(path, headers=admin.basic).json["roles"])
    assert_list_is_flat(app, client, path, admin.basic, add, before=builtin)


def test_a_page_costs_the_same_whatever_its_limit(app, client, alice, google_app):
    for i in range(7):
        response = client.post("/api/mgmt/oauthprofiles", headers=alice.basic,
                               json={"name": f"p_{i}", "oauthAppId": google_app,
                                     "refreshToken": "rt"})
        assert response.status_code == 201, response.json
    one = statements(app, client, "/api/mgmt/oauthprofiles?limit=1", alice.basic, 1)
    six = statements(app, client, "/api/mgmt/oauthprofiles?limit=6&cursor=0", alice.basic, 6)
    assert_flat(one, six)
