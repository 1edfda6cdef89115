"""A user as the domain sees them: an immutable snapshot of identity and effective grants,
loaded in ONE statement (the account row joined to the union of its explicit and role
permissions), so that resolving who calls costs each door the same single query."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import and_, bindparam, select, true, union
from sqlalchemy.engine import Row

from webui.extensions import db
from webui.models import Tenant, User
from webui.models.session import LoginSession
from webui.models.user import role_permission, user_permission, user_role


@dataclass(frozen=True)
class Principal:
    id: int
    user_name: str
    tenant_id: int
    permissions: frozenset[int]
    credential_version: int = 1

    # Flask-Login's user interface, so the web door can hand the same object to the domain.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def granted(self) -> frozenset[int]:
        return self.permissions

    @classmethod
    def of(cls, user: User) -> "Principal":
        """Snapshot a User row (loads its roles and permissions)."""
        return cls(id=user.id, user_name=user.user_name, tenant_id=user.tenant_id,
                   permissions=user.granted(), credential_version=user.credential_version)


@dataclass(frozen=True)
class Account:
    """A loaded principal and whether the account may sign in."""
    principal: Principal
    active: bool


_U = User.__table__.c
_S = LoginSession.__table__.c
_T = Tenant.__table__.c
# Whether the account may sign in: it is active, and so is its tenant (HDP's tenant status).
# Selects using it join the account's tenant (ACCOUNT_WITH_TENANT).
MAY_SIGN_IN = and_(_U.active, _T.status == 1).label("active")
ACCOUNT_WITH_TENANT = User.__table__.join(Tenant.__table__, _T.id == _U.tenant_id)
_ACCOUNT_COLUMNS = (_U.id, _U.user_name, _U.tenant_id, _U.credential_version, MAY_SIGN_IN)


def _grants(user_id: Any):
    """The permission ids of user_id (an expression): explicit ones and those of its roles."""
    explicit = select(user_permission.c.permission_id.label("permission_id")).where(
        user_permission.c.user_id == user_id)
    via_roles = (select(role_permission.c.permission_id)
                 .join_from(user_role, role_permission,
                            user_role.c.role_id == role_permission.c.role_id)
                 .where(user_role.c.user_id == user_id))
    return union(explicit, via_roles).subquery("grants")


def _account_select(user_id: Any, *extra):
    grants = _grants(user_id)
    return (select(*_ACCOUNT_COLUMNS, *extra, grants.c.permission_id)
            .select_from(ACCOUNT_WITH_TENANT).outerjoin(grants, true()))


# Built once, with bound parameters: constructing a select and its cache key costs more
# than running it (bench/).
_BY_ID = _account_select(bindparam("user_id")).where(_U.id == bindparam("user_id"))
_ID_OF_NAME = select(_U.id).where(_U.user_name == bindparam("user_name")).scalar_subquery()
_BY_NAME = _account_select(_ID_OF_NAME).where(_U.user_name == bindparam("user_name"))
_USER_OF_SESSION = select(_S.user_id).where(_S.id == bindparam("session_id")).scalar_subquery()
_BY_SESSION = (_account_select(_USER_OF_SESSION, _S.created_at,
                               _S.credential_version.label("session_version"))
               .join(LoginSession.__table__, _S.user_id == _U.id)
               .where(_S.id == bindparam("session_id")))


def _account(rows: Iterable[Row]) -> tuple[Account, Row] | None:
    """Fold the rows of one account (one per permission) into an Account; also the first row
    (for the extra columns of the select)."""
    rows = list(rows)
    if not rows:
        return None
    first = rows[0]
    grants = frozenset(r.permission_id for r in rows if r.permission_id is not None)
    principal = Principal(first.id, first.user_name, first.tenant_id, grants,
                          first.credential_version)
    return Account(principal, bool(first.active)), first


def account_by_id(user_id: int) -> Account | None:
    found = _account(db.session.execute(_BY_ID, {"user_id": user_id}))
    return found[0] if found else None


def account_by_name(user_name: str) -> Account | None:
    found = _account(db.session.execute(_BY_NAME, {"user_name": user_name}))
    return found[0] if found else None


def account_of_session(session_id: str) -> tuple[Account, Row] | None:
    """The account signed in with this LoginSession, and the session row's ``created_at``
    and ``session_version`` (the credential version it was issued under)."""
    return _account(db.session.execute(_BY_SESSION, {"session_id": session_id}))
