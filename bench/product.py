"""The product's side of the benchmark: database set-up through its own CLI and use cases,
bulk seeding of profiles, and the query-plan check.

Seeded profiles are inserted with plain SQL (not through HTTP, not through the ORM) so that a
million rows take seconds. Their two encrypted token columns hold ciphertexts made with the
product's own cipher, each row its own pair (as real rows have), except in million mode, where
all rows hold ONE ciphertext (a million encryptions would take minutes; million mode hands
out no token, and its reads decrypt none).
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
FLASK = str(ROOT / ".venv" / "bin" / "flask")
USER, PASSWORD = "bench", "bench-Password-2718"
ADMIN_PASSWORD = "bench-Admin-Password-3141"
APP_BODY = {"name": "bench_app", "dataStore": 1, "clientId": "bench-client",
            "clientSecret": "bench-secret", "authorizeURI": "https://auth.example.com/authorize",
            "tokenURI": "https://auth.example.com/token", "scope": "read write"}


def basic_auth() -> str:
    """The bench user's Authorization header value."""
    import base64
    return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def environment(db_path: Path) -> dict[str, str]:
    """The process environment the product runs under (a throw-away key and secret)."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": Fernet.generate_key().decode(),
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ADMIN_PASSWORD": ADMIN_PASSWORD}


def init(env: dict[str, str]) -> None:
    """Migrate and seed with the product's CLI; create the bench user (role User, argon2id
    with the default parameters, exactly as any user is created)."""
    log = (ROOT / "bench" / "results" / "init.log").open("ab")
    quiet = {"cwd": ROOT, "env": env, "check": True, "stdout": log, "stderr": log}
    subprocess.run([FLASK, "--app", "app", "init-db"], **quiet)
    subprocess.run([FLASK, "--app", "app", "create-user", USER, "--password", PASSWORD],
                   **quiet)


def make_app(env: dict[str, str]):
    from webui import create_app  # the product, imported only where it is measured
    return create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
                       "SECRET_KEY": env["SECRET_KEY"],
                       "TOKEN_ENCRYPTION_KEYS": [env["TOKEN_ENCRYPTION_KEYS"]]})


def seed(env: dict[str, str], db_path: Path, profiles: int, one_ciphertext: bool = False
         ) -> tuple[int, int, int]:
    """One application (through the domain use case) and `profiles` profiles of the bench
    user (bulk SQL), whose tokens are each row's own ciphertexts, or all one when
    one_ciphertext. Returns (first profile id, last profile id, application id)."""
    from webui.infra import cipher
    from webui.domain import bootstrap, oauthapps
    from webui.extensions import db
    from webui.models import User
    from webui.models.names import name_key
    app = make_app(env)
    with app.app_context():
        app_id = oauthapps.create_application(bootstrap.SYSTEM, APP_BODY).id
        owner = db.session.query(User.id).filter_by(user_name=USER).scalar()
        if one_ciphertext:
            shared = cipher.encrypt("seeded-token-value")
            tokens = [(shared, shared)] * profiles
        else:
            tokens = [(cipher.encrypt(f"seeded-access-{i}"),
                       cipher.encrypt(f"seeded-refresh-{i}")) for i in range(profiles)]
        db.session.remove()
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO oauth_profile (owner_id, oauth_app_id, name, name_key, description,"
        " access_token, refresh_token, needs_reauthorization, refresh_failures, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, 'seeded', ?, ?, 0, 0, ?, ?)",
        ((owner, app_id, f"seed_{i}", name_key(f"seed_{i}"), *tokens[i], now, now)
         for i in range(profiles)))
    con.execute("COMMIT")  # no ANALYZE: the product never runs it, so plans are as deployed
    first, last = con.execute("SELECT min(id), max(id) FROM oauth_profile WHERE owner_id = ?",
                              (owner,)).fetchone()
    con.close()
    return first, last, app_id


def query_plans(env: dict[str, str], paths: list[str], auth: str):
    """Run each request in-process (twice: the first fills the credential cache), record
    every SELECT the second issues (the steady state) and its SQLite EXPLAIN QUERY PLAN.
    Returns [(path, status, sql, [plan lines])]; a plan line starting with SCAN is a full
    scan of a table or index."""
    from webui.extensions import db
    app = make_app(env)
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    out = []
    client = app.test_client()
    try:
        for path in paths:
            client.get(path, headers={"Authorization": auth})  # fills the credential cache
            seen.clear()
            status = client.get(path, headers={"Authorization": auth}).status_code
            statements = list(seen)
            with engine.connect() as conn:
                for sql, params in statements:
                    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
                    out.append((path, status, " ".join(sql.split()),
                                [row[-1] for row in rows]))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return out


def cpu_per_request(env: dict[str, str], paths: list[str], auth: str, batches: int = 8,
                    per_batch: int = 50) -> dict[str, float]:
    """Process CPU time (ms) of one request of each path, run in-process (no server, no
    wrk): batches alternate between the paths and the best batch counts, so other
    processes on the machine hardly matter."""
    app = make_app(env)
    client = app.test_client()
    headers = {"Authorization": auth}
    best = {path: float("inf") for path in paths}
    for path in paths:
        assert client.get(path, headers=headers).status_code == 200, path
    for _ in range(batches):
        for path in paths:
            started = time.process_time()
            for _ in range(per_batch):
                client.get(path, headers=headers)
            best[path] = min(best[path], (time.process_time() - started) * 1000 / per_batch)
    return best
