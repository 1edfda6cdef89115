"""Token hand-outs in the audit trail, coalesced: one row per caller (actor, and the subject
when acting for someone), profile and minute, with a count, whichever server processes and
hosts handed the token out. Never the token.

Why coalesce: a row written per call made every hand-out a write transaction, which on
SQLite queues all writers (webui/infra/database.py); the hand-out is the product's hottest
consumer path (bench/: the token scenario). So the first hand-out of a caller, profile and
minute writes its row (and the profile's last_used_at) before the token is returned. A
process's first hand-out of that minute which finds the row written (by another process:
a read through the row's unique coalesce_key, no write) and the rest of that minute only
count in this process; a process adds its counts to their rows at its next write (a new
minute's first hand-out, at most about a minute later while it keeps serving) and when a
gunicorn worker exits (gunicorn.conf.py: worker_exit). What a crashed process had counted
since its last write is lost; the row of each caller, profile and minute never is. A
hand-out that refreshed the token writes its own row at once.

Minutes are calendar minutes, the same for every caller and profile, so a busy server writes
most of a minute's rows in its first second: ``python -m bench.stretches`` (5-second
stretches of the token scenario, 1,000 profiles) shows the stretches holding a minute's start
serving 5-11% fewer hand-outs than the others, with a higher p99. Windows staggered per
caller and profile (a CRC-32 of the ids as each window's offset in the minute; counts added
once a minute) removed that dip but cost more than it saved, and were not kept: in the same
sitting, 2 alternating runs of 24 stretches each, 2,214 / 2,190 req/s on average aligned
against 2,115 / 2,128 staggered (probably because commits then came all the time, each
making the other process's connections reload their pages, instead of in one burst a
minute; not measured further).
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from flask import current_app
from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection

from webui.domain import audit
from webui.domain.caller import Caller
from webui.domain.errors import ConcurrentChange
from webui.domain.transaction import core_unit_of_work
from webui.models import AuditEvent, OAuthProfile

FLUSH_EVERY = 60.0  # seconds between writes that only add counts
_ADD = (update(AuditEvent.__table__).where(AuditEvent.__table__.c.id == bindparam("row"))
        .values(count=AuditEvent.__table__.c.count + bindparam("n")))
# A hand-out is not a change of the profile: updated_at (updatedAt, ?sort=updated) stays as
# it is (without it here, the column's onupdate would set it).
_USED = (update(OAuthProfile.__table__).where(OAuthProfile.__table__.c.id == bindparam("pid"))
         .values(last_used_at=bindparam("at"), updated_at=OAuthProfile.__table__.c.updated_at))


class Ledger:
    """This process's rows of the current minute (by caller and profile) and the hand-outs
    not yet added to their rows (by row: of any minute, written by any process). Every
    operation but take costs the same however many rows the minute holds (a scan of all of
    them on each write took ~0.1 ms per hand-out at 1,000 profiles, under cProfile)."""

    def __init__(self) -> None:
        self._rows: dict[tuple, int] = {}
        self._pending: dict[int, int] = {}  # row id -> hand-outs not yet added to it
        self._minute = 0  # the minute self._rows belong to
        self._lock = threading.Lock()
        self._flushed = time.monotonic()

    def count(self, key: tuple, minute: int) -> bool:
        """Count a hand-out against key's row of this minute, if this process knows it."""
        with self._lock:
            row = self._rows.get(key) if minute == self._minute else None
            if row is None:
                return False
            self._pending[row] = self._pending.get(row, 0) + 1
            return True

    def add(self, row: int, n: int = 1) -> None:
        """Count n hand-outs against a row (known or not)."""
        with self._lock:
            self._pending[row] = self._pending.get(row, 0) + n

    def pending(self) -> bool:
        return bool(self._pending)

    def due(self) -> bool:
        return self.pending() and time.monotonic() - self._flushed > FLUSH_EVERY

    def take(self) -> list[dict]:
        """The counts to add, zeroed; in the order of their rows, so that two processes'
        writes lock shared rows in the same order (PostgreSQL: no deadlock between them)."""
        with self._lock:
            counts = [{"row": row, "n": n} for row, n in sorted(self._pending.items())]
            self._pending.clear()
            self._flushed = time.monotonic()
        return counts

    def give_back(self, counts: list[dict]) -> None:
        """Counts taken for a write that failed: pending again, for the next write."""
        for count in counts:
            self.add(count["row"], count["n"])

    def remember(self, key: tuple, minute: int, row: int) -> None:
        """key's row of minute; the rows of earlier minutes are forgotten (their counts stay
        pending until the next take). Nothing is remembered for a minute earlier than the
        current one (a request of the minute before, finishing late)."""
        with self._lock:
            if minute != self._minute:
                if minute < self._minute:
                    return
                self._rows, self._minute = {}, minute
            self._rows[key] = row


EXTENSION = "handout_ledger"


def _ledger() -> Ledger:
    # One per app: rows belong to that app's database.
    return current_app.extensions.setdefault(EXTENSION, Ledger())


def record(caller: Caller, profile_id: int, *, refreshed: bool, now: datetime) -> None:
    """Record one hand-out of profile_id's access token to caller."""
    ledger = _ledger()
    if refreshed:
        _write_row(caller, profile_id, now, "refreshed before the hand-out", None, ledger)
        return
    minute = int(now.timestamp() // 60)
    key = (caller.actor.id, caller.subject.id, profile_id)
    if not ledger.count(key, minute):
        # Not the uniqueness check (the unique index decides, in _write_row): a read that
        # spares the write when another process wrote the row already.
        shared = coalesce_key(key, minute)
        row = audit.coalesced_row(shared)
        if row is None:
            row = _write_row(caller, profile_id, now, None, shared, ledger)
            if row is not None:
                ledger.remember(key, minute, row)
                return
            row = audit.coalesced_row(shared)  # written meanwhile: the insert waited for it
            if row is None:
                raise ConcurrentChange()  # only if it were deleted meanwhile: nothing does
        ledger.remember(key, minute, row)
        ledger.add(row)
    if ledger.due():
        flush()


def coalesce_key(key: tuple, minute: int) -> str:
    """The audit row's key of a caller (actor and subject ids), profile and minute."""
    return "token:{}:{}:{}:".format(*key) + str(minute)


def _write_row(caller: Caller, profile_id: int, now: datetime, detail: str | None,
               shared: str | None, ledger: Ledger) -> int | None:
    """Write the hand-out's row (and the profile's last_used_at), unless the row of its
    coalesce key ``shared`` is there already (None then: written by another process since
    this one looked). Returns the row."""
    with _writing(ledger) as connection:
        row = audit.record(caller, "token", "oauthprofile", profile_id, ["accessToken"],
                           detail=detail, connection=connection, coalesce_key=shared, at=now)
        if row is not None:
            connection.execute(_USED, {"pid": profile_id, "at": now})
    return row


def flush() -> None:
    """Add this process's counted hand-outs to their rows (at a worker's exit, and once a
    minute while it serves)."""
    ledger = _ledger()
    if ledger.pending():
        with _writing(ledger):
            pass


@contextmanager
def _writing(ledger: Ledger) -> Iterator[Connection]:
    """A write transaction that first adds the counts taken from ledger; if it fails they go
    back to the ledger, for the next write."""
    counts = ledger.take()
    try:
        with core_unit_of_work(ConcurrentChange()) as connection:
            if counts:
                connection.execute(_ADD, counts)
            yield connection
    except BaseException:
        ledger.give_back(counts)
        raise
