"""The audit trail: appended inside the use case's own transaction, so it commits with it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Sequence

from sqlalchemy import (Integer, String, and_, bindparam, cast, literal, not_, null,
                        or_, select, text, union_all)
from sqlalchemy.engine import Connection

from webui.domain import rules
from webui.domain.board import Board, BoardRequest, read_board
from webui.domain.errors import ConcurrentChange, Invalid
from webui.domain.caller import Caller
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.infra.logs import current_request_id
from webui.infra.prepared import PreparedInsert, PreparedRead
from webui.models import AuditEvent, OAuthApplication, OAuthProfile, Role, User
from webui.models.columns import utcnow


# What the trail records, for filters: actions and object types.
ACTIONS = ("create", "read", "update", "delete", "refresh", "refresh_failed", "token", "login",
           "login_failed", "logout")
OBJECT_TYPES = ("oauthapp", "oauthprofile", "user", "role", "tenant", "datasource", "webhook")


_INSERT = PreparedInsert(AuditEvent.__table__)
# A coalesced event's row, unless its key's row is there already (then no row, no error),
# as text in the syntax SQLite and PostgreSQL share: SQLAlchemy 2.0 compiles the dialects'
# own INSERT ... ON CONFLICT constructs again on every execution (they have no cache key;
# 570 us per insert against 114 for this statement, in-process on in-memory SQLite), and
# caches a text() statement's compiled form. Every column but id is bound: a column added to
# AuditEvent must be given a value in record (until it is, each keyed insert fails, and the
# hand-out tests with it).
_KEYED_COLUMNS = [column for column in AuditEvent.__table__.columns if column.name != "id"]
_KEYED_INSERT = text(
    f"INSERT INTO {AuditEvent.__tablename__} "
    f"({', '.join(column.name for column in _KEYED_COLUMNS)}) "
    f"VALUES ({', '.join(':' + column.name for column in _KEYED_COLUMNS)}) "
    "ON CONFLICT (coalesce_key) WHERE coalesce_key IS NOT NULL DO NOTHING RETURNING id"
).bindparams(*(bindparam(column.name, type_=column.type) for column in _KEYED_COLUMNS))


def record(caller: Caller | None, action: str, object_type: str, object_id: int | None,
           fields: Iterable[str] = (), *, actor_name: str | None = None,
           address: str | None = None, detail: str | None = None,
           connection: Connection | None = None, coalesce_key: str | None = None,
           at: datetime | None = None) -> int | None:
    """Insert an audit event in the current transaction (it commits or rolls back with the
    use case): the session's, or ``connection``'s (a core_unit_of_work). The caller's actor,
    and the subject when acting for someone. Field names only, never values; ``detail`` what
    field names cannot say (never a secret). Without a caller (a failed sign-in), actor_name
    and address say who. The row carries the id of the request that wrote it (None from the
    command line); ``at`` is its time (now when not given). Returns the event's id; None
    when coalesce_key is given and that key's row exists already (see coalesced_row)."""
    # A prepared INSERT, not session.add(): no unit-of-work flush for a row nothing reads
    # back (bench/: the ORM flush of this row was a large share of a profile create).
    values = {
        "actor": caller.actor.user_name if caller else _recordable(actor_name),
        "subject": caller.subject.user_name if caller and caller.on_behalf else None,
        "action": action, "object_type": object_type, "object_id": object_id,
        "fields": ",".join(sorted(fields))[:1024],
        "client_address": caller.address if caller else address,
        "detail": None if detail is None else rules.recordable(detail, 1024),
        "count": 1, "request_id": current_request_id(), "at": at or utcnow()}
    if coalesce_key is None:
        return _INSERT.insert(connection or db.session.connection(),
                              {**values, "coalesce_key": None})
    return (connection or db.session).execute(
        _KEYED_INSERT, {**values, "coalesce_key": coalesce_key}).scalar()


_COALESCED = PreparedRead(select(AuditEvent.id).where(
    AuditEvent.coalesce_key == bindparam("key")))


def coalesced_row(coalesce_key: str) -> int | None:
    """The id of the row written under coalesce_key, if any (by any process)."""
    row = _COALESCED.one_or_none({"key": coalesce_key})
    return None if row is None else row.id


UNKNOWN_ACCOUNT = "(unknown account)"


def record_failed_sign_in(user_name: str, address: str | None, fields: Iterable[str] = ()
                          ) -> None:
    """Record a failed sign-in (either door) in a transaction of its own. The typed name is
    kept only when it names an account: people type passwords into the user-name field, and
    those must not end up in the audit trail."""
    user_id = db.session.scalar(select(User.id).where(User.user_name == user_name)) \
        if rules.recordable(user_name, rules.USER_NAME_MAX) == user_name else None
    with unit_of_work(ConcurrentChange()):
        record(None, "login_failed", "user", user_id, fields,
               actor_name=user_name if user_id is not None else UNKNOWN_ACCOUNT,
               address=address)


def record_read_for(caller: Caller, object_type: str, object_id: int | None = None) -> None:
    """Reading another user's data on their behalf is an on-behalf action too: recorded, in
    a transaction of its own. Nothing happens for one's own data."""
    if not caller.on_behalf:
        return
    with unit_of_work(ConcurrentChange()):
        record(caller, "read", object_type, object_id)


def _recordable(name: str | None) -> str | None:
    # A failed sign-in records the name as typed: it may hold anything (PostgreSQL refuses NUL).
    return None if name is None else rules.recordable(name, rules.USER_NAME_MAX)


def list_events(caller: Caller, page: PageRequest, *, action: str | None = None,
                object_type: str | None = None, user: str | None = None) -> Page[AuditEvent]:
    """Newest first. Needs Administrator (12). Filters match exactly; ``user`` matches the
    actor or the on-behalf subject. Raises Forbidden, Invalid (a filter with control
    characters)."""
    caller.require_actor(Permission.ADMINISTRATOR)
    for field, value in (("action", action), ("objectType", object_type), ("user", user)):
        if value:
            rules.check_text(value, field, rules.USER_NAME_MAX, single_line=True)
    query = select(AuditEvent)
    if page.after:
        query = query.where(AuditEvent.id < page.after)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if user:
        query = query.where(or_(AuditEvent.actor == user, AuditEvent.subject == user))
    rows = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(page.limit + 1)).all()
    return page_of(rows, page)


@dataclass(frozen=True)
class TrailFilter:
    """What the audit page filters by. Exact action, object type and user (actor or
    on-behalf subject); since/until are whole UTC days, both included; hide_reads_for
    leaves out the reads made while acting for someone (action "read" with a subject)."""
    action: str | None = None
    object_type: str | None = None
    user: str | None = None
    since: date | None = None
    until: date | None = None
    hide_reads_for: bool = False

    @classmethod
    def parse(cls, args) -> "TrailFilter":
        """From query-string text (action, objectType, user, since, until, hideReadsFor).
        Raises Invalid naming every bad value at once."""
        problems, days = [], {}
        for key in ("since", "until"):
            text = args.get(key) or ""
            try:
                days[key] = date.fromisoformat(text) if text else None
            except ValueError:
                problems.append((key, f"{key.capitalize()} must be a date (YYYY-MM-DD)."))
        found = cls(args.get("action") or None, args.get("objectType") or None,
                    args.get("user") or None, days.get("since"), days.get("until"),
                    args.get("hideReadsFor") in ("1", "on", "y"))
        for field, value in (("action", found.action), ("objectType", found.object_type),
                             ("user", found.user)):
            if value:
                try:
                    rules.check_text(value, field, rules.USER_NAME_MAX, single_line=True)
                except Invalid as exc:
                    problems.append((field, exc.message))
        if found.since and found.until and found.since > found.until:
            problems.append(("until", "The end date must not be before the start date."))
        if problems:
            raise Invalid.of(problems)
        return found

    def where(self) -> list:
        clauses = []
        if self.action:
            clauses.append(AuditEvent.action == self.action)
        if self.object_type:
            clauses.append(AuditEvent.object_type == self.object_type)
        if self.user:
            clauses.append(or_(AuditEvent.actor == self.user, AuditEvent.subject == self.user))
        if self.since:
            clauses.append(AuditEvent.at >= _midnight(self.since))
        if self.until:
            clauses.append(AuditEvent.at < _midnight(self.until + timedelta(days=1)))
        if self.hide_reads_for:
            clauses.append(not_(and_(AuditEvent.action == "read",
                                     AuditEvent.subject.is_not(None))))
        return clauses


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


TRAIL_SORTS = {"at": AuditEvent.at, "actor": AuditEvent.actor, "action": AuditEvent.action,
               "object": AuditEvent.object_type}


def trail_board(caller: Caller, request: BoardRequest, trail: TrailFilter
                ) -> Board[AuditEvent]:
    """A page of the audit trail (newest first by default), with its total. Needs
    Administrator (12). Raises Forbidden, Invalid (unknown sort key)."""
    caller.require_actor(Permission.ADMINISTRATOR)
    query = select(AuditEvent).where(*trail.where())
    return read_board(query, request, TRAIL_SORTS, "at", AuditEvent.id)


@dataclass(frozen=True)
class ObjectName:
    name: str
    owner_id: int | None  # a profile's owner (a profile is only shown to its owner)


_NAMED = {"oauthapp": (OAuthApplication.id, OAuthApplication.name, None),
          "oauthprofile": (OAuthProfile.id, OAuthProfile.name, OAuthProfile.owner_id),
          "user": (User.id, User.user_name, None), "role": (Role.id, Role.name, None)}


def object_names(caller: Caller, events: Sequence[AuditEvent]
                 ) -> dict[tuple[str, int], ObjectName]:
    """The current names of the objects events concern, in one query (a UNION over the
    object tables), keyed by (object type, id); deleted objects are absent. Needs
    Administrator (12). Raises Forbidden."""
    caller.require_actor(Permission.ADMINISTRATOR)
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_id is not None and event.object_type in _NAMED:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    if not wanted:
        return {}
    parts = [select(literal(kind, String).label("kind"), id_.label("id"), name.label("name"),
                    (owner if owner is not None else cast(null(), Integer)).label("owner_id"))
             .where(id_.in_(sorted(ids)))
             for kind, ids in wanted.items() for id_, name, owner in [_NAMED[kind]]]
    rows = db.session.execute(parts[0] if len(parts) == 1 else union_all(*parts))
    return {(row.kind, row.id): ObjectName(row.name, row.owner_id) for row in rows}
