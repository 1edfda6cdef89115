"""Configuration: defaults < instance/config.py < environment; instance-folder secrets."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from tests.conftest import base_config, unavailable
from webui import config, create_app
from webui.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_env(monkeypatch):
    """No setting comes from the real environment."""
    for setting in config.SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    return monkeypatch


def dispose(app):
    with app.app_context():
        db.engine.dispose()


def test_from_env_parses_each_setting():
    key = Fernet.generate_key().decode()
    found = config.from_env({"DATABASE_URL": "sqlite:///x.db", "TOKEN_ENCRYPTION_KEYS":
                             f" {key} , other ,", "EXPOSE_SECRETS_ON_READ": "Yes",
                             "ALLOW_HTTP_LOOPBACK_OAUTH": "0", "CREDENTIAL_CACHE_SECONDS": "5",
                             "SESSION_IDLE_MINUTES": "1.5", "SECRET_KEY": "", "UNRELATED": "x"})
    assert found == {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db",
                     "TOKEN_ENCRYPTION_KEYS": [key, "other"], "EXPOSE_SECRETS_ON_READ": True,
                     "ALLOW_HTTP_LOOPBACK_OAUTH": False, "CREDENTIAL_CACHE_SECONDS": 5,
                     "SESSION_IDLE_TIMEOUT": config.timedelta(seconds=90)}


def test_from_env_refuses_malformed_numbers():
    with pytest.raises(ValueError):
        config.from_env({"CREDENTIAL_CACHE_SECONDS": "soon"})


def test_every_environment_variable_reaches_its_setting(clean_env, tmp_path):
    for setting in config.SETTINGS:
        clean_env.setenv(setting.env, setting.kind.example)
    database = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    clean_env.setenv("DATABASE_URL", database)
    app = create_app(instance_path=tmp_path / "instance")
    for setting in config.SETTINGS:
        expected = database if setting.env == "DATABASE_URL" \
            else setting.kind.parse(setting.kind.example)
        assert app.config[setting.config_key] == expected, setting.env
        assert expected != setting.default, f"{setting.env}: pick an example that differs"
    dispose(app)


@pytest.mark.parametrize("var, text", [
    ("CREDENTIAL_CACHE_SECONDS", "soon"), ("PROXY_FIX_HOPS", "-1"),
    ("ARGON2_TIME_COST", "0"), ("OUTBOUND_DEADLINE_SECONDS", "nan"),
    ("SESSION_IDLE_MINUTES", "half an hour"),
    ("EXPOSE_SECRETS_ON_READ", "maybe"), ("LOGIN_FAILURE_LIMIT", "lots"),
    ("RATELIMIT_STORAGE_URI", "mongodb://h"), ("PUBLIC_BASE_URL", "example.org"),
    ("DATABASE_URL", "not a url"), ("LOG_FORMAT", "xml"),
    ("METRICS_ALLOWED_NETWORKS", "10.0.0.0/8,the office")])
def test_a_malformed_variable_stops_the_start_naming_it(clean_env, tmp_path, var, text):
    clean_env.setenv(var, text)
    with pytest.raises(SystemExit) as stopped:
        create_app(instance_path=tmp_path / "instance")
    assert str(stopped.value).startswith(f"Refusing to start: {var}: expected")
    assert text not in str(stopped.value)  # values may be secrets: never repeated


def test_the_server_entry_point_stops_on_a_malformed_variable(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
           "KNOWN_CLIENT_DAYS": "a month"}
    done = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Refusing to start: KNOWN_CLIENT_DAYS: expected a whole number" in done.stderr
    assert "Traceback" not in done.stderr


def test_precedence_defaults_then_instance_file_then_environment(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        "PUBLIC_BASE_URL = 'https://from-file.example'\n"
        "EXPOSE_SECRETS_ON_READ = True\n"
        "CREDENTIAL_CACHE_SECONDS = 7\n")
    clean_env.setenv("PUBLIC_BASE_URL", "https://from-env.example")
    clean_env.setenv("CREDENTIAL_CACHE_SECONDS", "9")
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    app = create_app(instance_path=instance)
    assert app.config["PUBLIC_BASE_URL"] == "https://from-env.example"  # env beats file
    assert app.config["CREDENTIAL_CACHE_SECONDS"] == 9
    assert app.config["EXPOSE_SECRETS_ON_READ"] is True  # file beats default
    assert app.config["SQLITE_BUSY_TIMEOUT_MS"] == config.Defaults.SQLITE_BUSY_TIMEOUT_MS
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.sqlite3'}"
    dispose(app)


def test_a_test_mapping_replaces_file_and_environment(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("PUBLIC_BASE_URL = 'https://from-file.example'\n")
    clean_env.setenv("EXPOSE_SECRETS_ON_READ", "true")
    mapping = base_config(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app(mapping, instance_path=instance)
    assert app.config["PUBLIC_BASE_URL"] == mapping["PUBLIC_BASE_URL"] != "https://from-file.example"
    assert app.config["EXPOSE_SECRETS_ON_READ"] is False
    dispose(app)


def test_secrets_are_generated_once_into_the_instance_folder_with_mode_0600(clean_env,
                                                                            tmp_path):
    instance = tmp_path / "fresh-instance"
    app = create_app(instance_path=instance)
    files = {p.name for p in instance.iterdir()}
    assert {"secret_key", "token_keys"} <= files
    for name in ("secret_key", "token_keys"):
        assert stat.S_IMODE(os.stat(instance / name).st_mode) == 0o600
    assert app.config["SECRET_KEY"] == (instance / "secret_key").read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 64
    (key,) = app.config["TOKEN_ENCRYPTION_KEYS"]
    Fernet(key.encode())  # a valid key
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'webui.sqlite3'}"
    again = create_app(instance_path=instance)
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert again.config["TOKEN_ENCRYPTION_KEYS"] == [key]
    other = create_app(instance_path=tmp_path / "other-instance")
    assert other.config["SECRET_KEY"] != app.config["SECRET_KEY"]
    for a in (app, again, other):
        dispose(a)


def test_the_environment_secret_key_wins_and_no_file_is_written(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    clean_env.setenv("TOKEN_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app(instance_path=tmp_path / "instance")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()
    assert not (tmp_path / "instance" / "token_keys").exists()
    dispose(app)


def test_a_malformed_token_key_is_refused(tmp_path):
    with pytest.raises(ValueError, match="TOKEN_ENCRYPTION_KEYS"):
        create_app(base_config(f"sqlite:///{tmp_path / 'x.sqlite3'}",
                               TOKEN_ENCRYPTION_KEYS=["not-a-fernet-key"]))


def test_sqlite_runs_in_wal_with_a_busy_timeout(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'wal.sqlite3'}",
                                 SQLITE_BUSY_TIMEOUT_MS=4321))
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 4321
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://", "postgresql+psycopg://"])
def test_postgresql_by_database_url_alone(clean_env, tmp_path, scheme):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        unavailable("TEST_DATABASE_URL is not set")
    clean_env.setenv("DATABASE_URL", scheme + url.split("://", 1)[1])
    app = create_app(instance_path=tmp_path / "instance")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        assert db.engine.dialect.name == "postgresql"
        db.session.remove()
        db.engine.dispose()
