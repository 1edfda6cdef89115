"""webui.startup.prepare: what a starting server checks and does before taking requests."""
import re

import pytest
from cryptography.fernet import Fernet

from tests.conftest import APP_BODY, base_config, basic
from webui import create_app
from webui.domain import bootstrap, oauthapps, users
from webui.extensions import db
from webui.startup import prepare

STRONG = "a-strong-password-42"


def test_first_start_creates_admin_with_admin_password(app, client, capsys):
    app.config["ADMIN_PASSWORD"] = STRONG
    prepare(app)
    assert STRONG not in capsys.readouterr().err
    response = client.get("/api/mgmt/user", headers=basic("admin", STRONG))
    assert response.status_code == 200
    assert 12 in response.json["permissions"]


def test_first_start_prints_a_generated_password_once(app, client, capsys):
    prepare(app)
    err = capsys.readouterr().err
    match = re.search(r"password:\n\s+(\S+)\n", err)
    assert match, err
    password = match[1]
    assert len(password) >= 16
    assert client.get("/api/mgmt/user", headers=basic("admin", password)).status_code == 200
    prepare(app)  # the next start: an Administrator exists, nothing is printed
    assert capsys.readouterr().err == ""
    with app.app_context():
        assert [u.user_name for u in users.list_users(bootstrap.SYSTEM).items] == ["admin"]


def test_an_existing_administrator_means_no_admin_account(app, make_user, capsys):
    make_user("root", ("Administrator",))
    prepare(app)
    assert capsys.readouterr().err == ""
    with app.app_context():
        assert users.user_by_name("admin") is None


def test_a_weak_admin_password_refuses_to_start_with_a_clear_message(app):
    app.config["ADMIN_PASSWORD"] = "admin"
    with pytest.raises(SystemExit) as raised:
        prepare(app)
    assert "ADMIN_PASSWORD" in str(raised.value.code)
    with app.app_context():
        assert users.user_by_name("admin") is None


def test_undecryptable_secrets_refuse_to_start(app, app_config):
    with app.app_context():
        oauthapps.create_application(bootstrap.SYSTEM, APP_BODY)
        db.session.remove()
    wrong = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()]})
    with pytest.raises(SystemExit) as raised:
        prepare(wrong)
    message = str(raised.value.code)
    assert message.startswith("Refusing to start:") and "TOKEN_ENCRYPTION_KEYS" in message
    assert APP_BODY["clientSecret"] not in message
    prepare(app)  # the right key starts fine
    with wrong.app_context():
        db.engine.dispose()


def test_old_rows_under_a_dropped_key_refuse_to_start(app, app_config):
    old_key = app_config["TOKEN_ENCRYPTION_KEYS"][0]
    new_key = Fernet.generate_key().decode()
    with app.app_context():  # an old row under the old key
        oauthapps.create_application(bootstrap.SYSTEM, APP_BODY)
        db.session.remove()
    both = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [new_key, old_key]})
    with both.app_context():  # a newer row under the new key
        oauthapps.create_application(bootstrap.SYSTEM, {**APP_BODY, "name": "Newer"})
        db.session.remove()
        db.engine.dispose()
    # The old key dropped before rotate-keys ran: the newest row is fine, the oldest is not.
    dropped = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [new_key]})
    with pytest.raises(SystemExit):
        prepare(dropped)
    with dropped.app_context():
        db.engine.dispose()


def test_a_database_without_schema_is_left_alone(tmp_path, caplog):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    prepare(app)
    assert "init-db" in caplog.text
    with app.app_context():
        db.engine.dispose()
