"""core_unit_of_work (webui/domain/transaction.py): one write transaction on a connection of
its own, with unit_of_work's rules. On SQLite and PostgreSQL (the ``app`` fixture)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from webui.domain.errors import ConcurrentChange, Conflict
from webui.domain.transaction import core_unit_of_work, unit_of_work
from webui.extensions import db
from webui.models import PermissionDefinition

# A table with a plain unique column (name), and no rows the tests depend on.
TABLE = PermissionDefinition.__table__


def _rows(name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(TABLE).where(
        TABLE.c.name == name))


def test_commits_once_and_the_session_reads_it_after(app):
    with app.app_context():
        assert _rows("Core_row") == 0  # the session now holds a read transaction
        with core_unit_of_work(Conflict("taken")) as connection:
            connection.execute(insert(TABLE).values(id=9001, name="Core_row", description="d"))
        assert _rows("Core_row") == 1
        db.session.remove()


def test_a_unique_violation_is_the_conflict_and_nothing_is_written(app):
    with app.app_context():
        taken = Conflict("That name is taken.", "name")
        with pytest.raises(Conflict) as raised:
            with core_unit_of_work(taken) as connection:
                connection.execute(insert(TABLE).values(id=9002, name="Twice", description="1"))
                connection.execute(insert(TABLE).values(id=9003, name="Twice", description="2"))
        assert raised.value is taken
        assert _rows("Twice") == 0
        with pytest.raises(ValueError):
            with core_unit_of_work(taken) as connection:
                connection.execute(insert(TABLE).values(id=9004, name="Half", description="1"))
                raise ValueError("the use case failed after its first statement")
        assert _rows("Half") == 0
        db.session.remove()
        assert db.engine.pool.checkedout() == 0  # the failed units gave their connections back


def test_neither_nests_in_the_other(app):
    with app.app_context():
        with pytest.raises(RuntimeError):
            with unit_of_work(ConcurrentChange()):
                with core_unit_of_work(ConcurrentChange()):
                    pass
        with pytest.raises(RuntimeError):
            with core_unit_of_work(ConcurrentChange()):
                with unit_of_work(ConcurrentChange()):
                    pass
        db.session.remove()
