"""Use cases for user accounts (HDP's Users API and the admin pages)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webui.domain import audit, grants, rules, schemas, tenancy
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.passwords import check_password, hash_password
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import Role, User

NAME_TAKEN = "A user with this name already exists."
ALL_FOR_CHOICE = PageRequest(limit=1000)  # a page big enough for a picker's suggestions


def _loaded():
    return (selectinload(User.roles).selectinload(Role.permissions),
            selectinload(User.permissions))


def _not_found(user_id: object) -> NotFound:
    return NotFound(f"There is no User with that id: {user_id}.", None, Code.USER_NOT_FOUND)


def _visible(actor: Principal):
    return tenancy.administered(actor, User.tenant_id)


def list_users(caller: Caller, page: PageRequest = PageRequest(),
               name_contains: str | None = None, tenant_id: int | None = None) -> Page[User]:
    """Users of the tenants the actor administers (of tenant_id alone, when given).
    Needs Administrator (12) or ViewUsers (14). Raises Forbidden, Invalid (a name_contains
    with control characters)."""
    actor = caller.require_actor(Permission.VIEW_USERS).actor
    query = select(User).options(*_loaded()).where(_visible(actor), User.id > page.after)
    if tenant_id is not None:
        query = query.where(User.tenant_id == tenant_id)
    if name_contains:
        rules.check_text(name_contains, "name", rules.USER_NAME_MAX, single_line=True)
        query = query.where(User.user_name.contains(name_contains, autoescape=True))
    return page_of(db.session.scalars(query.order_by(User.id).limit(page.limit + 1)).all(), page)


def get_user(caller: Caller, user_id: int, *, purpose: Permission | None = None) -> User:
    """Needs ViewUsers (14), and ``purpose`` too when given (the permission of what the
    reader is about to do: the password and deactivate pages). Raises Forbidden, NotFound
    (222207916)."""
    caller = caller.require_actor(Permission.VIEW_USERS, *(purpose,) if purpose else ())
    return _fetch(caller.actor, user_id)


def _fetch(actor: Principal, user_id: int) -> User:
    user = db.session.scalar(select(User).options(*_loaded())
                             .where(User.id == user_id, _visible(actor)))
    if user is None:
        raise _not_found(user_id)
    return user


def _grants(actor: Principal, tenant_id: int, perms: schemas.UserPermissions):
    roles = grants.role_rows(perms.roles, tenant_id, "permissions")
    explicit = grants.permission_rows(perms.permissions, "permissions")
    handed_out = {p.id for r in roles for p in r.permissions} | {p.id for p in explicit}
    grants.require_grantable(actor, handed_out, "permissions")
    return roles, explicit


def create_user(caller: Caller, data: Any) -> User:
    """Needs 12 or CreateUsers (13). Raises Forbidden, Invalid, Conflict (name taken)."""
    caller = caller.require_actor(Permission.CREATE_USERS)
    actor = caller.actor
    model = schemas.parse(schemas.UserCreate, data)
    check_password(model.passwordInfo.password, "passwordInfo", model.userName)
    tenant_id = tenancy.owning_tenant(actor, model.tenantId, actor.tenant_id)
    tenancy.require_administers(actor, tenant_id, "tenantId")
    roles, explicit = _grants(actor, tenant_id, model.permissions)
    password_hash = hash_password(model.passwordInfo.password)
    with unit_of_work(Conflict(NAME_TAKEN, "userName")) as session:
        user = User(user_name=model.userName, tenant_id=tenant_id,
                    active=model.statusInfo.status == 1, password_hash=password_hash,
                    roles=roles, permissions=explicit)
        session.add(user)
        session.flush()
        audit.record(caller, "create", "user", user.id,
                     ["userName", "statusInfo", "passwordInfo", "permissions"])
    return user


def update_user(caller: Caller, user_id: int, data: Any) -> User:
    """Partial update of userName, statusInfo and permissions. Needs 12 or ModifyUsers (15).

    Raises Forbidden (own roles; an account holding permissions a non-Administrator lacks),
    NotFound, Invalid, Conflict, RuleViolation (no active
    Administrator would remain).
    """
    caller = caller.require_actor(Permission.MODIFY_USERS)
    actor = caller.actor
    model = schemas.parse(schemas.UserUpdate, data)
    sent = model.model_fields_set
    user = _fetch(actor, user_id)
    grants.require_authority_over(actor, user)
    if "permissions" in sent and user.id == actor.id:
        raise Forbidden("You cannot change your own roles or permissions.", "permissions")
    roles = explicit = None
    if "permissions" in sent:
        roles, explicit = _grants(actor, user.tenant_id, model.permissions)
    with unit_of_work(Conflict(NAME_TAKEN, "userName")) as session:
        grants.lock_accounts()
        session.add(user)
        changed = set()
        if "userName" in sent and model.userName != user.user_name:
            user.user_name = model.userName
            changed.add("userName")
        if "statusInfo" in sent and user.active != (model.statusInfo.status == 1):
            user.active = model.statusInfo.status == 1
            changed.add("statusInfo")
        if roles is not None and (roles != user.roles or explicit != user.permissions):
            user.roles, user.permissions = roles, explicit
            changed.add("permissions")
        if changed - {"userName"}:
            user.credential_version += 1
            grants.ensure_an_administrator_remains()
        if changed:
            audit.record(caller, "update", "user", user.id, changed)
    return user


def reset_password(caller: Caller, user_id: int, data: Any) -> None:
    """Set a new password (HDP: PUT .../resetpassword). Needs 12 or ModifyUsers (15).

    Raises Forbidden (also for an account holding permissions a non-Administrator lacks),
    NotFound, Invalid (password policy).
    """
    caller = caller.require_actor(Permission.MODIFY_USERS)
    actor = caller.actor
    model = schemas.parse(schemas.PasswordReset, data)
    user = _fetch(actor, user_id)
    grants.require_authority_over(actor, user)
    check_password(model.newPassword, "newPassword", user.user_name)
    password_hash = hash_password(model.newPassword)
    with unit_of_work(Conflict("The user changed meanwhile; retry.")) as session:
        session.add(user)
        user.password_hash = password_hash
        user.credential_version += 1
        audit.record(caller, "update", "user", user.id, ["passwordInfo"])


def delete_user(caller: Caller, user_id: int) -> None:
    """Delete a user and their profiles. Needs 12 or DeleteUsers (16).

    Raises Forbidden (also for an account holding permissions a non-Administrator lacks),
    NotFound, RuleViolation (own account; the last active Administrator).
    """
    caller = caller.require_actor(Permission.DELETE_USERS)
    actor = caller.actor
    user = _fetch(actor, user_id)
    if user.id == actor.id:
        raise RuleViolation("You cannot delete your own account.")
    grants.require_authority_over(actor, user)
    with unit_of_work(Conflict("The user changed meanwhile; retry.")) as session:
        grants.lock_accounts()
        delete_row(session, user)
        grants.ensure_an_administrator_remains()
        audit.record(caller, "delete", "user", user_id)


def user_by_name(user_name: str) -> User | None:
    """The account of that name, roles and permissions loaded (command line, tests)."""
    return db.session.scalar(select(User).options(*_loaded()).where(User.user_name == user_name))
