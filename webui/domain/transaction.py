"""The one write path: every use case that writes does so inside ``unit_of_work``."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webui.database import write_intent
from webui.domain.errors import Conflict
from webui.extensions import db


@contextmanager
def unit_of_work(conflict: Conflict) -> Iterator[Session]:
    """Run the block in one write transaction and commit it once.

    A unique-constraint violation becomes ``conflict`` (the DB constraint is the uniqueness
    rule, so a race cannot create twins); any other integrity error becomes a generic 409.
    Raises whatever the block raises, after rolling back: nothing is half-written.
    """
    session = db.session()
    if session.in_transaction():
        # End the read snapshot (expire_on_commit is off, so loaded objects stay usable)
        # so that the write transaction starts fresh, with BEGIN IMMEDIATE on SQLite.
        session.commit()
    with write_intent():
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            if "unique" in str(exc.orig).lower():
                raise conflict from None
            raise Conflict("The change conflicts with a concurrent change; retry it.") from None
        except BaseException:
            session.rollback()
            raise
