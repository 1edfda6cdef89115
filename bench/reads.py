"""What one statement and one request cost in-process, by the way they reach the database
(webui/infra/prepared.py, webui/domain/transaction.py): ``.venv/bin/python -m bench.reads``.

On a throw-away SQLite database seeded as ratio mode seeds it (1,000 profiles), best of five
batches of process CPU time, in microseconds:
- the credentials lookup (a prepared Core select of one row) through Session.execute, through
  Connection.execute, through PreparedRead on a connection of its own, and the driver alone;
- a Session created, begun and removed, against an engine connection checked out and returned;
- a token hand-out's audit write (its keyed INSERT + the profile's UPDATE, committed) in
  unit_of_work and in core_unit_of_work;
- whole requests through the WSGI app, without a server: GET one profile, GET its token
  (already counted this minute: no write), GET the first 50 of the list.
"""
from __future__ import annotations

import itertools
import os
import random
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from bench import product

BATCHES, PER_BATCH = 5, 1000


def best_us(fn: Callable[[], object], per_batch: int = PER_BATCH) -> float:
    for _ in range(per_batch // 10):
        fn()
    best = float("inf")
    for _ in range(BATCHES):
        started = time.process_time()
        for _ in range(per_batch):
            fn()
        best = min(best, (time.process_time() - started) / per_batch)
    return best * 1e6


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-reads-"))
    (product.ROOT / "bench" / "results").mkdir(exist_ok=True)
    env = product.environment(work / "product.sqlite3")
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(work))
    product.init(env)
    first, last, _ = product.seed(env, work / "product.sqlite3", 1000)
    app = product.make_app(env)

    from werkzeug.test import EnvironBuilder

    from webui.domain import audit, credentials, handouts
    from webui.domain.caller import Caller
    from webui.domain.errors import ConcurrentChange
    from webui.domain.principal import account_by_name
    from webui.domain.transaction import core_unit_of_work, unit_of_work
    from webui.extensions import db

    lookup = credentials._CREDENTIALS
    params = {"user_name": product.USER}
    out = []
    with app.test_request_context():
        caller = Caller.own(account_by_name(product.USER).principal)
        db.session.remove()
        session = db.session()
        session.connection()
        connection = session.connection()
        compiled = lookup._for(connection.dialect)
        driver = connection.connection.dbapi_connection
        values = compiled.construct(params)  # with the statement's own literal values
        positional = tuple(values[name] for name in compiled.positions)
        out.append(("credentials lookup, Session.execute",
                    best_us(lambda: session.execute(lookup.statement, params).one_or_none())))
        out.append(("credentials lookup, Connection.execute",
                    best_us(lambda: connection.execute(lookup.statement,
                                                       params).one_or_none())))
        out.append(("credentials lookup, the driver alone",
                    best_us(lambda: driver.execute(compiled.sql, positional).fetchall())))
        db.session.remove()
        out.append(("credentials lookup, PreparedRead (own connection)",
                    best_us(lambda: lookup.one_or_none(params))))

        def session_cycle():
            db.session().connection()
            db.session.remove()

        def connection_cycle():
            with db.engine.connect() as c:
                c.connection  # noqa: B018 - checked out
        out.append(("Session created, begun, removed", best_us(session_cycle)))
        out.append(("engine connection checked out, returned", best_us(connection_cycle)))

        keys = itertools.count()

        def write(unit):
            def run():
                pid = random.randint(first, last)
                with unit(ConcurrentChange()) as tx:
                    kwargs = {"connection": tx} if unit is core_unit_of_work else {}
                    audit.record(caller, "token", "oauthprofile", pid, ["accessToken"],
                                 coalesce_key=f"bench:{next(keys)}", **kwargs)
                    tx.execute(handouts._USED, {"pid": pid, "at": datetime.now(timezone.utc)})
                db.session.remove()
            return run
        out.append(("hand-out audit write, unit_of_work", best_us(write(unit_of_work), 300)))
        out.append(("hand-out audit write, core_unit_of_work",
                    best_us(write(core_unit_of_work), 300)))

    auth = {"Authorization": product.basic_auth()}
    pid = random.randint(first, last)

    def request(path: str) -> Callable[[], object]:
        environ = EnvironBuilder(path=path, headers=auth).get_environ()

        def run():
            body = app(dict(environ), lambda status, headers, exc_info=None: None)
            b"".join(body)
            body.close()
        return run
    for label, path in (("GET one profile", f"/api/mgmt/oauthprofiles/{pid}"),
                        ("GET its token", f"/api/mgmt/oauthprofiles/{pid}/token"),
                        ("GET list of 50", "/api/mgmt/oauthprofiles?limit=50")):
        out.append((f"request: {label}", best_us(request(path), 500)))
    width = max(len(label) for label, _ in out)
    print(f"In-process CPU, best of {BATCHES} batches (us):")
    for label, us in out:
        print(f"  {label:<{width}}  {us:8.1f}")


if __name__ == "__main__":
    main()
