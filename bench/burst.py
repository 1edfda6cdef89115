"""The token burst: many consumers ask at once for the tokens of profiles whose tokens have all
expired (``python -m bench --mode burst``).

A local OAuth provider (a small Flask app served by werkzeug in a thread) answers every token
request after ``--provider-ms`` (default 50) and counts them; the product (gunicorn, the
production config, 2 workers) holds ``--profiles`` profiles (20) with expired tokens. ``--callers``
threads (200) start together, each GETting one profile's /token. Printed: the token requests the
provider counted (target: exactly one per profile), errors, and the callers' latency (p50, p99,
max).
"""
from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import Flask, jsonify
from werkzeug.serving import make_server

from bench import product


@dataclass
class CountingProvider:
    delay: float
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Flask:
        app = Flask("bench-provider")

        @app.post("/token")
        def token():
            with self.lock:
                self.requests += 1
            time.sleep(self.delay)
            return jsonify({"access_token": "at-" + secrets.token_urlsafe(12),
                            "refresh_token": "rt-" + secrets.token_urlsafe(12),
                            "token_type": "Bearer", "expires_in": 3600})
        return app


def environment(db_path: Path) -> dict[str, str]:
    return {**product.environment(db_path), "ALLOW_HTTP_LOOPBACK_OAUTH": "1",
            "OAUTH_ALLOWED_NETWORKS": "127.0.0.0/8"}


def seed(env: dict[str, str], db_path: Path, provider_url: str, count: int) -> list[int]:
    """An application at the provider and count profiles of the bench user, tokens expired."""
    from webui.domain import bootstrap, oauthapps
    from webui.extensions import db
    from webui.infra import cipher
    from webui.models import User
    from webui.models.names import name_key
    app = product.make_app(env)
    app.config.update(ALLOW_HTTP_LOOPBACK_OAUTH=True, OAUTH_ALLOWED_NETWORKS="127.0.0.0/8")
    with app.app_context():
        app_id = oauthapps.create_application(bootstrap.SYSTEM, {
            **product.APP_BODY, "name": "burst_app", "tokenURI": f"{provider_url}/token",
            "authorizeURI": f"{provider_url}/authorize"}).id
        owner = db.session.query(User.id).filter_by(user_name=product.USER).scalar()
        access, refresh = cipher.encrypt("expired-access"), cipher.encrypt("refresh-1")
        db.session.remove()
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    con = sqlite3.connect(db_path, isolation_level=None)
    con.executemany(
        "INSERT INTO oauth_profile (owner_id, oauth_app_id, name, name_key, description,"
        " access_token, refresh_token, token_expires_at, needs_reauthorization,"
        " refresh_failures, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, 'burst', ?, ?, ?, 0, 0, ?, ?)",
        ((owner, app_id, f"burst_{i}", name_key(f"burst_{i}"), access, refresh, past, past,
          past) for i in range(count)))
    ids = [row[0] for row in con.execute("SELECT id FROM oauth_profile WHERE name LIKE "
                                         "'burst_%' ORDER BY id")]
    con.close()
    return ids


def run(out, servers, work: Path, callers: int, profiles: int, provider_ms: float) -> None:
    db_path = work / "burst.sqlite3"
    env = environment(db_path)
    product.init(env)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per token request
    provider = CountingProvider(provider_ms / 1000)
    provider_server = make_server("127.0.0.1", 0, provider.app(), threaded=True)
    provider_url = f"http://127.0.0.1:{provider_server.server_port}"
    threading.Thread(target=provider_server.serve_forever, daemon=True).start()
    ids = seed(env, db_path, provider_url, profiles)
    out(f"== Burst mode: {callers} callers at once on {profiles} profiles whose tokens have "
        f"expired; a local provider answering in {provider_ms:g} ms; product: gunicorn -w 2")
    with servers.product(env, servers.free_port(), product.ROOT / "bench" / "results" /
                         "servers.log") as srv:
        auth = {"Authorization": product.basic_auth()}
        urllib.request.urlopen(urllib.request.Request(f"{srv.url}/api/mgmt/user",
                                                      headers=auth), timeout=30).read()
        barrier = threading.Barrier(callers)
        results: list[tuple[int, float]] = []
        lock = threading.Lock()

        def call(n: int) -> None:
            url = f"{srv.url}/api/mgmt/oauthprofiles/{ids[n % len(ids)]}/token"
            barrier.wait()
            started = time.perf_counter()
            try:
                status = urllib.request.urlopen(urllib.request.Request(url, headers=auth),
                                                timeout=60).status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0
            with lock:
                results.append((status, time.perf_counter() - started))

        threads = [threading.Thread(target=call, args=(n,)) for n in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    provider_server.shutdown()
    latencies = sorted(seconds * 1000 for _, seconds in results)
    errors = sum(1 for status, _ in results if status != 200)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    verdict = out.check(provider.requests == profiles and errors == 0,
                        f"burst: {provider.requests} token requests for {profiles} profiles, "
                        f"{errors} errors")
    out(f"  token requests at the provider: {provider.requests} (target {profiles}); "
        f"errors: {errors}; callers' latency p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, "
        f"max {latencies[-1]:.0f} ms  {verdict}")
