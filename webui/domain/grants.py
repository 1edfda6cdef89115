"""Rules about granting permissions, shared by the user and role use cases."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import exists, func, or_, select, update

from webui.domain.error_codes import Code
from webui.domain.errors import Forbidden, Invalid, RuleViolation
from webui.domain.permissions import Permission, has_permission
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import PermissionDefinition, Role, Tenant, User
from webui.models.user import role_permission, user_permission, user_role

LAST_ADMIN = "At least one active Administrator must remain."


def permission_rows(ids: Iterable[int], field: str = "permissions") -> list[PermissionDefinition]:
    """Catalogue rows for ids. Raises Invalid (222208553) naming the first unknown id."""
    ids = list(ids)
    for pid in ids:
        if pid not in Permission._value2member_map_:
            raise Invalid(f"There is no Permission with that id: {pid}", field,
                          Code.PERMISSION_NOT_FOUND)
    if not ids:
        return []
    return list(db.session.scalars(select(PermissionDefinition)
                                   .where(PermissionDefinition.id.in_(ids))))


def role_rows(ids: Iterable[int], tenant_id: int, field: str = "roles") -> list[Role]:
    """Roles of the tenant with these ids. Raises Invalid (222207924) for any other id."""
    ids = list(ids)
    rows = {r.id: r for r in db.session.scalars(
        select(Role).where(Role.id.in_(ids), Role.tenant_id == tenant_id))} if ids else {}
    for rid in ids:
        if rid not in rows:
            raise Invalid(f"There is no Role with that id: {rid}", field, Code.ROLE_NOT_FOUND)
    return [rows[i] for i in ids]


def require_grantable(actor: Principal, perm_ids: Iterable[int], field: str) -> None:
    """A non-Administrator may only hand out permissions they hold themselves."""
    if has_permission(actor, Permission.ADMINISTRATOR):
        return
    missing = sorted(set(perm_ids) - set(actor.granted()))
    if missing:
        raise Forbidden(f"You cannot grant permissions you do not hold: {missing}.", field)


def require_authority_over(actor: Principal, user: User | Principal,
                           field: str | None = None) -> None:
    """A non-Administrator may only change, or act for, an account whose permissions they
    hold themselves: otherwise resetting an Administrator's password (or renaming,
    deactivating, deleting one, or reading their tokens through ?user=) would be a way up.
    Raises Forbidden."""
    if has_permission(actor, Permission.ADMINISTRATOR):
        return
    if not user.granted() <= actor.granted():
        raise Forbidden("You have no authority over an account that holds permissions you "
                        "do not hold.", field)


def lock_accounts() -> None:
    """Serialize changes that could remove the last Administrator (row lock on PostgreSQL;
    SQLite's write transactions are serialized already)."""
    db.session.execute(select(Tenant.id).where(Tenant.id == 1).with_for_update())


def ensure_an_administrator_remains() -> None:
    """Raises RuleViolation when no active user holds Administrator (12) any more.

    Call inside the write transaction, after lock_accounts() and the change (flushed).
    """
    db.session.flush()
    admin = Permission.ADMINISTRATOR.value
    via_role = exists().where(user_role.c.user_id == User.id,
                              user_role.c.role_id == role_permission.c.role_id,
                              role_permission.c.permission_id == admin)
    direct = exists().where(user_permission.c.user_id == User.id,
                            user_permission.c.permission_id == admin)
    count = db.session.scalar(select(func.count()).select_from(User)
                              .where(User.active.is_(True), or_(via_role, direct)))
    if not count:
        raise RuleViolation(LAST_ADMIN)


def bump_credentials(user_ids: Iterable[int]) -> None:
    """Invalidate cached credentials and sessions of these users (their grants changed)."""
    ids = list(set(user_ids))
    if ids:
        db.session.execute(update(User).where(User.id.in_(ids))
                           .values(credential_version=User.credential_version + 1))
