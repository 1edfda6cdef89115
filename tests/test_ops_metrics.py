"""/metrics: never open by default, open to the configured networks or bearer token; requests
by route template, failed sign-ins and 429s, the functions other modules call; sums across
two gunicorn workers (a real gunicorn, started by the test)."""
from __future__ import annotations

import base64
import http.client
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import free_port
from webui.infra import metrics

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "metrics-token-5e6f"


def samples(text: str) -> dict[tuple, float]:
    """{(name, (label, value)...): value} of a scrape."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_closed_unless_configured(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=bearer()).status_code == 404


def test_the_bearer_token_or_an_allowed_network_opens_it(app, client):
    app.config["METRICS_BEARER_TOKEN"] = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers=bearer("wrong")).status_code == 403
    assert client.get("/metrics", headers=bearer()).status_code == 200
    app.config["METRICS_ALLOWED_NETWORKS"] = ["10.0.0.0/8"]
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 403
    app.config["METRICS_BEARER_TOKEN"] = None
    assert client.get("/metrics", headers=bearer(),
                      environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 403


def test_requests_sign_in_failures_and_429s_are_counted(app, client, admin, alice,
                                                        google_app):
    app.config["METRICS_BEARER_TOKEN"] = TOKEN
    before = client.get("/metrics", headers=bearer()).text
    client.get("/api/mgmt/oauthprofiles/424242", headers=admin.basic)
    wrong = {"Authorization": "Basic " + base64.b64encode(b"alice:wrong-guess").decode()}
    statuses = [client.get("/api/mgmt/user", headers=wrong).status_code for _ in range(12)]
    assert statuses.count(401) == 10 and statuses.count(429) == 2
    after = client.get("/metrics", headers=bearer()).text
    route = "/api/mgmt/oauthprofiles/<id:profile_id>"
    grew = [value(after, name, **labels) - value(before, name, **labels)
            for name, labels in [
                ("webui_http_requests_total", dict(route=route, method="GET", status="404")),
                ("webui_http_requests_total", dict(route="/api/mgmt/user", method="GET",
                                                   status="429")),
                ("webui_failed_sign_ins_total", {}),
                ("webui_throttled_sign_ins_total", {}),
                ("webui_http_request_duration_seconds_count", dict(route=route, method="GET"))]]
    assert grew == [1, 2, 10, 2, 1]
    assert "alice" not in after and "424242" not in after  # no user, no id as a label
    assert value(after, "webui_oauth_profiles", status="active") >= 0


def test_the_functions_other_modules_call_appear_in_the_scrape(app, client):
    app.config["METRICS_BEARER_TOKEN"] = TOKEN
    metrics.token_handed_out(refreshed=True)
    metrics.token_handed_out(refreshed=False)
    metrics.refresh_outcome("refused")
    metrics.provider_latency(0.3)
    metrics.webhook_delivery("delivered")
    text = client.get("/metrics", headers=bearer()).text
    assert value(text, "webui_token_handouts_total", refreshed="true") >= 1
    assert value(text, "webui_token_handouts_total", refreshed="false") >= 1
    assert value(text, "webui_token_refreshes_total", outcome="refused") >= 1
    assert value(text, "webui_provider_request_duration_seconds_count") >= 1
    assert value(text, "webui_webhook_deliveries_total", outcome="delivered") >= 1


def test_profiles_by_status_comes_from_a_cached_count(app, client, admin, google_app,
                                                      monkeypatch):
    app.config["METRICS_BEARER_TOKEN"] = TOKEN
    monkeypatch.setattr(metrics, "_profile_counts", (0.0, {}))
    for name in ("One", "Two"):
        assert client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
            "name": name, "oauthAppId": google_app, "refreshToken": "r"}).status_code == 201
    text = client.get("/metrics", headers=bearer()).text
    assert value(text, "webui_oauth_profiles", status="active") == 2
    assert value(text, "webui_oauth_profiles", status="needs_reauthorization") == 0
    client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
        "name": "Three", "oauthAppId": google_app, "refreshToken": "r"})
    text = client.get("/metrics", headers=bearer()).text
    assert value(text, "webui_oauth_profiles", status="active") == 2  # still the cached count


def get(port: int, path: str, headers=None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def worker_pids(folder: Path) -> set[int]:
    return {int(p.stem.rsplit("_", 1)[1]) for p in folder.glob("counter_*.db")}


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn.conf.py with two workers on a migrated SQLite database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
           "SECRET_KEY": "s" * 32, "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "ADMIN_PASSWORD": "metrics admin passphrase 1", "METRICS_BEARER_TOKEN": TOKEN,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "WEB_CONCURRENCY": "2",
           "ARGON2_MEMORY_COST": "1024", "ARGON2_TIME_COST": "1", "ARGON2_PARALLELISM": "1"}
    (tmp_path / "metrics").mkdir()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init-db"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "-b",
         f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    polls = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            polls += 1
            if get(port, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("gunicorn did not start")
    yield port, tmp_path / "metrics", server.pid, 1  # one /healthz answered so far
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_sums_across_two_gunicorn_workers_survive_a_dead_worker(gunicorn):
    port, folder, master, answered = gunicorn
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: get(port, "/healthz")[0], range(80)))
    assert statuses == [200] * 80
    answered += 80
    # On a busy machine one worker may take every request for a while: ask until both have
    # answered (each counted below all the same).
    deadline = time.monotonic() + 30
    while len(worker_pids(folder) - {master}) < 2 and time.monotonic() < deadline:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(lambda _: get(port, "/healthz")[0], range(16))) == [200] * 16
        answered += 16
    pids = worker_pids(folder) - {master}  # the master preloaded the app, and its metrics
    assert len(pids) == 2, "both workers should have answered"
    status, text = get(port, "/metrics", bearer())
    assert status == 200
    total = answered
    assert value(text, "webui_http_requests_total", route="/healthz", method="GET",
                 status="200") == total
    assert value(text, "webui_http_request_duration_seconds_count", route="/healthz",
                 method="GET") == total
    # A worker dies: gunicorn replaces it, and what it counted stays in the sums.
    os.kill(min(pids), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while len(worker_pids(folder) - {master}) < 3 and time.monotonic() < deadline:
        get(port, "/healthz")
        total += 1
    status, text = get(port, "/metrics", bearer())
    assert value(text, "webui_http_requests_total", route="/healthz", method="GET",
                 status="200") == total
