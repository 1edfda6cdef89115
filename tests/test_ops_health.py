"""/healthz answers while the process runs; /readyz says 503 while the database, Redis, the
broker or the keys fail, and 200 again when they return (real servers the test starts)."""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from tests.conftest import accepts, base_config, free_port, unavailable
from webui import create_app
from webui.extensions import db


class RedisServer:
    """A throwaway redis-server on a port of its own, stopped and started at will."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            unavailable("redis-server is not installed")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if accepts(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def test_ready_when_the_database_is_migrated_and_the_keys_open_its_secrets(client,
                                                                           google_app):
    assert client.get("/healthz").json == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "keys": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_unready_while_the_database_is_unreachable_but_the_process_is_healthy(tmp_path):
    app = create_app(base_config(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "down", "migrations": "unchecked",
                                       "keys": "unchecked"}
    assert "postgres" not in response.text and "127.0.0.1" not in response.text


def test_unready_when_the_migrations_are_behind(app, client):
    with app.app_context():
        (head,) = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()
        db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["migrations"] == "behind"
        assert head not in response.text and "0001" not in response.text  # no versions
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()


def test_unready_when_the_keys_cannot_open_a_stored_secret(app_config, client, google_app):
    wrong = create_app({**app_config, "TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()]})
    response = wrong.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["keys"] == "failed"
    with wrong.app_context():
        db.engine.dispose()


def test_follows_redis_and_the_broker_as_they_stop_and_return(app_config, redis_server):
    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": redis_server.url,
                      "CELERY_BROKER_URL": redis_server.url.replace("/0", "/1")})
    client = app.test_client()
    try:
        response = client.get("/readyz")
        assert response.status_code == 200, response.json
        assert response.json["checks"]["redis"] == "ok"
        assert response.json["checks"]["broker"] == "ok"
        redis_server.stop()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["redis"] == "down"
        assert response.json["checks"]["broker"] == "down"
        assert response.json["checks"]["database"] == "ok"
        assert str(redis_server.port) not in response.text
        redis_server.start()
        assert client.get("/readyz").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_broker_that_is_no_redis_is_checked_by_a_connection(app_config):
    app = create_app({**app_config, "CELERY_BROKER_URL": f"amqp://127.0.0.1:{free_port()}//"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["broker"] == "down"
    with app.app_context():
        db.engine.dispose()
