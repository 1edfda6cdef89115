"""The one write path: every use case that writes does so inside ``unit_of_work``."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import delete as sa_delete, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from webui.infra.database import write_intent
from webui.domain.errors import ConcurrentChange, Conflict
from webui.extensions import db


@contextmanager
def unit_of_work(conflict: Conflict) -> Iterator[Session]:
    """Run the block in one write transaction and commit it once.

    A unique-constraint violation becomes ``conflict`` (the DB constraint is the uniqueness
    rule, so a race cannot create twins); any other integrity error, and a row that another
    request deleted between the read and this write, becomes ConcurrentChange (409).
    Raises whatever the block raises, after rolling back: nothing is half-written.
    """
    session = db.session()
    if session.in_transaction():
        # End the read snapshot (expire_on_commit is off, so loaded objects stay usable)
        # so that the write transaction starts fresh, with BEGIN IMMEDIATE on SQLite.
        session.commit()
    with write_intent(session.get_bind()):
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            if "unique" in str(exc.orig).lower():
                raise conflict from None
            raise ConcurrentChange() from None
        except (StaleDataError, ObjectDeletedError):
            session.rollback()
            raise ConcurrentChange() from None
        except BaseException:
            session.rollback()
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
