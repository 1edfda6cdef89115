"""Real Celery worker processes for the tests, on the machine's Redis (database 13 only,
TEST_CELERY_REDIS_URL to change it), working on the test's database."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import redis

from tests.conftest import unavailable
from webui import tasks

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def broker(app) -> Iterator[redis.Redis]:
    """An empty Redis database for the broker; the tasks bound to the test's app."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL} unreachable: {type(exc).__name__}")
    client.flushdb()
    app.config["CELERY_BROKER_URL"] = REDIS_URL
    tasks.bind(app)
    yield client
    tasks._flask_app = None
    client.flushdb()
    client.close()


def environment(app) -> dict[str, str]:
    """The test app's settings as a deployment's environment."""
    config = app.config
    return {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": config["SECRET_KEY"],
            "TOKEN_ENCRYPTION_KEYS": ",".join(config["TOKEN_ENCRYPTION_KEYS"]),
            "CELERY_BROKER_URL": REDIS_URL,
            "ALLOW_HTTP_LOOPBACK_OAUTH": "1" if config["ALLOW_HTTP_LOOPBACK_OAUTH"] else "0",
            "OAUTH_ALLOWED_NETWORKS": config["OAUTH_ALLOWED_NETWORKS"],
            "OUTBOUND_DEADLINE_SECONDS": str(config["OUTBOUND_DEADLINE_SECONDS"]),
            "REFRESH_PER_HOST": str(config["REFRESH_PER_HOST"])}


@contextmanager
def celery(app, log: Path, args: list[str], ready: str, **env: str) -> Iterator[None]:
    """``celery -A webui.tasks.celery_app <args>`` as a deployment runs it, with the test
    app's settings (and env besides), until the block ends; started once ``ready`` is
    logged."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "webui.tasks.celery_app", *args],
            cwd=ROOT, env={**environment(app), **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while ready not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(30)


def worker(app, log: Path, name: str = "w1", concurrency: int = 2):
    return celery(app, log, ["worker", "--loglevel=INFO", "--concurrency", str(concurrency),
                             "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
                             "--without-heartbeat"], "ready.")


def beat(app, log: Path, every: float):
    return celery(app, log, ["beat", "--loglevel=DEBUG"], "beat: Starting",
                  REFRESH_BEAT_SECONDS=str(every))


def drained(client: redis.Redis, timeout: float = 60) -> None:
    """Wait until every task sent has been taken and acknowledged (and no retry came back
    for half a second: a message moves from the queue to the unacked set in two steps)."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while quiet_since is None or time.monotonic() - quiet_since < 0.5:
        assert time.monotonic() < deadline, "tasks still queued"
        busy = client.llen("celery") or client.hlen("unacked")
        quiet_since = None if busy else (quiet_since or time.monotonic())
        time.sleep(0.05)
