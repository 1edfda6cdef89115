"""Whether this process can serve: the checks behind ``/readyz``.

A load balancer polls every second, from every balancer, so each check is one round trip or
none: the database answers one SELECT of ``alembic_version`` (reachable, and migrated to the
head this code expects: the heads are read from the migration scripts once per process); Redis
and the Celery broker one PING (or a TCP connect for a non-Redis broker), each with a 1 s
timeout; the key check (the newest and oldest stored secret of each kind decrypt, as at
start) is remembered for KEY_CHECK_SECONDS, as the keys cannot change without a restart.

Answers name each check and its state (``ok``, ``down``, ``behind``, ``failed``, or
``unchecked`` when the database it needs is down), never an error text, a version or a
secret.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import redis
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import select, text

from webui.extensions import db
from webui.infra.cipher import UndecryptableSecret
from webui.models import OAuthApplication, OAuthProfile

EXTENSION = "readiness"
KEY_CHECK_SECONDS = 60.0
TIMEOUT_SECONDS = 1.0


def check_keys() -> None:
    """Raises UndecryptableSecret when the newest or the oldest stored secret of any kind
    cannot be decrypted with the configured keys (a wrong or missing TOKEN_ENCRYPTION_KEYS,
    or an old key dropped before ``rotate-keys`` re-encrypted the old rows). Two rows per
    column keep it fast at any size; rotate-keys itself reads every row."""
    for column in (OAuthApplication.client_secret, OAuthProfile.refresh_token,
                   OAuthProfile.access_token):
        model = column.class_
        for order in (model.id.desc(), model.id.asc()):
            db.session.scalar(select(column).where(column.is_not(None))
                              .order_by(order).limit(1))
    db.session.rollback()


@dataclass
class Readiness:
    """The per-process state of the checks: the migration heads, the Redis clients, the last
    key check."""
    migrations: Path
    heads: frozenset[str] | None = None
    clients: dict[str, redis.Redis] = field(default_factory=dict)
    keys_ok_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expected_heads(self) -> frozenset[str]:
        if self.heads is None:
            self.heads = frozenset(ScriptDirectory(str(self.migrations)).get_heads())
        return self.heads

    def ping(self, url: str) -> str:
        if urlsplit(url).scheme in {"redis", "rediss"}:
            with self.lock:
                client = self.clients.get(url) or self.clients.setdefault(
                    url, redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS,
                                              socket_connect_timeout=TIMEOUT_SECONDS))
            try:
                return "ok" if client.ping() else "down"
            except (redis.RedisError, OSError):
                return "down"
        parts = urlsplit(url)  # another broker (amqp): that it accepts a connection
        try:
            socket.create_connection((parts.hostname or "localhost", parts.port or 5672),
                                     timeout=TIMEOUT_SECONDS).close()
            return "ok"
        except OSError:
            return "down"

    def keys(self) -> str:
        if time.monotonic() < self.keys_ok_until:
            return "ok"
        try:
            check_keys()
        except UndecryptableSecret:
            db.session.rollback()
            return "failed"
        self.keys_ok_until = time.monotonic() + KEY_CHECK_SECONDS
        return "ok"


def register(app: Flask, migrations: Path) -> None:
    app.extensions[EXTENSION] = Readiness(migrations)


def checks() -> dict[str, str]:
    """Each configured check and its state. Needs an app context."""
    state: Readiness = current_app.extensions[EXTENSION]
    config = current_app.config
    found: dict[str, str] = {}
    try:
        stored = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
        db.session.rollback()
        found["database"] = "ok"
        found["migrations"] = "ok" if stored == state.expected_heads() else "behind"
    except Exception:  # noqa: BLE001 - unreachable, refused, no schema: not ready either way
        db.session.rollback()
        found["database"] = "down"
        found["migrations"] = "unchecked"
    found["keys"] = state.keys() if found["migrations"] == "ok" else "unchecked"
    storage = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if storage.startswith(("redis://", "rediss://")):
        found["redis"] = state.ping(storage)
    if config.get("CELERY_BROKER_URL"):
        found["broker"] = state.ping(config["CELERY_BROKER_URL"])
    return found
