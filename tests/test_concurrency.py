"""Concurrency and durability against a real server: gunicorn, several worker processes with
threads each, on the test's SQLite file or PostgreSQL database."""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import APP_BODY, free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PROFILES = "/api/mgmt/oauthprofiles"


class Server:
    """A gunicorn process group serving app:app; its output goes to a log file."""

    def __init__(self, app, log: Path, workers: int = 3, threads: int = 4):
        self.port = free_port()
        self.log = log
        env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "SECRET_KEY": "concurrency-test",
               "TOKEN_ENCRYPTION_KEYS": ",".join(app.config["TOKEN_ENCRYPTION_KEYS"]),
               "ADMIN_PASSWORD": "unused-admin-password-123",
               "ALLOW_HTTP_LOOPBACK_OAUTH": "1", "RATELIMIT_STORAGE_URI": "memory://",
               "OAUTH_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128"}
        env.pop("GUNICORN_CMD_ARGS", None)
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--config", "gunicorn.conf.py", "--bind",
                 f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads",
                 str(threads), "app:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log.read_text()}")
            try:
                if self.request("GET", "/api/openapi.json")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not come up:\n{self.log.read_text()}")

    def request(self, method: str, path: str, body=None, auth=None, timeout: float = 60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = "Basic " + base64.b64encode(
                f"{auth.name}:{auth.password}".encode()).decode()
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, json.loads(data) if data else None
        finally:
            conn.close()

    def warm(self, account, rounds: int = 12) -> None:
        """Sign in a few times one after another, so that every worker has verified the
        password once (argon2 at production cost) and later requests measure the writes."""
        for _ in range(rounds):
            assert self.request("GET", "/api/mgmt/user", auth=account)[0] == 200

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no chance to finish anything."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def serving(app, log: Path, **kwargs):
    server = Server(app, log, **kwargs)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def app_id(client, admin) -> int:
    response = client.post("/api/mgmt/oauthapps", headers=admin.basic, json=APP_BODY)
    assert response.status_code == 201
    return response.json["id"]


def profile(name: str, app_id: int) -> dict:
    return {"name": name, "oauthAppId": app_id, "refreshToken": f"refresh-{name}",
            "accessToken": f"access-{name}"}


def all_at_once(server, bodies, account):
    """POST every body at the same moment, one thread each; the (status, body) answers."""
    barrier = threading.Barrier(len(bodies))

    def post(body):
        barrier.wait()
        return server.request("POST", PROFILES, body, account)
    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def server_trouble(log: Path) -> list[str]:
    text = log.read_text()
    return [line for line in text.splitlines()
            if "database is locked" in line or "Traceback" in line or '" 500 ' in line]


def test_same_name_created_concurrently_exactly_once(app, owner, app_id, tmp_path):
    log = tmp_path / "gunicorn.log"
    with serving(app, log) as server:
        server.warm(owner)
        answers = all_at_once(server, [profile("Same_name", app_id)] * 32, owner)
        statuses = sorted(status for status, _ in answers)
        assert statuses == [201] + [409] * 31, statuses
        conflicts = {body["error"]["code"] for status, body in answers if status == 409}
        assert conflicts == {"222209002"}
        listed = server.request("GET", PROFILES, auth=owner)[1]["profiles"]
        assert [p["name"] for p in listed] == ["Same_name"]
    assert server_trouble(log) == []
    # gunicorn.conf.py's start-up warning: three workers counting failed sign-ins apart.
    assert "RATELIMIT_STORAGE_URI is memory:// with 3 workers" in log.read_text()


def test_distinct_creates_all_land(app, owner, app_id, tmp_path):
    log = tmp_path / "gunicorn.log"
    with serving(app, log) as server:
        server.warm(owner)
        names = [f"Profile_{n:02d}" for n in range(60)]
        answers = all_at_once(server, [profile(n, app_id) for n in names], owner)
        assert [status for status, _ in answers] == [201] * 60
        listed = server.request("GET", f"{PROFILES}?limit=1000", auth=owner)[1]["profiles"]
        assert sorted(p["name"] for p in listed) == names
        assert len({p["id"] for p in listed}) == 60
    assert server_trouble(log) == []
    # The access log (gunicorn.conf.py) has the path, status, time and request id of each
    # request, never its query string or who sent it.
    lines = [line for line in log.read_text().splitlines() if f'"GET {PROFILES}"' in line]
    assert lines and all(re.search(r'" 200 \d+ \d+ms [0-9a-f]{32}$', line) for line in lines)
    assert "limit=1000" not in log.read_text() and owner.name not in log.read_text()


def test_killing_the_server_loses_no_acknowledged_profile(app, database_uri, owner, app_id,
                                                          tmp_path):
    log = tmp_path / "gunicorn.log"
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    server = Server(app, log)
    server.warm(owner)

    def writer(worker: int):
        n = 0
        while not stop.is_set() and n < 500:
            name = f"W{worker}_{n}"
            n += 1
            try:
                status, body = server.request("POST", PROFILES, profile(name, app_id), owner,
                                              timeout=10)
            except (OSError, http.client.HTTPException, ValueError):
                return  # the server is gone
            if status == 201:
                with lock:
                    acknowledged[name] = body["id"]
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 80 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # mid-load: requests are in flight in every worker
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    assert len(acknowledged) >= 80

    if database_uri.startswith("sqlite"):
        path = database_uri.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with serving(app, log) as restarted:
        listed = restarted.request("GET", f"{PROFILES}?limit=1000", auth=owner)[1]["profiles"]
        present = {p["name"]: p["id"] for p in listed}
        missing = {n for n in acknowledged if present.get(n) != acknowledged[n]}
        assert missing == set(), f"{len(missing)} acknowledged profiles lost"
        # Each acknowledged profile is whole: its tokens decrypt and read back.
        name = sorted(acknowledged)[0]
        one = restarted.request("GET", f"{PROFILES}/{acknowledged[name]}", auth=owner)[1]
        assert one["hasRefreshToken"] and one["hasAccessToken"]
    assert not [line for line in server_trouble(log) if "database is locked" in line]
