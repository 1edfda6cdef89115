"""Look-alike names (issue: identical on the page and in the audit trail): names are NFKC-
normalized, invisible and bidi characters are refused, and names whose keys (case-folded,
TS #39 confusables) are equal cannot both exist, through the API and the forms alike."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from tests.conftest import PASSWORD, base_config
from tests.pages import field_error, login, submit
from webui import create_app
from webui.domain.rules import INVISIBLE_MESSAGE
from webui.extensions import db
from webui.models import User

USERS = "/api/admin/users"
ROLES = "/api/admin/roles"


def user_body(name: str) -> dict:
    return {"userName": name, "statusInfo": {"status": 1},
            "passwordInfo": {"password": PASSWORD}, "permissions": {"roles": [2]}}


@pytest.mark.parametrize("name", ["alice\u200b", "\u202eecila", "\ufeffalice", "ali\u2060ce",
                                  "al\u2028ice"])
def test_invisible_and_bidi_characters_are_refused(client, admin, name):
    response = client.post(USERS, headers=admin.basic, json=user_body(name))
    assert response.status_code == 400
    assert response.json["error"]["message"]["value"] == \
        INVISIBLE_MESSAGE.format(label="User name")
    role = client.post(ROLES, headers=admin.basic, json={
        "name": "Administrator\u200b", "permissions": [], "users": []})
    assert role.status_code == 400


@pytest.mark.parametrize("twin", ["Alice", "ALICE", "\u0430lice", "\uff41lice", "a1ice"])
def test_a_look_alike_of_an_existing_user_is_taken(client, admin, alice, twin):
    response = client.post(USERS, headers=admin.basic, json=user_body(twin))
    assert response.status_code == 409, (twin, response.json)
    assert response.json["error"]["code"] == "222209002"


def test_a_look_alike_role_and_profile_are_taken(client, admin, alice, google_app):
    role = client.post(ROLES, headers=admin.basic, json={
        "name": "administrator", "permissions": [], "users": []})
    assert role.status_code == 409  # beside the predefined "Administrator"
    body = {"oauthAppId": google_app, "refreshToken": "r"}
    assert client.post("/api/mgmt/oauthprofiles", headers=alice.basic,
                       json={"name": "Sales_1", **body}).status_code == 201
    for twin in ("sales_1", "SALES_l"):
        response = client.post("/api/mgmt/oauthprofiles", headers=alice.basic,
                               json={"name": twin, **body})
        assert response.status_code == 409, twin
    full_width = client.post("/api/mgmt/oauthprofiles", headers=alice.basic,
                             json={"name": "\uff2dine", **body})
    assert full_width.status_code == 201 and full_width.json["name"] == "Mine"


def test_the_user_form_says_so_next_to_the_field(client, admin, alice):
    login(client, admin)
    response = submit(client, "/users/new", userName="\u0430lice", password=PASSWORD)
    assert response.status_code == 422
    assert field_error(response.text, "userName") == "A user with this name already exists."
    response = submit(client, "/users/new", userName="bob\u200b", password=PASSWORD)
    assert field_error(response.text, "userName") == INVISIBLE_MESSAGE.format(label="User name")


def test_existing_look_alikes_survive_the_migration(tmp_path):
    """A database at the previous head holding "Alice" and "alice" upgrades with both rows
    kept (and keyed apart); a third look-alike is refused afterwards."""
    app = create_app(base_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade(revision="0003")
        db.session.execute(text("INSERT INTO tenant (id, name) VALUES (1, 'System')"))
        for name in ("Alice", "alice"):
            db.session.execute(text(
                "INSERT INTO user_account (tenant_id, user_name, active, password_hash, "
                "password_status, credential_version, created_at, updated_at) VALUES "
                "(1, :n, 1, 'x', 1, 1, '2026-01-01', '2026-01-01')"), {"n": name})
        db.session.commit()
        upgrade()
        rows = db.session.execute(select(User.user_name, User.name_key)
                                  .order_by(User.id)).all()
        assert [r.user_name for r in rows] == ["Alice", "alice"]
        assert rows[0].name_key != rows[1].name_key
        db.session.remove()
        db.engine.dispose()
