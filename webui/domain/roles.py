"""Use cases for roles (HDP's Roles API and the admin pages)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webui.domain import audit, grants, schemas, tenancy
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import Role, User

NAME_TAKEN = "A role with this name already exists in this tenant."


def _not_found(role_id: object) -> NotFound:
    return NotFound(f"There is no Role with that id: {role_id}", None, Code.ROLE_NOT_FOUND)


def _visible(actor: Principal):
    return tenancy.administered(actor, Role.tenant_id)


def list_roles(caller: Caller, page: PageRequest = PageRequest(), *,
               tenant_id: int | None = None, tenant_name: str | None = None) -> Page[Role]:
    """Roles of the tenants the actor administers; of one tenant with tenant_id or
    tenant_name (HDP's ?tenantId= / ?tenantName=). Needs 12 or ViewRole (18). Raises
    Forbidden, NotFound (222208573: no tenant of that name)."""
    actor = caller.require_actor(Permission.VIEW_ROLE).actor
    if tenant_name is not None:
        tenant_id = tenancy.tenant_id_named(tenant_name)
    query = select(Role).where(_visible(actor), Role.id > page.after)
    if tenant_id is not None:
        query = query.where(Role.tenant_id == tenant_id)
    rows = db.session.scalars(query.order_by(Role.id).limit(page.limit + 1)).all()
    return page_of(rows, page)


def all_roles(caller: Caller, purpose: Permission) -> list[Role]:
    """Every role the actor sees (for the check boxes of a page that will need ``purpose``,
    e.g. CreateUsers), with permissions loaded. Raises Forbidden."""
    actor = caller.require_actor(purpose).actor
    return list(db.session.scalars(select(Role).options(selectinload(Role.permissions))
                                   .where(_visible(actor)).order_by(Role.id)))


def get_role(caller: Caller, role_id: int, *, purpose: Permission | None = None) -> Role:
    """Needs ViewRole (18), and ``purpose`` too when given (the delete page). Raises
    Forbidden, NotFound (222207924)."""
    actor = caller.require_actor(Permission.VIEW_ROLE, *(purpose,) if purpose else ()).actor
    return _fetch(actor, role_id)


def _fetch(actor: Principal, role_id: int) -> Role:
    role = db.session.scalar(select(Role).options(selectinload(Role.permissions),
                                                  selectinload(Role.users))
                             .where(Role.id == role_id, _visible(actor)))
    if role is None:
        raise _not_found(role_id)
    return role


def role_id_by_name(name: str, tenant_id: int = 1) -> int:
    """Raises Invalid when the tenant has no role of that name."""
    role_id = db.session.scalar(select(Role.id).where(Role.name == name,
                                                      Role.tenant_id == tenant_id))
    if role_id is None:
        raise Invalid(f"There is no role named {name!r}.", "roles", Code.ROLE_NOT_FOUND)
    return role_id


def _members(actor: Principal, tenant_id: int, ids: list[int]) -> list[User]:
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(ids), User.tenant_id == tenant_id))} if ids else {}
    for uid in ids:
        if uid not in users:
            raise Invalid(f"There is no User with that id: {uid}.", "users", Code.USER_NOT_FOUND)
    return [users[i] for i in ids]


def require_may_create(caller: Caller) -> None:
    """Whether the actor may create roles (the new-role page). Raises Forbidden."""
    caller.require_actor(Permission.CREATE_ROLE)


def create_role(caller: Caller, data: Any) -> Role:
    """Needs 12 or CreateRole (17). Raises Forbidden (also when the actor lists themselves
    among the users), Invalid, Conflict (name taken)."""
    caller = caller.require_actor(Permission.CREATE_ROLE)
    actor = caller.actor
    model = schemas.parse(schemas.RoleCreate, data)
    tenant_id = tenancy.owning_tenant(actor, model.tenantId, actor.tenant_id)
    tenancy.require_administers(actor, tenant_id, "tenantId")
    perms = grants.permission_rows(model.permissions)
    grants.require_grantable(actor, model.permissions, "permissions")
    if actor.id in model.users:
        raise Forbidden("You cannot change your own roles or permissions.", "users")
    users = _members(actor, tenant_id, model.users)
    for member in users:
        grants.require_authority_over(actor, member, "users")
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        role = Role(tenant_id=tenant_id, name=model.name, description=model.description,
                    permissions=perms, users=users)
        session.add(role)
        session.flush()
        grants.bump_credentials(u.id for u in users)
        audit.record(caller, "create", "role", role.id, ["name", "description", "permissions",
                                                       "users"])
    return role


def _affected(role: Role, perms: list | None, users: list[User] | None) -> list[User]:
    """The accounts whose grants an update changes: every member when the permissions
    change, and whoever joins or leaves."""
    current = {u.id: u for u in role.users}
    affected = dict(current) if perms is not None and \
        [p.id for p in perms] != role.permission_ids else {}
    if users is not None:
        joining = {u.id: u for u in users}
        affected.update({i: current.get(i) or joining[i] for i in set(current) ^ set(joining)})
    return list(affected.values())


def update_role(caller: Caller, role_id: int, data: Any) -> Role:
    """Partial update. Predefined roles only change their users. Needs 12 or ModifyRole (19).

    Raises Forbidden, NotFound, Invalid, Conflict, RuleViolation (last Administrator).
    """
    caller = caller.require_actor(Permission.MODIFY_ROLE)
    actor = caller.actor
    model = schemas.parse(schemas.RoleUpdate, data)
    role = _fetch(actor, role_id)
    sent = {k for k in model.model_fields_set if getattr(model, k) is not None}
    if role.builtin and sent - {"users"}:
        raise Invalid("Predefined roles only allow their users to change.",
                      sorted(sent - {"users"})[0])
    if "users" in sent and actor.id in set(model.users) ^ {u.id for u in role.users}:
        raise Forbidden("You cannot change your own roles or permissions.", "users")
    perms = grants.permission_rows(model.permissions) if "permissions" in sent else None
    users = _members(actor, role.tenant_id, model.users) if "users" in sent else None
    grants.require_grantable(actor, role.permission_ids if perms is None else model.permissions,
                             "permissions")
    for member in _affected(role, perms, users):
        grants.require_authority_over(actor, member, "users")
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        grants.lock_accounts()
        session.add(role)
        before = {u.id for u in role.users}
        changed = set()
        for key in sent & {"name", "description"}:
            if getattr(role, key) != getattr(model, key):
                setattr(role, key, getattr(model, key))
                changed.add(key)
        if perms is not None and [p.id for p in perms] != role.permission_ids:
            role.permissions = perms
            changed.add("permissions")
            grants.bump_credentials(before)
        if users is not None and {u.id for u in users} != before:
            role.users = users
            changed.add("users")
            grants.bump_credentials(before ^ {u.id for u in users})
        if changed & {"permissions", "users"}:
            grants.ensure_an_administrator_remains()
        if changed:
            audit.record(caller, "update", "role", role.id, changed)
    return role


def delete_role(caller: Caller, role_id: int) -> None:
    """Needs 12 or DeleteRole (20). Raises Forbidden, NotFound, RuleViolation (predefined
    role, or users still assigned)."""
    caller = caller.require_actor(Permission.DELETE_ROLE)
    actor = caller.actor
    role = _fetch(actor, role_id)
    if role.builtin:
        raise RuleViolation("Predefined roles cannot be deleted.")
    if role.users:
        raise RuleViolation("The role still has users; remove them from it first.")
    with unit_of_work(Conflict("The role changed meanwhile; retry.")) as session:
        delete_row(session, role)
        audit.record(caller, "delete", "role", role_id)
