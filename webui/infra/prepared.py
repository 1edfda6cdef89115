"""The reads of every API request, and the INSERTs of a profile's create and of every audit
event, run straight through the database driver.

The figures (``python -m bench.reads``: in-process CPU, SQLite, ratio mode's database; three
runs on 2026-12-03, which move by a third on a shared machine): the credentials lookup, a
prepared Core select of one row, cost 53-85 us through ``Session.execute``, 46-69 us through
``Connection.execute`` and 5-7 us in the driver itself; the rest is SQLAlchemy's execution
context, built anew for every statement. A Session created, begun and removed cost 87-149 us
more, and a request whose only database work is such reads (get one, a token hand-out) paid
it for nothing. Through ``PreparedRead`` on a connection of its own (checked out and
returned: 18-25 us) the lookup costs 66-101 us, about what ``Session.execute`` does, and no
Session is made: in bench/'s ratio mode, get one went from 0.42-0.52 of the reference to
0.51-0.59 in the same sittings. It keeps what matters of the machinery it skips:

- the statement is a Core select, compiled once per dialect by SQLAlchemy itself (bound
  parameters, the dialect's paramstyle: never text pasted into SQL);
- while the request's session is in a transaction, it runs on the session's connection and
  sees what that transaction wrote (a Core select through ``Session.execute`` does not
  autoflush either); otherwise, on SQLite, on a pooled connection that the app context's
  reads share, outside any transaction, so each read sees what is committed, as the
  session's next transaction would: a read-only request then never creates a Session (on
  PostgreSQL a checkout costs round trips, so there the reads use the session's connection:
  ``_CHEAP_CHECKOUT``);
- bound values and results pass through the columns' own type processors (SQLite's
  datetimes and booleans, EncryptedText's decryption);
- the engine's ``before_cursor_execute``/``after_cursor_execute`` listeners still see the
  statement (tests/test_query_counts.py and bench/'s query plans count on that);
- a driver error becomes SQLAlchemy's DBAPIError, and a lost connection is invalidated, as
  ``Connection.execute`` does.

Skipped: the execution context, SQLAlchemy's statement logging (``echo``), and the
expanding (IN-list) and literal-execute parameters, which are refused.

``PreparedInsert`` does the same for an INSERT of one row RETURNING its new key, on the unit
of work's connection: the same compiled statement, type processors (the token columns'
encryption), listeners and errors (a unique violation is SQLAlchemy's IntegrityError, which
the unit of work turns into the use case's Conflict). It runs no column default: every column
but the key is given. In the same sitting (3 alternating ``--mode ratio --scenario create``
runs each), the product's create went from 1,221 / 1,236 / 1,214 req/s to 1,305 / 1,287 /
1,267 (0.40-0.41 of the reference to 0.42-0.43).

The shared connection: a checkout and its return cost 10 us in a loop and ~3% of a request's
worker time in py-spy under bench/'s get and token scenarios, where a request reads twice
(its caller's credentials, then the profile). So the first read of an app context (a
request) checks one out and the context's later reads use it, until ``release()`` gives it
back: at the end of the app context, and before the context takes any other connection or
waits for a lock (webui/domain/transaction.py's units of work, a Session's transaction
beginning, webui/infra/locks.py's named_lock, under which every refresh calls its provider),
so that a caller still never holds two connections at once (threads beyond the pool's size
wait their turn instead of starving each other). It holds no transaction between reads, so
it keeps no snapshot and blocks no writer. A thread other than the one whose reads took it
(a copied context) checks out its own for the one statement.
"""
from __future__ import annotations

import threading
from collections import namedtuple
from typing import Any, Callable, Mapping, NamedTuple

from flask import Flask, g, has_app_context
from sqlalchemy import Table, event, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Insert, Select

from webui.extensions import db


class _Compiled(NamedTuple):
    sql: str
    positions: tuple[str, ...] | None  # bind names in order (positional paramstyles)
    construct: Callable[[Mapping[str, Any]], dict]
    binders: dict[str, Callable[[Any], Any]]
    readers: tuple[Callable[[Any], Any] | None, ...]


class _Prepared:
    """A Core statement, compiled once per dialect and run through the driver (see the
    module docstring for what that keeps); its result rows are named tuples, by the names of
    the statement's columns (a select's, or an INSERT's RETURNING)."""

    def __init__(self, statement: Select | Insert, column_keys: list[str] | None = None):
        self.statement = statement
        self.column_keys = column_keys  # an INSERT's: the columns it is given values for
        self.row = namedtuple("Row", statement.exported_columns.keys(), rename=True)
        self._compiled: dict[tuple[str, str, str], _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
            if compiled.literal_execute_params or compiled.post_compile_params \
                    or compiled.escaped_bind_names or compiled.insert_prefetch:
                raise ValueError("A prepared statement takes no expanding, literal-execute, "
                                 "escaped-name or default-computed parameters")
            binders = {}
            for name, bind in compiled.binds.items():
                binder = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if binder is not None:
                    binders[name] = binder
            readers = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                            for column in self.statement.exported_columns)
            found = self._compiled[key] = _Compiled(
                str(compiled), tuple(compiled.positiontup) if dialect.positional else None,
                compiled.construct_params, binders, readers)
        return found

    def _rows(self, connection: Connection, params: Mapping[str, Any], most: int | None
              ) -> list:
        compiled = self._for(connection.dialect)
        values = compiled.construct(params)
        for name, binder in compiled.binders.items():
            values[name] = binder(values[name])
        args = values if compiled.positions is None else \
            tuple(values[name] for name in compiled.positions)
        readers, make = compiled.readers, self.row._make
        return [make(value if reader is None else reader(value)
                     for reader, value in zip(readers, row))
                for row in _run(connection, compiled.sql, args, most)]


class PreparedRead(_Prepared):
    """A Core select, run through the driver on the request's reading connection."""

    def __init__(self, statement: Select):
        super().__init__(statement)

    def one_or_none(self, params: Mapping[str, Any]):
        """The row (a named tuple, by the select's column names), or None. More than one
        row is a programming error (the statement must select by a unique key)."""
        rows = self._read(params, 2)
        if len(rows) > 1:
            raise LookupError("PreparedRead.one_or_none found more than one row")
        return rows[0] if rows else None

    def all(self, params: Mapping[str, Any]) -> list:
        """Every row (named tuples, by the select's column names)."""
        return self._read(params, None)

    def _read(self, params: Mapping[str, Any], most: int | None) -> list:
        """Runs on the session's connection while the session is in a transaction (the read
        then sees what that transaction wrote) or where a checkout is dear
        (_CHEAP_CHECKOUT); otherwise on the app context's shared connection (see the module
        docstring)."""
        session = db.session.registry() if db.session.registry.has() else None
        if (session is not None and session.in_transaction()) or not _CHEAP_CHECKOUT.get(
                db.engine.dialect.name, False):
            return self._rows(db.session.connection(), params, most)
        held = g.get(_SHARED)
        if held is None:
            held = (threading.get_ident(), db.engine.connect())
            setattr(g, _SHARED, held)
        elif held[0] != threading.get_ident():
            with db.engine.connect() as connection:
                return self._rows(connection, params, most)
        try:
            return self._rows(held[1], params, most)
        except BaseException:
            release()  # a connection that failed a statement is not kept
            raise


class PreparedInsert(_Prepared):
    """An INSERT of one row into a table with an autoincrement primary key, RETURNING that
    key, run through the driver on the unit of work's connection (profiles, and every audit
    event). A profile's create writes two rows (the profile, its audit event), and
    SQLAlchemy's execution context was about half the cost of each (py-spy: 15.7% of a
    create's worker time in _execute_context, of which the driver's execute 5.4% and the
    token columns' encryption 4.2%).

    Every column but the key takes a value on every insert, and no column default runs
    (a missing value raises InvalidRequestError, as an INSERT compiled for those columns
    does in SQLAlchemy): what a default would fill in, the caller gives."""

    def __init__(self, table: Table):
        key = table.autoincrement_column
        if key is None:
            raise ValueError(f"{table.name} has no autoincrement primary key")
        super().__init__(insert(table).returning(key),
                         [column.key for column in table.columns if column is not key])

    def insert(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Insert the row in connection's transaction; its new primary key."""
        return self._rows(connection, values, 1)[0][0]


_SHARED = "_prepared_read_connection"  # on g: (thread id, Connection)


def release(*, any_thread: bool = False) -> None:
    """Give the app context's shared read connection back to the pool, if this thread's
    reads took it (or any thread's, when the context ends)."""
    held = g.get(_SHARED) if has_app_context() else None
    if held is not None and (any_thread or held[0] == threading.get_ident()):
        g.pop(_SHARED)
        held[1].close()  # the pool rolls back whatever the driver began


def register(app: Flask) -> None:
    app.teardown_appcontext(lambda _exc: release(any_thread=True))


@event.listens_for(Session, "after_transaction_create")
def _before_a_session_connects(_session, transaction) -> None:
    # A Session's transaction takes its connection at its first statement, after this.
    if transaction.parent is None:
        release()


# Whether a pooled connection of its own costs a read less than the session: in-process for
# SQLite (18-25 us, bench.reads); over the network elsewhere, where checking one out pings
# the server (pool_pre_ping) and returning it rolls back, two round trips per read, so the
# reads of a request share the session's connection there.
_CHEAP_CHECKOUT = {"sqlite": True}


def _run(connection: Connection, sql: str, args, most: int | None) -> list:
    """Execute and fetch (at most ``most`` rows), as Connection.execute would (events,
    errors)."""
    dispatch = connection.dispatch
    dbapi_connection = connection.connection.dbapi_connection
    cursor = None
    try:
        cursor = dbapi_connection.cursor()
        if dispatch.before_cursor_execute:
            dispatch.before_cursor_execute(connection, cursor, sql, args, None, False)
        cursor.execute(sql, args)
        rows = cursor.fetchall() if most is None else cursor.fetchmany(most)
        if dispatch.after_cursor_execute:
            dispatch.after_cursor_execute(connection, cursor, sql, args, None, False)
        return rows
    except connection.dialect.loaded_dbapi.Error as exc:
        lost = connection.dialect.is_disconnect(exc, dbapi_connection, cursor)
        _close_quietly(cursor)  # before the connection goes: closing after it would raise
        cursor = None
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(sql, args, exc, connection.dialect.loaded_dbapi.Error,
                                  hide_parameters=True, dialect=connection.dialect,
                                  connection_invalidated=lost) from exc
    finally:
        if cursor is not None:
            cursor.close()


def _close_quietly(cursor) -> None:
    if cursor is not None:
        try:
            cursor.close()
        except Exception:  # noqa: BLE001 - the error being raised is the one that matters
            pass
