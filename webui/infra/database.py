"""Engine set-up: SQLite pragmas and write transactions that never meet "database is locked".

SQLite upgrades a read transaction to a write one lazily; when two connections do that at once
one of them fails at once with SQLITE_BUSY, whatever the busy timeout. A use case that will
write therefore opens its transaction with BEGIN IMMEDIATE (see ``write_intent``), which waits
politely for the lock (busy_timeout) instead. Reads keep plain deferred BEGINs, so they never
queue behind writers (WAL).

Waiting for SQLite's write lock is polling: its busy handler sleeps 1, 2, 5, 10... ms between
tries, so under concurrent writes a waiter sleeps on after the lock is free and the writes
of several workers do not add up. ``write_intent`` therefore first queues the writers of a
database file on an flock(2) of a file beside it: the kernel wakes the next writer the moment
the previous one lets go. The flock is held only around one write transaction, and dies with
its process; busy_timeout still guards against writers from elsewhere (the CLI).

The figure (``python -m bench.writers``: 2 processes x 8 threads x 300 one-row commits, two
rounds each): the slowest commit took 146 and 202 ms with the queue, 332 and 430 ms with the
busy handler alone, at about the same rate (12,600-12,900 vs 9,800-13,000 commits/s).
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def in_write_intent() -> bool:
    """Whether this thread is inside a write_intent block."""
    return _write_intent.get()


@contextmanager
def write_intent(engine: Engine) -> Iterator[None]:
    """Within this block, a new SQLite transaction begins with BEGIN IMMEDIATE, after this
    thread's turn among the writers of the same database file has come."""
    if _write_intent.get():  # nested: the outer block already holds the turn
        yield
        return
    token = _write_intent.set(True)
    try:
        with _writers_turn(engine):
            yield
    finally:
        _write_intent.reset(token)


class _WriterQueue(threading.local):
    """One descriptor per thread and process: flock(2) locks belong to an open file
    description, so threads (and forked workers) must each open the file themselves."""
    pid: int = 0
    fds: dict[str, int]


_queue = _WriterQueue()


@contextmanager
def _writers_turn(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    if _queue.pid != os.getpid():
        _queue.pid, _queue.fds = os.getpid(), {}
    fd = _queue.fds.get(database)
    if fd is None:
        path = Path(database).with_name(Path(database).name + ".writers")
        fd = _queue.fds[database] = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                                            0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach per-connection settings; only SQLite needs any. A database file that does not
    exist yet is created 0600 first: SQLite gives its -wal and -shm files the same mode, and
    it holds encrypted secrets and password hashes (the keys beside it are 0600 too). A
    missing folder is left for the first connection to report, as a database error."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        try:
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except (FileExistsError, FileNotFoundError):
            pass  # exists already, or its folder does not: the first connection says so

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
        # Straight to the driver: this runs at the start of every request that touches the
        # database, and a statement through SQLAlchemy's execution machinery costs ~10x more.
        # Its errors ("database is locked" past busy_timeout) become SQLAlchemy's, as those
        # of every other statement are: callers catch SQLAlchemyError, not sqlite3's.
        statement = "BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN"
        try:
            connection.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, (), exc, sqlite3.Error,
                                      dialect=connection.dialect) from exc
