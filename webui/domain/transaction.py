"""The one write path: every use case that writes does so inside ``unit_of_work`` (or, when
it writes a few Core statements and loads no ORM object, ``core_unit_of_work``)."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

from sqlalchemy import delete as sa_delete, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from webui.infra import prepared
from webui.infra.database import in_write_intent, write_intent
from webui.domain.errors import ConcurrentChange, Conflict
from webui.extensions import db

# Set while a core_unit_of_work runs: its transaction holds the write lock that a unit_of_work
# begun inside it would wait for (SQLite) on a second connection.
_in_core: ContextVar[bool] = ContextVar("in_core_unit_of_work", default=False)


@contextmanager
def unit_of_work(conflict: Conflict) -> Iterator[Session]:
    """Run the block in one write transaction and commit it once.

    A unique-constraint violation becomes ``conflict`` (the DB constraint is the uniqueness
    rule, so a race cannot create twins); any other integrity error, and a row that another
    request deleted between the read and this write, becomes ConcurrentChange (409).
    Raises whatever the block raises, after rolling back: nothing is half-written.
    RuntimeError inside a core_unit_of_work.
    """
    if _in_core.get():
        raise RuntimeError("unit_of_work inside a core_unit_of_work")
    prepared.release()  # the reads' connection goes back before the write takes one
    session = db.session()
    if session.in_transaction():
        # End the read snapshot (expire_on_commit is off, so loaded objects stay usable)
        # so that the write transaction starts fresh, with BEGIN IMMEDIATE on SQLite.
        session.commit()
    with write_intent(session.get_bind()), _translated(conflict, session.rollback):
        yield session
        session.commit()


@contextmanager
def core_unit_of_work(conflict: Conflict) -> Iterator[Connection]:
    """As unit_of_work, on a pooled connection of its own instead of the request's Session:
    for a use case that writes a few Core statements and loads no ORM object. A Session
    costs much of such a write (``python -m bench.reads``, three runs: a token hand-out's
    audit write, 511-655 us in unit_of_work, 405-453 us here). Statements of the block go
    through the connection it yields (audit.record and events.emit take it); a PreparedRead
    in the block would not see its writes. Raises as unit_of_work; RuntimeError inside
    another unit of work, whose transaction holds the write lock this one would wait for (a
    unit_of_work inside this one is refused likewise)."""
    if in_write_intent():
        raise RuntimeError("core_unit_of_work inside another unit of work")
    if db.session.registry.has() and db.session.registry().in_transaction():
        # End the session's read snapshot, as unit_of_work does: what the request reads
        # after this write must see it.
        db.session.registry().commit()
    prepared.release()  # the reads' connection goes back before the write takes one
    engine = db.engine
    token = _in_core.set(True)
    try:
        with write_intent(engine), engine.connect() as connection, \
                _translated(conflict, connection.rollback):
            connection.begin()
            yield connection
            connection.commit()
    finally:
        _in_core.reset(token)


@contextmanager
def _translated(conflict: Conflict, rollback: Callable[[], None]) -> Iterator[None]:
    """Roll back on any error; database errors become the domain's (see unit_of_work)."""
    try:
        yield
    except IntegrityError as exc:
        rollback()
        if "unique" in str(exc.orig).lower():
            raise conflict from None
        raise ConcurrentChange() from None
    except (StaleDataError, ObjectDeletedError):
        rollback()
        raise ConcurrentChange() from None
    except BaseException:
        rollback()
        raise


def delete_row(session: Session, obj) -> None:
    """Delete obj's row inside a unit of work; the database's ON DELETE rules take its
    dependants. Raises ConcurrentChange when another request deleted it first (the ORM
    would only warn, and the caller would report a deletion that it did not make)."""
    mapper = inspect(obj).mapper
    table = mapper.local_table
    key = mapper.primary_key[0]
    result = session.execute(sa_delete(table).where(key == getattr(obj, key.key)))
    if result.rowcount != 1:
        raise ConcurrentChange("Another request deleted this meanwhile.")
    session.expunge(obj)
