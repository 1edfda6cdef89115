"""The audit trail: appended inside the use case's own transaction, so it commits with it."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import insert, or_, select

from webui.domain import rules
from webui.domain.caller import Caller
from webui.domain.errors import ConcurrentChange
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.models import AuditEvent, User


# What the trail records, for filters: actions and object types.
ACTIONS = ("create", "read", "update", "delete", "refresh", "refresh_failed", "token", "login",
           "login_failed", "logout")
OBJECT_TYPES = ("oauthapp", "oauthprofile", "user", "role", "webhook")


_INSERT = insert(AuditEvent.__table__)


def record(caller: Caller | None, action: str, object_type: str, object_id: int | None,
           fields: Iterable[str] = (), *, actor_name: str | None = None,
           address: str | None = None, detail: str | None = None) -> int:
    """Insert an audit event in the current transaction (it commits or rolls back with the
    use case): the caller's actor, and the subject when acting for someone. Field names only,
    never values; ``detail`` what field names cannot say (never a secret). Without a caller
    (a failed sign-in), actor_name and address say who. Returns the event's id."""
    # A prepared Core INSERT, not session.add(): no unit-of-work flush for a row nothing
    # reads back (bench/: the ORM flush of this row was a large share of a profile create).
    return db.session.execute(_INSERT, {
        "actor": caller.actor.user_name if caller else _recordable(actor_name),
        "subject": caller.subject.user_name if caller and caller.on_behalf else None,
        "action": action, "object_type": object_type, "object_id": object_id,
        "fields": ",".join(sorted(fields))[:1024],
        "client_address": caller.address if caller else address,
        "detail": None if detail is None else rules.recordable(detail, 1024),
        "count": 1}).inserted_primary_key[0]


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
