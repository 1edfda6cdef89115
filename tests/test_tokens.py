"""The token service: GET /api/mgmt/oauthprofiles/{id}/token hands out a token valid NOW,
refreshing it first when needed, against the real local provider; and statuses that tell the
truth, at each boundary, with a clock the test controls."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlsplit
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import create_engine, event, select, update
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.exc import OperationalError

from tests.oauth_provider import (CLIENT_ID, Server, oauth_config,  # noqa: F401
                                  provider, register_app, stored_profile)
from tests.test_concurrency import serving
from webui.domain import profile_view
from webui.domain.caller import Caller
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import AuditEvent, OAuthProfile, User

BLOCKED, PROVIDER_ERROR = "222209012", "222209010"


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return {**oauth_config, "OAUTH_REFRESH_COALESCE_SECONDS": 0}


@pytest.fixture
def profile(client, admin, alice, provider):  # noqa: F811
    """alice's profile, its refresh token known to the provider; (id, token URL)."""
    app_id = register_app(client, admin, provider)
    response = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
        "name": "Warehouse", "oauthAppId": app_id, "accessToken": "stored-access",
        "refreshToken": provider.grant_refresh_token(CLIENT_ID)})
    assert response.status_code == 201
    pid = response.json["id"]
    return pid, f"/api/mgmt/oauthprofiles/{pid}/token"


def expire_in(app, pid: int, seconds: float | None) -> None:
    """Set the stored token's expiry relative to now (None: unknown)."""
    at = None if seconds is None else datetime.now(timezone.utc) + timedelta(seconds=seconds)
    with app.app_context():
        db.session.execute(update(OAuthProfile).where(OAuthProfile.id == pid)
                           .values(token_expires_at=at))
        db.session.commit()
        db.session.remove()


def test_a_valid_token_is_handed_out_as_stored(app, client, alice, profile, provider):  # noqa
    pid, url = profile
    expire_in(app, pid, 3600)
    response = client.get(url, headers=alice.basic)
    assert response.status_code == 200
    body = response.json
    assert body["accessToken"] == "stored-access" and body["tokenType"] == "Bearer"
    assert body["scope"] == "read write" and body["expiresAt"].endswith("Z")
    assert response.headers["Cache-Control"] == "no-store"
    assert provider.token_requests == []


def test_unknown_expiry_is_handed_out_with_null(app, client, alice, profile, provider):  # noqa
    pid, url = profile
    body = client.get(url, headers=alice.basic).json
    assert body["accessToken"] == "stored-access" and body["expiresAt"] is None
    assert provider.token_requests == []


@pytest.mark.parametrize("seconds", [-5, 0, 30, 59])
def test_an_expired_or_nearly_expired_token_is_refreshed_first(app, client, alice, profile,
                                                               provider, seconds):  # noqa
    pid, url = profile
    provider.rotate = True
    expire_in(app, pid, seconds)
    body = client.get(url, headers=alice.basic).json
    assert body["accessToken"].startswith("at-") and len(provider.token_requests) == 1
    stored = stored_profile(app, "alice", pid)
    assert stored.access_token == body["accessToken"]
    assert stored.refresh_token != provider.token_requests[0]["refresh_token"]  # rotated
    expires = datetime.fromisoformat(body["expiresAt"].replace("Z", "+00:00"))
    assert expires - datetime.now(timezone.utc) > timedelta(seconds=3000)


def test_a_provider_down_is_502_and_the_stale_token_never_leaks(app, client, alice, profile,
                                                                 provider):  # noqa: F811
    pid, url = profile
    expire_in(app, pid, -60)
    provider.refresh_error = "temporarily_unavailable"
    response = client.get(url, headers=alice.basic)
    assert response.status_code == 502 and response.json["error"]["code"] == PROVIDER_ERROR
    assert "stored-access" not in response.get_data(as_text=True)
    one = client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic).json
    assert one["status"] == "refreshFailing" and one["lastRefreshError"]


def test_invalid_grant_is_409_and_flips_the_status(app, client, alice, profile,
                                                   provider):  # noqa: F811
    pid, url = profile
    expire_in(app, pid, -60)
    provider.refresh_error = "invalid_grant"
    response = client.get(url, headers=alice.basic)
    assert response.status_code == 409 and response.json["error"]["code"] == BLOCKED
    one = client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic).json
    assert one["status"] == "needsReauthorization"
    requests_before = len(provider.token_requests)
    again = client.get(url, headers=alice.basic)  # answered at once, provider not called
    assert again.status_code == 409 and len(provider.token_requests) == requests_before


def test_fifty_concurrent_callers_make_one_token_request(app, alice, profile,
                                                         provider):  # noqa: F811
    pid, url = profile
    provider.rotate, provider.delay = True, 0.3
    expire_in(app, pid, -60)
    answers: list = []
    barrier = threading.Barrier(50)
    with Server(app) as server:
        def call():
            barrier.wait()
            answers.append(requests.get(server.url + url, headers=alice.basic, timeout=60))
        threads = [threading.Thread(target=call) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    assert [a.status_code for a in answers] == [200] * 50
    assert len({a.json()["accessToken"] for a in answers}) == 1
    assert len(provider.token_requests) == 1


@pytest.mark.parametrize("backend", ["postgresql"])  # hosts share a database only there
def test_two_servers_make_one_token_request(app, alice, profile, provider,  # noqa: F811
                                            tmp_path):
    """Two gunicorn servers (separate process groups, as two hosts would be) on one
    database: one token request for 50 callers split between them."""
    pid, url = profile
    provider.rotate, provider.delay = True, 0.3
    expire_in(app, pid, -60)
    with serving(app, tmp_path / "one.log", workers=2, threads=8) as one, \
            serving(app, tmp_path / "two.log", workers=2, threads=8) as two:
        one.warm(alice, 4)
        two.warm(alice, 4)
        barrier = threading.Barrier(50)
        statuses: list = []

        def call(n):
            barrier.wait()
            statuses.append((one if n % 2 else two).request("GET", url, auth=alice))
        threads = [threading.Thread(target=call, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    assert [s for s, _ in statuses] == [200] * 50
    assert len({body["accessToken"] for _, body in statuses}) == 1
    assert len(provider.token_requests) == 1


def test_rules_of_the_endpoint(client, admin, alice, make_user, profile):
    pid, url = profile
    assert client.get(url, headers=make_user("bob").basic).status_code == 404
    assert client.get(url).status_code == 401
    viewer = client.post("/api/admin/roles", headers=admin.basic, json={
        "name": "NoView", "permissions": [1, 3, 11], "users": []})
    assert viewer.status_code == 201
    assert client.get(url, headers=make_user("carol", roles_=("NoView",)).basic
                      ).status_code == 403
    assert client.get(url, headers=admin.basic).status_code == 404  # not the owner
    assert client.get(f"{url}?user=alice", headers=admin.basic).status_code == 200
    delegate = make_user("delegate", permissions=(21,))  # MgmtAPI + OnBehalfOf, same tenant
    assert client.get(f"{url}?user=alice", headers=delegate.basic).status_code == 200
    assert client.get(f"{url}?user=ghost", headers=admin.basic).status_code == 404


def test_hand_outs_are_audited_coalesced_and_without_the_value(app, client, admin, alice,
                                                              profile):  # noqa: F811
    pid, url = profile
    updated = client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic
                         ).json["updatedAt"]
    for _ in range(3):
        assert client.get(url, headers=alice.basic).status_code == 200
    assert client.get(f"{url}?user=alice", headers=admin.basic).status_code == 200
    events = client.get("/api/admin/audit?action=token", headers=admin.basic).json["events"]
    rows = {(e["actor"], e["onBehalfOf"]): e for e in events}
    assert set(rows) == {("alice", None), ("admin", "alice")}
    assert rows[("admin", "alice")]["count"] == 1
    with app.app_context():
        from webui.domain import handouts
        handouts.flush()  # what a worker does at exit, and once a minute while serving
        db.session.remove()
    events = client.get("/api/admin/audit?action=token", headers=admin.basic).json["events"]
    counts = {(e["actor"], e["onBehalfOf"]): e["count"] for e in events}
    assert counts[("alice", None)] == 3
    assert "stored-access" not in str(events)
    one = client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic).json
    assert one["lastUsedAt"] is not None
    assert one["updatedAt"] == updated  # a hand-out is not a change of the profile


def test_each_minute_has_its_own_row_and_late_counts_reach_theirs(app, alice, profile):
    """Minute boundaries, with a clock the test sets: the counts of a minute gone reach its
    row at the next write; a hand-out of the minute before, finishing late, is counted
    against that minute's row and leaves the current minute's row in place."""
    from webui.domain import handouts, tokens
    pid, _ = profile
    expire_in(app, pid, None)  # no known expiry: handed out at any clock
    minute = datetime(2026, 12, 2, 12, 0, 5, tzinfo=timezone.utc)
    later = minute + timedelta(minutes=1)
    with app.test_request_context():
        caller = Caller.own(Principal.of(db.session.get(User, alice.id)))
        for at in (minute, minute, minute, later, minute, later):
            assert tokens.hand_out(caller, pid, now=at).access_token == "stored-access"
        rows = db.session.execute(
            select(AuditEvent.id, AuditEvent.count).where(AuditEvent.action == "token")
            .order_by(AuditEvent.id)).all()
        # 12:00's row got its two counted hand-outs when 12:01's row was written; the late
        # 12:00 hand-out and the last 12:01 one are counted in memory.
        assert [count for _, count in rows] == [3, 1]
        handouts.flush()
        db.session.remove()
        counts = db.session.execute(
            select(AuditEvent.count).where(AuditEvent.action == "token")
            .order_by(AuditEvent.id)).scalars().all()
        assert counts == [4, 2]
        db.session.remove()


def test_server_processes_share_the_row_of_a_caller_profile_and_minute(app, app_config,
                                                                       alice, profile):
    """Two server processes (two apps on one database, each with its own counts) hand out
    the same token in the same minute: one row, whose count is every hand-out of both once
    each has written its counts; the second process writes nothing before its hand-outs.
    The next minute has a row of its own, and what the second process counted in the minute
    before is not lost when it finds that row written too."""
    from webui import create_app
    from webui.domain import handouts, tokens
    pid, _ = profile
    expire_in(app, pid, None)
    minute = datetime(2026, 12, 2, 12, 0, 5, tzinfo=timezone.utc)
    other = create_app(app_config)

    def hand_out(server, times, at=minute):
        with server.test_request_context():
            caller = Caller.own(Principal.of(db.session.get(User, alice.id)))
            for _ in range(times):
                assert tokens.hand_out(caller, pid, now=at).access_token == "stored-access"
            db.session.remove()

    def rows():
        with app.app_context():
            found = db.session.execute(
                select(AuditEvent.coalesce_key, AuditEvent.count)
                .where(AuditEvent.action == "token").order_by(AuditEvent.id)).all()
            db.session.remove()
            return found

    def flush(server):
        with server.app_context():
            handouts.flush()
            db.session.remove()

    try:
        hand_out(app, 2)
        hand_out(other, 3)
        key = f"token:{alice.id}:{alice.id}:{pid}:{int(minute.timestamp() // 60)}"
        assert rows() == [(key, 1)]  # the other process only counted
        hand_out(app, 1, minute + timedelta(minutes=1))  # writes the next minute's row
        hand_out(other, 1, minute + timedelta(minutes=1))  # finds it: counts
        assert [count for _, count in rows()] == [2, 1]
        flush(other)
        flush(app)
        assert [count for _, count in rows()] == [5, 2]
    finally:
        with other.app_context():
            db.engine.dispose()


def test_the_ledger_merges_counts_of_a_row_and_hands_them_out_in_row_order():
    """Counts of one row from any path (counted, added, given back) are one count; they are
    taken in the order of their rows (two processes' writes then lock shared rows in the
    same order: no deadlock on PostgreSQL)."""
    from webui.domain.handouts import Ledger
    ledger = Ledger()
    ledger.remember(("a",), 10, 7)
    ledger.add(9)
    assert ledger.count(("a",), 10) and ledger.count(("a",), 10)
    assert not ledger.count(("a",), 11) and not ledger.count(("b",), 10)
    ledger.give_back([{"row": 7, "n": 3}, {"row": 2, "n": 1}])
    assert ledger.take() == [{"row": 2, "n": 1}, {"row": 7, "n": 5}, {"row": 9, "n": 1}]
    assert ledger.take() == [] and not ledger.pending()
    ledger.remember(("a",), 9, 8)  # a minute gone: not remembered
    assert ledger.count(("a",), 10)
    assert ledger.take() == [{"row": 7, "n": 1}]


def test_hot_requests_compile_no_statement_twice(app, client, alice, profile):
    """After a first round, creating a profile, reading it, listing, and handing out a new
    profile's token (its audit row written) execute only statements SQLAlchemy has compiled
    already: a construct it cannot cache (the dialects' INSERT ... ON CONFLICT) compiled
    again on every hand-out."""
    pid, _ = profile
    app_id = client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic
                        ).json["oauthAppId"]
    with app.app_context():
        engine = db.engine
    compiled_again: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if context is not None and context.cache_hit != CacheStats.CACHE_HIT:
            compiled_again.append(f"{context.cache_hit.name}: {statement}")

    event.listen(engine, "after_cursor_execute", watch)
    try:
        for n in range(2):
            compiled_again.clear()
            created = client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
                "name": f"hot_{n}", "oauthAppId": app_id, "accessToken": "a",
                "refreshToken": "r"})
            assert created.status_code == 201
            new = created.json["id"]
            for path in (f"/api/mgmt/oauthprofiles/{new}", "/api/mgmt/oauthprofiles",
                         f"/api/mgmt/oauthprofiles/{new}/token"):
                assert client.get(path, headers=alice.basic).status_code == 200
    finally:
        event.remove(engine, "after_cursor_execute", watch)
    assert compiled_again == []
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.count).where(
            AuditEvent.action == "token", AuditEvent.object_id == new)) == 1
        db.session.remove()


@contextmanager
def write_lock_held(uri: str, backend: str):
    """Another client holds the database's write lock (SQLite) or a lock on the audit table
    that refuses inserts (PostgreSQL) for the duration of the block."""
    engine = create_engine(uri)
    try:
        with engine.connect() as holder:
            if backend == "sqlite":
                holder.connection.dbapi_connection.isolation_level = None
                holder.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                holder.exec_driver_sql("LOCK TABLE audit_event IN EXCLUSIVE MODE")
            try:
                yield
            finally:
                holder.rollback()
    finally:
        engine.dispose()


def test_counts_of_a_failed_write_reach_their_row_at_the_next(app, app_config, backend,
                                                              alice, profile):
    """A hand-out whose write fails (the database is locked past the waiting time) raises,
    and the counts that write was to add are written by the next one, not lost."""
    from webui import create_app
    from webui.domain import handouts, tokens
    pid, _ = profile
    expire_in(app, pid, None)
    impatient = create_app({**app_config, **(
        {"SQLITE_BUSY_TIMEOUT_MS": 50} if backend == "sqlite" else
        {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c lock_timeout=100"}}})})
    minute = datetime(2026, 12, 2, 12, 0, 5, tzinfo=timezone.utc)
    try:
        with impatient.test_request_context():
            caller = Caller.own(Principal.of(db.session.get(User, alice.id)))
            db.session.remove()
            for _ in range(3):  # the row, then two counted in this process
                tokens.hand_out(caller, pid, now=minute)
            with write_lock_held(app_config["SQLALCHEMY_DATABASE_URI"], backend):
                with pytest.raises(OperationalError):  # the next minute's row cannot be written
                    tokens.hand_out(caller, pid, now=minute + timedelta(minutes=1))
            handouts.flush()
            counts = db.session.execute(select(AuditEvent.count).where(
                AuditEvent.action == "token").order_by(AuditEvent.id)).scalars().all()
            assert counts == [3]
            db.session.remove()
    finally:
        with impatient.app_context():
            db.engine.dispose()


NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
MARGIN = timedelta(seconds=60)


@pytest.mark.parametrize("expires,flags,status", [
    (None, {}, "active"),
    (NOW + MARGIN + timedelta(seconds=1), {}, "active"),
    (NOW + MARGIN, {}, "expiring"),
    (NOW + timedelta(seconds=1), {}, "expiring"),
    (NOW, {}, "expired"),
    (NOW - timedelta(days=1), {}, "expired"),
    (None, {"access_token": None}, "expired"),
    (NOW + timedelta(days=1), {"refresh_failures": 2}, "refreshFailing"),
    (NOW + timedelta(days=1), {"refresh_failures": 2, "needs_reauthorization": True},
     "needsReauthorization"),
])
def test_statuses_at_each_boundary(app, alice, profile, expires, flags, status):
    """The view's status and the list filter's SQL condition agree, at a fixed clock."""
    pid, _ = profile
    with app.app_context():
        db.session.execute(update(OAuthProfile).where(OAuthProfile.id == pid)
                           .values(token_expires_at=expires, **flags))
        db.session.commit()
        caller = Caller.own(Principal.of(db.session.get(User, alice.id)))
        from webui.domain import profiles
        view = profiles.read(caller.subject, pid)
        assert view.status_at(NOW, MARGIN) == status
        matching = {name for name in profile_view.STATUSES if db.session.execute(
            profile_view.VIEWS.where(OAuthProfile.id == pid,
                                     profile_view.status_condition(name, NOW, MARGIN))
        ).first() is not None}
        assert matching == {status}
        db.session.remove()


def test_the_list_filters_by_status_and_sorts(app, client, alice, profile,
                                              provider):  # noqa: F811
    pid, _ = profile
    app_id = client.get(f"/api/mgmt/oauthprofiles/{pid}", headers=alice.basic).json[
        "oauthAppId"]
    for name in ("Beta", "alpha", "Gamma"):
        client.post("/api/mgmt/oauthprofiles", headers=alice.basic, json={
            "name": name, "oauthAppId": app_id, "refreshToken": "r"})  # no access token
    listed = client.get("/api/mgmt/oauthprofiles?status=expired&sort=name",
                        headers=alice.basic).json["profiles"]
    assert [p["name"] for p in listed] == ["Beta", "Gamma", "alpha"]
    assert all(p["status"] == "expired" for p in listed)
    both = client.get("/api/mgmt/oauthprofiles?status=active,expired&sort=-name&limit=2",
                      headers=alice.basic)
    assert [p["name"] for p in both.json["profiles"]] == ["alpha", "Warehouse"]
    link = urlsplit(both.headers["Link"].split(";")[0].strip("<>"))
    nxt = f"{link.path}?{link.query}"
    assert [p["name"] for p in client.get(nxt, headers=alice.basic).json["profiles"]] == \
        ["Gamma", "Beta"]
    bad = client.get("/api/mgmt/oauthprofiles?status=sleepy", headers=alice.basic)
    assert bad.status_code == 400


def test_a_data_source_hands_out_its_profiles_token(client, alice, make_user, profile):
    pid, _ = profile
    linked = client.post("/api/mgmt/datasources", headers=alice.basic, json={
        "name": "Warehouse_ds", "dataStore": 63, "options": {"OAuthProfileId": str(pid)}})
    assert linked.status_code == 201, linked.json
    bare = client.post("/api/mgmt/datasources", headers=alice.basic, json={
        "name": "Bare_ds", "dataStore": 63, "options": {}})
    assert bare.status_code == 201, bare.json
    url = "/api/mgmt/datasources/{}/token"
    body = client.get(url.format(linked.json["id"]), headers=alice.basic).json
    assert body["accessToken"] == "stored-access" and body["tokenType"] == "Bearer"
    unlinked = client.get(url.format(bare.json["id"]), headers=alice.basic)
    assert unlinked.status_code == 409
    other = client.get(url.format(linked.json["id"]), headers=make_user("bob").basic)
    assert other.status_code == 404 and other.json["error"]["code"] == "222207004"
