"""Engine set-up: SQLite pragmas and write transactions that never meet "database is locked".

SQLite upgrades a read transaction to a write one lazily; when two connections do that at once
one of them fails at once with SQLITE_BUSY, whatever the busy timeout. A use case that will
write therefore opens its transaction with BEGIN IMMEDIATE (see ``write_intent``), which waits
politely for the lock (busy_timeout) instead. Reads keep plain deferred BEGINs, so they never
queue behind writers (WAL).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@contextmanager
def write_intent() -> Iterator[None]:
    """Within this block, a new SQLite transaction begins with BEGIN IMMEDIATE."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach per-connection settings; only SQLite needs any."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy (the pysqlite driver's own is broken
        # for this: it never emits BEGIN before SELECT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
