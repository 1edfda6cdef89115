"""Shared fixtures. Every test that takes ``app`` runs twice: on SQLite and on PostgreSQL
(TEST_DATABASE_URL). Without a PostgreSQL server the second run skips with the reason; in CI
(CI=true) a missing service fails instead, so nothing skips unnoticed there."""
from __future__ import annotations

import base64
import os
import shutil
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from webui import create_app
from webui.domain import bootstrap, roles, users
from webui.extensions import db

PASSWORD = "test-password-1234"
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_KEYS = [Fernet.generate_key().decode()]


def unavailable(reason: str):
    """Skip, or fail in CI where every test must run."""
    if CI:
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


def base_config(uri: str, **extra) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": uri,
            "TOKEN_ENCRYPTION_KEYS": TEST_KEYS, "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1,
            "SERVER_NAME": None, "PUBLIC_BASE_URL": "http://localhost", **extra}


def migrate_and_seed(app) -> None:
    from flask_migrate import upgrade
    with app.app_context():
        upgrade()
        bootstrap.seed()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, seeded SQLite file; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(base_config(f"sqlite:///{path}"))
    migrate_and_seed(app)
    with create_engine(f"sqlite:///{path}").connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (for a server a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def accepts(port: int, timeout: float = 0.2) -> bool:
    """Whether something listens on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
        return True
    except OSError:
        return False


def postgres_server_url():
    """TEST_DATABASE_URL (with the psycopg driver), or None when it is not set."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    return make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)
                    if url.startswith("postgresql://") else url)


def create_database(server, prefix: str) -> str:
    """A new empty database named prefix_<random> on server (an AUTOCOMMIT engine); its
    name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return name


def drop_database(server, name: str) -> None:
    """Drop the database create_database made, and dispose of server."""
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def scratch_postgres(prefix: str, config: dict):
    """A database of a run's own on the TEST_DATABASE_URL server, migrated and seeded with
    ``config``, dropped at the end (fixtures ``yield from`` it). Yields its URL; None without
    TEST_DATABASE_URL; a sentence starting "PostgreSQL at" when the server does not answer."""
    url = postgres_server_url()
    if url is None:
        yield None
        return
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        name = create_database(server, prefix)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "unavailable"
        server.dispose()
        yield f"PostgreSQL at TEST_DATABASE_URL unreachable: {type(exc).__name__}"
        return
    own = url.set(database=name).render_as_string(hide_password=False)
    migrate_and_seed(create_app({**config, "SQLALCHEMY_DATABASE_URI": own}))
    yield own
    drop_database(server, name)


@pytest.fixture(scope="session")
def postgres_database():
    """A database of our own on the TEST_DATABASE_URL server, dropped at the end."""
    yield from scratch_postgres("webui_test", base_config(""))


@pytest.fixture
def empty_database(backend, tmp_path):
    """A database with no table at all, of the backend under test (PostgreSQL: one of its
    own on the TEST_DATABASE_URL server, dropped afterwards), for migration tests."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = postgres_server_url()
    if url is None:
        unavailable("TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    name = create_database(server, "webui_migration")
    yield url.set(database=name).render_as_string(hide_password=False)
    drop_database(server, name)


def _truncate_and_seed(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.commit()
        bootstrap.seed()
        db.session.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_uri(backend, tmp_path, request) -> str:
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    pg = request.getfixturevalue("postgres_database")
    if pg is None:
        unavailable("TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    if pg.startswith("PostgreSQL at"):
        unavailable(pg)
    return pg


@pytest.fixture
def app_config(database_uri) -> dict:
    """Override in a test module (or update in a test) to change settings."""
    return base_config(database_uri)


@pytest.fixture
def app(app_config, backend):
    app = create_app(app_config)
    if backend == "postgresql":
        _truncate_and_seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    password: str

    @property
    def basic(self) -> dict[str, str]:
        return basic(self.name, self.password)


def basic(name: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def make_user(app):
    """make_user(name, roles=("User",), permissions=(), active=True) -> Account."""
    def make(name: str, roles_: tuple[str, ...] = ("User",), permissions=(), active=True,
             password: str = PASSWORD) -> Account:
        with app.app_context():
            role_ids = [roles.role_id_by_name(r) for r in roles_]
            user = users.create_user(bootstrap.SYSTEM, {
                "userName": name, "statusInfo": {"status": 1 if active else 0},
                "passwordInfo": {"password": password},
                "permissions": {"roles": role_ids, "permissions": list(permissions)}})
            account = Account(user.id, name, password)
            db.session.remove()
        return account
    return make


@pytest.fixture
def admin(make_user) -> Account:
    return make_user("admin", ("Administrator",))


@pytest.fixture
def alice(make_user) -> Account:
    return make_user("alice")


@pytest.fixture
def google_app(client, admin) -> int:
    """An OAuth application (Google Analytics) registered through the API; its id."""
    response = client.post("/api/mgmt/oauthapps", headers=admin.basic, json=APP_BODY)
    assert response.status_code == 201, response.json
    return response.json["id"]


APP_BODY = {
    "name": "GA_app", "dataStore": 54, "description": "Google Analytics",
    "clientId": "client-id-123.apps.example", "clientSecret": "client-secret-XYZ-9876",
    "authorizeURI": "https://accounts.google.com/o/oauth2/v2/auth",
    "tokenURI": "https://oauth2.googleapis.com/token",
    "scope": "https://www.googleapis.com/auth/analytics.readonly",
}


def form_fields(html: str, selector: str = "form") -> tuple[str | None, dict[str, str]]:
    """(action, every named field with its rendered value) of the form, as a browser would
    send it: inputs (checked boxes only), selects (selected option), textareas."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    assert form is not None, f"no {selector} on the page"
    data: dict[str, str] = {}
    for el in form.select("input[name]"):
        kind = el.get("type", "text")
        if kind in {"submit", "button", "image", "reset"}:
            continue
        if kind in {"checkbox", "radio"} and not el.has_attr("checked"):
            continue
        data[el["name"]] = el.get("value", "on" if kind == "checkbox" else "")
    for el in form.select("textarea[name]"):
        data[el["name"]] = el.text
    for el in form.select("select[name]"):
        chosen = el.select_one("option[selected]") or el.select_one("option")
        data[el["name"]] = chosen.get("value", chosen.text) if chosen else ""
    return form.get("action"), data
