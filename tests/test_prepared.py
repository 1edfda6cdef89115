"""PreparedRead and PreparedInsert (webui/infra/prepared.py): the hot reads run through the
driver must answer exactly what Session.execute answers, inside the session's transaction when
there is one, visible to the engine's cursor listeners, with SQLAlchemy's errors; on SQLite the
reads of an app context share one connection, which goes back before any other is taken and
when the context ends. The prepared INSERT stores what the engine's INSERT stores, and refuses
a missing value. On SQLite and PostgreSQL (the ``app`` fixture)."""
from __future__ import annotations

import contextvars
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import (Column, Integer, MetaData, String, Table, bindparam, event, func,
                        insert, select, text, update)
from sqlalchemy.exc import DBAPIError, InvalidRequestError

from tests.conftest import APP_BODY
from webui.domain import bootstrap, oauthapps, profile_view, profiles, users
from webui.domain.caller import Caller
from webui.domain.errors import ConcurrentChange, Conflict
from webui.domain.principal import Principal
from webui.domain.refresh import aware
from webui.domain.transaction import core_unit_of_work, unit_of_work
from webui.extensions import db
from webui.infra import prepared
from webui.infra.locks import named_lock
from webui.infra.prepared import PreparedInsert, PreparedRead
from webui.models import OAuthProfile
from webui.models.names import name_key

EXPIRES = datetime(2026, 12, 2, 14, 3, tzinfo=timezone.utc)


@contextmanager
def counted_checkouts():
    """The pool checkouts made in the block (a list, one entry each)."""
    seen = []

    def record(*_args):
        seen.append(1)
    event.listen(db.engine.pool, "checkout", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.pool, "checkout", record)


@pytest.fixture
def stored(app, alice):
    """An app context with one profile of alice's (tokens, an expiry, a failing refresh);
    yields its read parameters."""
    with app.app_context():
        app_id = oauthapps.create_application(bootstrap.SYSTEM, APP_BODY).id
        caller = Caller.own(Principal.of(users.user_by_name("alice")))
        pid = profiles.create_profile(caller, {
            "name": "p1", "oauthAppId": app_id, "description": "d",
            "accessToken": "access-1", "refreshToken": "refresh-1"}).id
        db.session.execute(update(OAuthProfile).where(OAuthProfile.id == pid).values(
            token_expires_at=EXPIRES, needs_reauthorization=True, refresh_failures=2,
            last_refresh_error="provider said 503"))
        db.session.commit()
        yield {"profile_id": pid, "owner_id": caller.subject.id}
        db.session.remove()


def test_answers_what_the_session_answers(stored):
    expected = db.session.execute(profile_view.ONE_WITH_TOKENS, stored).one()
    db.session.rollback()
    got = PreparedRead(profile_view.ONE_WITH_TOKENS).one_or_none(stored)
    assert tuple(got) == tuple(expected)
    # The types are the columns' own, not the driver's (SQLite answers 0/1 and text):
    # decrypted, datetimes, booleans.
    assert [type(value) for value in got] == [type(value) for value in expected]
    assert got.access_token == "access-1" and got.refresh_token == "refresh-1"
    assert got.needs_reauthorization is True and got.has_refresh_token is True
    assert aware(got.token_expires_at) == EXPIRES
    assert isinstance(got.created_at, datetime)
    assert profile_view.view(got).status_at(EXPIRES, timedelta(0)) == \
        "needsReauthorization"


def test_no_row_is_none_and_two_rows_are_refused(stored):
    read = PreparedRead(profile_view.ONE)
    assert read.one_or_none({**stored, "owner_id": stored["owner_id"] + 1000}) \
        is None
    p = OAuthProfile.__table__.c
    every = PreparedRead(select(p.id).where(p.id >= bindparam("low")))
    profiles.create_profile(Caller.own(Principal.of(users.user_by_name("alice"))), {
        "name": "p2", "oauthAppId": db.session.scalar(select(p.oauth_app_id)),
        "accessToken": "a", "refreshToken": "r"})
    with pytest.raises(LookupError):
        every.one_or_none({"low": 0})


def test_all_rows_in_order_as_the_session_answers(stored):
    caller = Caller.own(Principal.of(users.user_by_name("alice")))
    app_id = db.session.scalar(select(OAuthProfile.oauth_app_id))
    for name in ("p2", "p3"):
        profiles.create_profile(caller, {"name": name, "oauthAppId": app_id,
                                         "accessToken": "a", "refreshToken": "r"})
    page = profile_view.VIEWS.where(
        OAuthProfile.owner_id == bindparam("owner_id"), OAuthProfile.id > bindparam("after")
    ).order_by(OAuthProfile.id).limit(bindparam("limit"))
    params = {"owner_id": stored["owner_id"], "after": 0, "limit": 2}
    expected = [tuple(row) for row in db.session.execute(page, params)]
    db.session.rollback()
    got = PreparedRead(page).all(params)
    assert [tuple(row) for row in got] == expected
    assert [row.name for row in got] == ["p1", "p2"]
    assert PreparedRead(page).all({**params, "after": 10**9}) == []


def test_reads_inside_the_sessions_transaction(stored):
    read = PreparedRead(profile_view.ONE)
    db.session.execute(update(OAuthProfile).where(OAuthProfile.id == stored["profile_id"])
                       .values(description="not committed"))
    assert read.one_or_none(stored).description == "not committed"
    db.session.rollback()
    assert read.one_or_none(stored).description == "d"


def test_outside_a_transaction_no_session_begins_on_sqlite(app, stored, backend):
    """SQLite: the reads of an app context share one pooled connection, and no Session
    begins; it goes back to the pool when the context ends. PostgreSQL: the session's
    connection (a checkout there costs round trips)."""
    db.session.remove()
    pool = db.engine.pool
    before = pool.checkedout()
    read = PreparedRead(profile_view.ONE)
    with app.app_context(), counted_checkouts() as checkouts:
        assert read.one_or_none(stored).description == "d"
        assert read.one_or_none(stored).name == "p1"
        if backend == "sqlite":
            assert not db.session.registry.has()
            assert pool.checkedout() == before + 1 and len(checkouts) == 1
        else:
            assert db.session.registry().in_transaction()
            db.session.commit()
        # What another connection commits meanwhile is seen by the next read: the shared
        # connection holds no snapshot between reads.
        with db.engine.begin() as other:
            other.execute(update(OAuthProfile.__table__)
                          .where(OAuthProfile.__table__.c.id == stored["profile_id"])
                          .values(description="committed elsewhere"))
        assert read.one_or_none(stored).description == "committed elsewhere"
        db.session.remove()
    assert pool.checkedout() == before


def test_the_shared_connection_goes_back_before_any_other_is_taken(app, stored, backend):
    """A caller never holds two connections at once: on SQLite the reads' connection goes
    back to the pool before a unit of work, a Session's transaction or a named lock takes
    one (or waits); on PostgreSQL the reads are the session's, which a unit of work ends."""
    db.session.remove()
    pool, read = db.engine.pool, PreparedRead(profile_view.ONE)
    before = pool.checkedout()
    with app.app_context():
        read.one_or_none(stored)
        assert pool.checkedout() == before + 1
        with core_unit_of_work(ConcurrentChange()):
            assert pool.checkedout() == before + 1  # the write's only
        read.one_or_none(stored)
        with unit_of_work(ConcurrentChange()) as session:
            session.execute(select(OAuthProfile.id)).all()
            assert pool.checkedout() == before + 1
        read.one_or_none(stored)
        db.session.execute(select(OAuthProfile.id)).all()
        assert pool.checkedout() == before + 1  # the session's only
        assert read.one_or_none(stored).name == "p1"  # in the session's transaction
        db.session.commit()
        read.one_or_none(stored)
        db.session.commit()  # as a caller of named_lock must (PostgreSQL: the session's)
        with named_lock("test-shared-read", timeout=5):
            # SQLite's lock is a file lock; PostgreSQL's holds a connection of its own.
            assert pool.checkedout() == before + (backend == "postgresql")
        db.session.remove()
    assert pool.checkedout() == before


def test_a_thread_sharing_the_context_reads_on_a_connection_of_its_own(app, stored, backend):
    """SQLite: a copied context (another thread) never uses the connection this thread's
    reads hold: it takes its own for the statement and gives it back at once."""
    db.session.remove()
    pool, read = db.engine.pool, PreparedRead(profile_view.ONE)
    before = pool.checkedout()
    with app.app_context():
        read.one_or_none(stored)
        held = pool.checkedout()
        answers = []
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run,
                                  args=(lambda: answers.append(read.one_or_none(stored).name),))
        with counted_checkouts() as checkouts:
            thread.start()
            thread.join()
        assert answers == ["p1"]
        # PostgreSQL: the thread's read is on the context's session, as every read there.
        assert len(checkouts) == (backend == "sqlite")
        assert pool.checkedout() == held
        db.session.remove()
    assert pool.checkedout() == before


def test_cursor_listeners_see_the_statement(app, stored):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        PreparedRead(profile_view.ONE).one_or_none(stored)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 1
    statement, parameters = seen[0]
    assert "FROM oauth_profile" in statement
    values = parameters.values() if isinstance(parameters, dict) else parameters
    assert stored["profile_id"] in values and stored["owner_id"] in values


def test_driver_errors_are_sqlalchemys(stored):
    missing = Table("no_such_table", MetaData(), Column("id", Integer))
    read = PreparedRead(select(missing.c.id).where(missing.c.id == bindparam("id")))
    with pytest.raises(DBAPIError) as raised:
        read.one_or_none({"id": 1})
    assert "no_such_table" in str(raised.value.orig)
    db.session.rollback()
    # The session goes on working.
    assert PreparedRead(profile_view.ONE).one_or_none(stored).name == "p1"


def test_driver_errors_inside_a_transaction_and_the_pool_after(stored):
    pool = db.engine.pool
    db.session.commit()
    db.session.remove()
    before = pool.checkedout()
    missing = Table("no_such_table", MetaData(), Column("id", Integer))
    read = PreparedRead(select(missing.c.id).where(missing.c.id == bindparam("id")))
    with pytest.raises(DBAPIError) as raised:  # on a connection of its own (SQLite)
        read.one_or_none({"id": 424242})
    assert "424242" not in str(raised.value)  # parameters are hidden, as the engine's are
    db.session.remove()
    assert pool.checkedout() == before
    db.session.execute(select(OAuthProfile.id)).all()  # the session is in a transaction
    with pytest.raises(DBAPIError):
        read.one_or_none({"id": 1})
    db.session.rollback()  # as after any failed statement (PostgreSQL aborts the transaction)
    assert PreparedRead(profile_view.ONE).one_or_none(stored).name == "p1"
    db.session.remove()
    prepared.release()  # the shared connection of that read (SQLite)
    assert pool.checkedout() == before


def test_expanding_parameters_are_refused(stored):
    p = OAuthProfile.__table__.c
    read = PreparedRead(select(p.id).where(p.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError):
        read.one_or_none({"ids": [stored["profile_id"]]})


def _profile_row(stored, name: str) -> dict:
    """Every column's value of a new profile of the stored one's owner and application."""
    app_id = db.session.scalar(select(OAuthProfile.oauth_app_id)
                               .where(OAuthProfile.id == stored["profile_id"]))
    db.session.rollback()
    return {"owner_id": stored["owner_id"], "oauth_app_id": app_id, "name": name,
            "name_key": name_key(name), "description": "d", "access_token": "access-x",
            "refresh_token": None, "token_expires_at": EXPIRES, "needs_reauthorization": True,
            "tokens_refreshed_at": None, "last_refresh_error": "said 503", "refresh_failures": 2,
            "next_refresh_at": EXPIRES, "last_used_at": None, "created_at": EXPIRES,
            "updated_at": EXPIRES}


def _stored_as(pid: int) -> tuple:
    """The profile's row as the database holds it (the token as stored: ciphertext) and as
    the ORM reads it."""
    p = OAuthProfile.__table__.c
    raw = db.session.execute(text("SELECT access_token FROM oauth_profile WHERE id = :id"),
                             {"id": pid}).scalar()
    row = db.session.execute(select(*(c for c in OAuthProfile.__table__.columns
                                      if c.name not in ("id", "name", "name_key")))
                             .where(p.id == pid)).one()
    db.session.rollback()
    return raw, tuple(row)


def test_insert_stores_what_the_engines_insert_stores(stored):
    insert_row = PreparedInsert(OAuthProfile.__table__)
    by_engine, by_driver = _profile_row(stored, "by_engine"), _profile_row(stored, "by_driver")
    with core_unit_of_work(Conflict("taken", "name")) as connection:
        engine_id = connection.execute(insert(OAuthProfile.__table__),
                                       by_engine).inserted_primary_key[0]
        prepared_id = insert_row.insert(connection, by_driver)
    assert prepared_id == engine_id + 1
    profile = db.session.get(OAuthProfile, prepared_id)
    assert (profile.name, profile.name_key, profile.access_token) == \
        ("by_driver", "by_driver", "access-x")
    db.session.rollback()
    (engine_raw, engine_row), (raw, row) = _stored_as(engine_id), _stored_as(prepared_id)
    assert row == engine_row  # decrypted, datetimes and booleans read back alike
    assert "access-x" not in raw and raw != engine_raw  # encrypted, each its own ciphertext


def test_insert_refuses_a_missing_value_and_writes_nothing(stored):
    count = select(func.count()).select_from(OAuthProfile.__table__)
    before = db.session.scalar(count)
    db.session.rollback()
    row = _profile_row(stored, "no_key")
    del row["name_key"]  # a column default (name_key follows name) does not run here
    first = _profile_row(stored, "first_of_two")
    with pytest.raises(InvalidRequestError, match="name_key"):
        with core_unit_of_work(Conflict("taken", "name")) as connection:
            insert_row = PreparedInsert(OAuthProfile.__table__)
            insert_row.insert(connection, first)
            insert_row.insert(connection, row)
    assert db.session.scalar(count) == before  # the first row went with the transaction


def test_insert_of_a_taken_name_is_the_use_cases_conflict(stored):
    taken, free = _profile_row(stored, "P1"), _profile_row(stored, "p2")
    with pytest.raises(Conflict):
        with core_unit_of_work(Conflict("taken", "name")) as connection:
            PreparedInsert(OAuthProfile.__table__).insert(connection, taken)
    # The connection went back rolled back, and the next write goes through.
    with core_unit_of_work(Conflict("taken", "name")) as connection:
        assert PreparedInsert(OAuthProfile.__table__).insert(connection, free) > 0


def test_cursor_listeners_see_the_insert(stored):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    row = _profile_row(stored, "p3")
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with core_unit_of_work(Conflict("taken", "name")) as connection:
            PreparedInsert(OAuthProfile.__table__).insert(connection, row)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len([s for s in seen if s.startswith("INSERT INTO oauth_profile")]) == 1


def test_insert_needs_an_autoincrement_key():
    keyed_by_name = Table("by_name", MetaData(), Column("name", String(8), primary_key=True))
    with pytest.raises(ValueError, match="autoincrement"):
        PreparedInsert(keyed_by_name)
