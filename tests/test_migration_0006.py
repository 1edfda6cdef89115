"""Migration 0006 (tenants, data sources) upgrades a database made at revision 0003 and keeps
every row it holds, on SQLite and PostgreSQL."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from webui import create_app
from webui.extensions import db
from tests.conftest import base_config

ROWS = [
    "INSERT INTO tenant (id, name) VALUES (1, 'System')",
    "INSERT INTO permission (id, name, description) VALUES (1, 'CreateDataSource', 'd')",
    "INSERT INTO role (id, tenant_id, name, description, builtin, created_at, updated_at) "
    "VALUES (7, 1, 'Old role', '', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO role_permission (role_id, permission_id) VALUES (7, 1)",
    "INSERT INTO user_account (id, tenant_id, user_name, active, password_hash, "
    "password_status, credential_version, created_at, updated_at) "
    "VALUES (5, 1, 'olduser', true, 'h', 1, 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO user_role (user_id, role_id) VALUES (5, 7)",
    "INSERT INTO oauth_application (id, tenant_id, name, data_store, description, client_id, "
    "authorize_uri, token_uri, scope, created_at, updated_at) VALUES (9, 1, 'App', 54, '', "
    "'cid', 'https://a', 'https://t', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO oauth_profile (id, owner_id, oauth_app_id, name, description, "
    "needs_reauthorization, created_at, updated_at) VALUES (11, 5, 9, 'Prof', '', false, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO login_session (id, user_id, created_at, credential_version) "
    "VALUES ('s1', 5, CURRENT_TIMESTAMP, 3)",
]
COUNTED = ("tenant", "permission", "role", "role_permission", "user_account", "user_role",
           "oauth_application", "oauth_profile", "login_session")


def test_upgrade_from_0003_keeps_every_row(empty_database):
    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision="0003")
        for statement in ROWS:
            db.session.execute(text(statement))
        db.session.commit()
        before = {t: db.session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                  for t in COUNTED}
        db.session.commit()  # end the read snapshot before the schema changes
        upgrade(revision="0006")
        after = {t: db.session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                 for t in COUNTED}
        assert after == before and all(before.values())
        tenant = db.session.execute(text(
            "SELECT name, description, status, parent_id, created_by FROM tenant")).one()
        assert tuple(tenant) == ("System", "", 1, None, None)
        user = db.session.execute(text(
            "SELECT user_name, credential_version FROM user_account WHERE id = 5")).one()
        assert tuple(user) == ("olduser", 3)
        tables = set(inspect(db.engine).get_table_names())
        assert {"tenant_admin", "data_source"} <= tables
        # A data source loses its profile, not itself, when the profile goes.
        db.session.execute(text(
            "INSERT INTO data_source (id, owner_id, name, data_store, description, options, "
            "oauth_profile_id, created_at, updated_at) VALUES (1, 5, 'ds', 54, '', '{}', 11, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        db.session.execute(text("DELETE FROM oauth_profile WHERE id = 11"))
        db.session.commit()
        assert db.session.execute(text(
            "SELECT oauth_profile_id FROM data_source WHERE id = 1")).scalar() is None
        db.session.commit()
        downgrade(revision="0003")
        assert db.session.execute(text("SELECT COUNT(*) FROM user_account")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
