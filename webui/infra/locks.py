"""Named locks across threads, worker processes and (on PostgreSQL) hosts, held WITHOUT an
open database transaction, so that slow outside work (an OAuth provider's token endpoint) never
holds up other writers.

PostgreSQL: a session-level advisory lock on a connection of its own. SQLite (one host by
nature): flock(2) on a file beside the database file.

The figures, both kept by tests: 20 concurrent refreshes of one profile, across threads or
three gunicorn workers, make ONE token request (without a lock, a provider that rotates
refresh tokens answers the losers invalid_grant: tests/test_refresh.py); and while a provider
takes 3 s to answer a refresh, an unrelated profile create still commits in under 1.5 s (it
waited the whole 3 s when the refresh held a write transaction instead).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from sqlalchemy import text

from webui.extensions import db
from webui.infra import prepared

_POLL_SECONDS = 0.05


class LockTimeout(RuntimeError):
    """The lock was not obtained in time."""


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def named_lock(name: str, timeout: float) -> Iterator[None]:
    """Hold the lock called name for the block. Raises LockTimeout after timeout seconds.

    Callers should hold no database transaction while they wait (commit first): a waiter
    holding a pooled connection can starve the holder of one."""
    prepared.release()  # nor the connection that its reads share (webui/infra/prepared.py)
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with _file_lock(Path(engine.url.database), name, timeout):
            yield
        return
    key = _key(name)
    deadline = time.monotonic() + timeout
    while True:
        # Poll without keeping a connection between tries: waiters must not drain the pool
        # that the lock holder needs to finish its work.
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}):
            break
        conn.close()
        if time.monotonic() > deadline:
            raise LockTimeout(name)
        time.sleep(_POLL_SECONDS)
    try:
        yield
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        conn.close()


@contextmanager
def _file_lock(database: Path, name: str, timeout: float) -> Iterator[None]:
    folder = database.with_name(database.name + ".locks")
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(name) from None
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def any_lock(names: Sequence[str], timeout: float) -> Iterator[str]:
    """Hold the first free lock of names (tried in turn without waiting: a counting
    semaphore of len(names) slots across processes and hosts); yields its name. Raises
    LockTimeout when none came free within timeout seconds.

    The figure: at most REFRESH_PER_HOST token requests at once to one provider host from
    every worker and host together (tests/test_due.py counts the provider's peak)."""
    deadline = time.monotonic() + timeout
    while True:
        for name in names:
            slot = ExitStack()
            try:
                slot.enter_context(named_lock(name, 0))
            except LockTimeout:
                continue
            with slot:
                yield name
            return
        if time.monotonic() > deadline:
            raise LockTimeout(names[0] if names else "")
        time.sleep(_POLL_SECONDS)
