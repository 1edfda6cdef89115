"""Refresh mode: N profiles all due at once, refreshed by real Celery worker processes
(webui/tasks.py) against a local provider that answers in 20 ms, rotates every refresh token
and counts requests.

Printed: refreshes per second against the ideal (REFRESH_PER_HOST token requests at once /
the provider's latency), the lag from due time to refreshed (p50, p99), the token requests the
provider counted (exactly N: none twice, none missed), the refreshes it refused (a refresh
token spent twice) and the rotated refresh tokens lost (the stored one is not the provider's
latest: zero).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import redis
from cryptography.fernet import Fernet
from sqlalchemy import DateTime, bindparam, create_engine, select, text, update
from sqlalchemy.engine import make_url

from bench.product import ROOT

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
LATENCY = 0.020


class Provider:
    """The token endpoint: every refresh token works once and is replaced by the next."""

    def __init__(self):
        self.lock = threading.Lock()
        self.current: dict[str, str] = {}  # chain -> its valid refresh token
        self.requests = 0
        self.refused = 0
        self.in_flight = self.peak = 0

    def answer(self, form: dict[str, str]) -> tuple[int, dict]:
        token = form.get("refresh_token", "")
        chain, _, generation = token.rpartition("-")
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(LATENCY)
            with self.lock:
                if self.current.get(chain) != token:
                    self.refused += 1
                    return 400, {"error": "invalid_grant"}
                new = f"{chain}-{int(generation) + 1}"
                self.current[chain] = new
            return 200, {"access_token": "at-" + new, "token_type": "Bearer",
                         "expires_in": 3600, "refresh_token": new}
        finally:
            with self.lock:
                self.in_flight -= 1


@contextmanager
def serving(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            status, body = provider.answer(form)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/token"
    finally:
        server.shutdown()
        server.server_close()


def environment(database_url: str, per_host: int) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url,
            "SECRET_KEY": Fernet.generate_key().decode(),
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ADMIN_PASSWORD": "bench-Admin-Password-3141", "CELERY_BROKER_URL": REDIS_URL,
            "ALLOW_HTTP_LOOPBACK_OAUTH": "1", "OAUTH_ALLOWED_NETWORKS": "127.0.0.0/8",
            "REFRESH_PER_HOST": str(per_host)}


def make_app(env: dict[str, str]):
    from webui import create_app
    from webui.config import from_env
    return create_app(from_env(env))


def seed(env: dict[str, str], token_uri: str, provider: Provider, count: int) -> None:
    """Migrate (the product's CLI), one application and one owner (use cases), then count
    profiles (bulk SQL), each with a refresh token of its own, encrypted by the product."""
    from webui.domain import bootstrap, oauthapps, roles, users
    from webui.extensions import db
    from webui.infra import cipher
    from webui.models.names import name_key
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "init-db"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    app = make_app(env)
    now = datetime.now(timezone.utc)
    with app.app_context():
        app_id = oauthapps.create_application(bootstrap.SYSTEM, {
            "name": "bench_app", "dataStore": 1, "clientId": "bench-client",
            "clientSecret": "bench-secret", "authorizeURI": token_uri, "tokenURI": token_uri,
            "scope": "read"}).id
        owner = users.create_user(bootstrap.SYSTEM, {
            "userName": "bench", "statusInfo": {"status": 1},
            "passwordInfo": {"password": "bench-Password-2718"},
            "permissions": {"roles": [roles.role_id_by_name("User")], "permissions": []}}).id
        rows = []
        for i in range(count):
            token = f"rt{i}-0"
            provider.current[f"rt{i}"] = token
            rows.append({"owner": owner, "app": app_id, "name": f"p{i}", "key": name_key(f"p{i}"),
                         "token": cipher.encrypt(token), "now": now})
        db.session.execute(text(
            "INSERT INTO oauth_profile (owner_id, oauth_app_id, name, name_key, description,"
            " access_token, refresh_token, needs_reauthorization, refresh_failures,"
            " created_at, updated_at) VALUES (:owner, :app, :name, :key, '', NULL, :token,"
            " false, 0, :now, :now)").bindparams(
                bindparam("now", type_=DateTime(timezone=True))), rows)
        db.session.commit()
        db.session.remove()


@contextmanager
def worker(env: dict[str, str], name: str, concurrency: int, log: Path):
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "webui.tasks.celery_app", "worker",
             "--loglevel=INFO", "--concurrency", str(concurrency), "-n", f"{name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} did not start; see {log}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(60)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(out, label: str, database_url: str, count: int, groups: int, workers: int,
        concurrency: int, per_host: int, work: Path) -> None:
    """One run: seed, start groups x workers worker processes (concurrency each), make every
    profile due now, hand them out with find_due, wait, and report."""
    from webui import tasks
    from webui.domain.refresh import aware
    from webui.extensions import db
    from webui.models import OAuthProfile
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    provider = Provider()
    env = environment(database_url, per_host)
    with serving(provider) as token_uri, ExitStack() as stack:
        seed(env, token_uri, provider, count)
        for g in range(groups):
            for w in range(workers):
                stack.enter_context(worker(env, f"g{g}w{w}", concurrency,
                                           work / f"{label}-g{g}w{w}.log"))
        app = make_app(env)
        tasks.bind(app)
        with app.app_context():
            ahead = timedelta(seconds=app.config["REFRESH_AHEAD_SECONDS"])
            due_at = datetime.now(timezone.utc)
            db.session.execute(update(OAuthProfile).values(token_expires_at=due_at + ahead))
            db.session.commit()
            started = time.monotonic()
            sent = tasks.find_due()
            handed_out = time.monotonic() - started
        deadline = time.monotonic() + 1800
        while provider.requests < count or broker.llen("celery") or broker.hlen("unacked"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(2)  # let a straggler (a second copy) show itself
        with app.app_context():
            rows = db.session.execute(select(OAuthProfile.name, OAuthProfile.refresh_token,
                                             OAuthProfile.tokens_refreshed_at)).all()
            stored = {r.name: r.refresh_token for r in rows}
            refreshed = [aware(r.tokens_refreshed_at) for r in rows if r.tokens_refreshed_at]
            db.session.remove()
            db.engine.dispose()
    tasks._flask_app = None
    lags = [(t - due_at).total_seconds() for t in refreshed]
    elapsed = max(lags) if lags else float("nan")
    lost = sum(1 for i in range(count) if stored[f"p{i}"] != provider.current[f"rt{i}"])
    rate, ideal = len(refreshed) / elapsed, per_host / LATENCY
    ok = provider.requests == count and lost == 0 and provider.refused == 0 \
        and len(refreshed) == count
    out(f"  {label}: {count:,} profiles due; {groups} host(s) x {workers} worker processes x "
        f"concurrency {concurrency}; REFRESH_PER_HOST {per_host}; provider {LATENCY * 1000:.0f} ms")
    out(f"    find_due handed out {sent:,} tasks in {handed_out:.1f} s")
    out(f"    refreshed {len(refreshed):,} in {elapsed:.1f} s: {rate:,.0f} refreshes/s vs ideal "
        f"{ideal:,.0f}/s ({per_host} / {LATENCY * 1000:.0f} ms) = {rate / ideal:.0%}; "
        f"provider's peak concurrency {provider.peak} (cap {per_host})")
    out(f"    lag due -> refreshed: p50 {percentile(lags, 50):.1f} s, p99 "
        f"{percentile(lags, 99):.1f} s")
    out(f"    token requests counted by the provider: {provider.requests:,} (expected "
        f"{count:,}); refused (a token spent twice): {provider.refused}; rotated refresh "
        f"tokens lost: {lost}  [{'ok' if ok else 'MISSED'}]")
    out.check(ok, f"refresh {label}: requests {provider.requests}, lost {lost}")


@contextmanager
def postgres_database(server_url: str):
    """A database of its own on the server, dropped afterwards."""
    url = make_url(server_url)
    name = f"bench_refresh_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def refresh_mode(out, work: Path, count: int, per_host: int, concurrency: int) -> None:
    out(f"== Refresh mode: Celery workers on Redis ({REDIS_URL}), a local provider "
        f"answering in {LATENCY * 1000:.0f} ms and rotating every refresh token")
    run(out, "SQLite, one host", f"sqlite:///{work / 'refresh.sqlite3'}", count, 1, 2,
        concurrency, per_host, work)
    server = os.environ.get("BENCH_DATABASE_URL")
    if not server:
        out("  PostgreSQL: skipped (set BENCH_DATABASE_URL, e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres)")
        return
    with postgres_database(server) as url:
        run(out, "PostgreSQL, two hosts", url, count, 2, 2, concurrency, per_host, work)
