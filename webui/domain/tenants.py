"""Use cases for tenants (HDP's Tenant API and the tenant pages).

Every operation needs Administrator (12) or TenantAPI (25); on an existing tenant, also
administrative access to it (tenancy.py). A tenant the actor does not administer does not
exist for them (NotFound, 222208573).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from webui.domain import audit, grants, schemas, tenancy
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Forbidden, Invalid, RuleViolation
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import OAuthApplication, Role, Tenant, User
from webui.models.tenant import SYSTEM_TENANT_ID, tenant_admin

NAME_TAKEN = "A tenant with this name already exists."
SYSTEM_FIXED = "The system tenant cannot be changed or deleted."
HAS_USERS = "The tenant still has users; delete them first."


def _fetch(actor: Principal, tenant_id: int) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(
        Tenant.id == tenant_id, tenancy.administered(actor, Tenant.id)))
    if tenant is None:
        raise tenancy.tenant_not_found(tenant_id)
    return tenant


def list_tenants(caller: Caller) -> list[Tenant]:
    """The tenants the actor administers (every tenant, for an Administrator), by id.
    Needs 12 or TenantAPI (25). Raises Forbidden."""
    actor = caller.require_actor(Permission.TENANT_API).actor
    return list(db.session.scalars(select(Tenant).where(tenancy.administered(actor, Tenant.id))
                                   .order_by(Tenant.id)))


def get_tenant(caller: Caller, tenant_id: int) -> Tenant:
    """Needs 12 or 25 and administrative access. Raises Forbidden, NotFound (222208573)."""
    return _fetch(caller.require_actor(Permission.TENANT_API).actor, tenant_id)


def _importable(actor: Principal, role_ids: list[int]) -> list[Role]:
    """Roles the actor may copy: those of tenants they administer, holding only permissions
    they hold themselves. Raises Invalid (222207924), Forbidden."""
    rows = {r.id: r for r in db.session.scalars(
        select(Role).options(selectinload(Role.permissions))
        .where(Role.id.in_(role_ids), tenancy.administered(actor, Role.tenant_id)))} \
        if role_ids else {}
    for rid in role_ids:
        if rid not in rows:
            raise Invalid(f"There is no Role with that id: {rid}", "importedRoles",
                          Code.ROLE_NOT_FOUND)
    roles = [rows[i] for i in role_ids]
    grants.require_grantable(actor, {p.id for r in roles for p in r.permissions},
                             "importedRoles")
    return roles


def _admins(actor: Principal, tenant_id: int | None, user_ids: list[int]) -> list[int]:
    """Check the users may be listed as admins of tenant_id (None: a tenant being created,
    which has no users yet): users of tenants the actor administers (others do not exist for
    them), living in the system tenant or in tenant_id. Raises Invalid (222207916)."""
    found = dict(db.session.execute(
        select(User.id, User.tenant_id).where(User.id.in_(user_ids),
                                              tenancy.administered(actor, User.tenant_id))
    ).all()) if user_ids else {}
    for uid in user_ids:
        if uid not in found:
            raise Invalid(f"There is no User with that id: {uid}.", "admins",
                          Code.USER_NOT_FOUND)
        tenancy.check_listable_admin(found[uid], tenant_id or -1, "admins")
    return user_ids


def _set_admins(session, tenant_id: int, user_ids: list[int]) -> None:
    session.execute(delete(tenant_admin).where(tenant_admin.c.tenant_id == tenant_id))
    if user_ids:
        session.execute(insert(tenant_admin), [{"tenant_id": tenant_id, "user_id": u}
                                               for u in user_ids])


def create_tenant(caller: Caller, data: Any) -> tuple[Tenant, list[int]]:
    """Create a child tenant of the system tenant, with copies (new ids) of importedRoles and
    the listed admins; the creator has administrative access to it. Returns the tenant and
    the ids of the copied roles, in the order given.

    Needs 12 or 25, and (HDP: a child tenant's users administer only their own) a creator
    of the system tenant. Raises Forbidden, Invalid, Conflict (name taken).
    """
    caller = caller.require_actor(Permission.TENANT_API)
    actor = caller.actor
    if not tenancy.may_administer_many(actor.tenant_id):
        raise Forbidden("Only users of the system tenant create tenants.")
    model = schemas.parse(schemas.TenantCreate, data)
    imported = _importable(actor, model.importedRoles)
    admins = _admins(actor, None, model.admins)
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        grants.lock_accounts()  # also serializes the choice of the next id
        tenant_id = (session.scalar(select(func.max(Tenant.id))) or SYSTEM_TENANT_ID) + 1
        tenant = Tenant(id=tenant_id, name=model.name, description=model.description,
                        status=model.status, parent_id=SYSTEM_TENANT_ID,
                        created_by=actor.id or None)
        session.add(tenant)
        session.flush()
        copies = [Role(tenant_id=tenant_id, name=r.name, description=r.description,
                       permissions=list(r.permissions)) for r in imported]
        session.add_all(copies)
        session.flush()
        _set_admins(session, tenant_id, admins)
        audit.record(caller, "create", "tenant", tenant_id, model.model_fields_set)
    return tenant, [r.id for r in copies]


def update_tenant(caller: Caller, tenant_id: int, data: Any) -> Tenant:
    """HDP's PUT: name and status required, description and parentTenant optional.
    Needs 12 or 25 and administrative access. Raises Forbidden, NotFound, Invalid,
    Conflict, RuleViolation (the system tenant)."""
    caller = caller.require_actor(Permission.TENANT_API)
    model = schemas.parse(schemas.TenantUpdate, data)
    tenant = _fetch(caller.actor, tenant_id)
    if tenant.id == SYSTEM_TENANT_ID:
        raise RuleViolation(SYSTEM_FIXED)
    values = {"name": model.name, "status": model.status}
    if model.description is not None:
        values["description"] = model.description
    changed = {k for k, v in values.items() if getattr(tenant, k) != v}
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        session.add(tenant)
        for key in changed:
            setattr(tenant, key, values[key])
        if changed:
            audit.record(caller, "update", "tenant", tenant.id, changed)
    return tenant


def delete_tenant(caller: Caller, tenant_id: int) -> None:
    """Delete a tenant with its roles and applications (and, with those, their profiles).
    Refused while the tenant holds users. Needs 12 or 25 and administrative access.
    Raises Forbidden, NotFound, RuleViolation (users remain; the system tenant)."""
    caller = caller.require_actor(Permission.TENANT_API)
    tenant = _fetch(caller.actor, tenant_id)
    if tenant.id == SYSTEM_TENANT_ID:
        raise RuleViolation(SYSTEM_FIXED)
    with unit_of_work(Conflict("The tenant changed meanwhile; retry.")) as session:
        grants.lock_accounts()
        if session.scalar(select(User.id).where(User.tenant_id == tenant_id).limit(1)):
            raise RuleViolation(HAS_USERS)
        session.execute(delete(OAuthApplication).where(OAuthApplication.tenant_id == tenant_id))
        session.execute(delete(Role).where(Role.tenant_id == tenant_id))
        delete_row(session, tenant)
        audit.record(caller, "delete", "tenant", tenant_id)


def get_admins(caller: Caller, tenant_id: int) -> list[int]:
    """The ids of the users listed as the tenant's admins. Needs 12 or 25 and access.
    Raises Forbidden, NotFound."""
    tenant = get_tenant(caller, tenant_id)
    return list(db.session.scalars(select(tenant_admin.c.user_id)
                                   .where(tenant_admin.c.tenant_id == tenant.id)
                                   .order_by(tenant_admin.c.user_id)))


def set_admins(caller: Caller, tenant_id: int, data: Any) -> list[int]:
    """Replace the tenant's listed admins. Needs 12 or 25 and access. Raises Forbidden,
    NotFound, Invalid (unknown user, or one of another child tenant)."""
    caller = caller.require_actor(Permission.TENANT_API)
    model = schemas.parse(schemas.TenantAdmins, data)
    tenant = _fetch(caller.actor, tenant_id)
    admins = _admins(caller.actor, tenant.id, model.admins)
    with unit_of_work(Conflict("The tenant changed meanwhile; retry.")) as session:
        _set_admins(session, tenant.id, admins)
        audit.record(caller, "update", "tenant", tenant.id, ["admins"])
    return admins


def admin_candidates(caller: Caller, tenant_id: int | None = None) -> list[User]:
    """Users who may be listed as the tenant's admins (of the system tenant, or of that
    tenant) among those the actor administers, by name: for the tenant pages' choice.
    Needs 12 or 25. Raises Forbidden."""
    actor = caller.require_actor(Permission.TENANT_API).actor
    homes = [SYSTEM_TENANT_ID] + ([tenant_id] if tenant_id else [])
    return list(db.session.scalars(select(User).where(
        User.tenant_id.in_(homes), tenancy.administered(actor, User.tenant_id))
        .order_by(User.user_name)))


def importable_roles(caller: Caller) -> list[Role]:
    """Roles the actor may copy into a new tenant (those of tenants they administer), by
    id. Needs 12 or 25. Raises Forbidden."""
    actor = caller.require_actor(Permission.TENANT_API).actor
    return list(db.session.scalars(select(Role).where(tenancy.administered(actor, Role.tenant_id))
                                   .order_by(Role.id)))
