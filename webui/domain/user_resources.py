"""HDP's sub-resources of a user account (section 9.1): statusinfo, passwordinfo (never the
password itself), permissions and tenantsadministered. Reads need ViewUsers (14), changes
ModifyUsers (15) (Administrator (12) holds both); all need administrative access on the
user's tenant (the user lookup of domain.users applies it: others do not exist)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from webui.domain import audit, grants, schemas, tenancy, users
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Invalid
from webui.domain.permissions import Permission
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.models import Tenant, User
from webui.models.tenant import tenant_admin

PASSWORD_NOT_HERE = ("The password cannot be read or set through passwordinfo; use "
                     "resetpassword.")


def set_status_info(caller: Caller, user_id: int, data: Any) -> User:
    """HDP's PUT statusinfo: {"status": 0|1, "accountLocked": bool}. As update_user."""
    return users.update_user(caller, user_id, {"statusInfo": data})


def set_permissions(caller: Caller, user_id: int, data: Any) -> User:
    """HDP's PUT permissions: {"roles": [...], "permissions": [...]}. As update_user."""
    return users.update_user(caller, user_id, {"permissions": data})


def set_password_info(caller: Caller, user_id: int, data: Any) -> User:
    """HDP's PUT passwordinfo: passwordStatus 1 (active) or 2 (must be reset); never the
    password. Needs 15. Raises Forbidden, NotFound, Invalid (a password in the body)."""
    caller = caller.require_actor(Permission.MODIFY_USERS)
    if isinstance(data, dict) and "password" in data:
        raise Invalid(PASSWORD_NOT_HERE, "password")
    model = schemas.parse(schemas.PasswordStatusInfo, data)
    user = users.get_user(caller, user_id, purpose=Permission.MODIFY_USERS)
    grants.require_authority_over(caller.actor, user)
    if user.password_status != model.passwordStatus:
        with unit_of_work(Conflict("The user changed meanwhile; retry.")) as session:
            session.add(user)
            user.password_status = model.passwordStatus
            audit.record(caller, "update", "user", user.id, ["passwordInfo"])
    return user


def tenants_administered(caller: Caller, user_id: int) -> list[int]:
    """The ids of the tenants the user is listed as administering. Needs 14. Raises
    Forbidden, NotFound."""
    user = users.get_user(caller, user_id)
    return list(db.session.scalars(select(tenant_admin.c.tenant_id)
                                   .where(tenant_admin.c.user_id == user.id)
                                   .order_by(tenant_admin.c.tenant_id)))


def set_tenants_administered(caller: Caller, user_id: int, data: Any) -> list[int]:
    """Replace the tenants the user administers. Needs Administrator, or TenantAPI (25) +
    ModifyUsers (15) and administrative access on the user's tenant and on each tenant
    listed. Raises Forbidden, NotFound, Invalid (222208573: an unknown tenant, or one the
    actor does not administer; a child tenant's user listed for another tenant)."""
    caller = caller.require_actor(Permission.TENANT_API, Permission.MODIFY_USERS)
    model = schemas.parse(schemas.TenantsAdministered, data)
    user = users.get_user(caller, user_id, purpose=Permission.MODIFY_USERS)
    grants.require_authority_over(caller.actor, user)
    ids = model.tenantsAdministered
    known = set(db.session.scalars(select(Tenant.id).where(
        Tenant.id.in_(ids), tenancy.administered(caller.actor, Tenant.id)))) if ids else set()
    for tenant_id in ids:
        if tenant_id not in known:
            raise Invalid(f"There is no Tenant with that id: {tenant_id}.",
                          "tenantsAdministered", Code.TENANT_NOT_FOUND)
        tenancy.check_listable_admin(user.tenant_id, tenant_id, "tenantsAdministered")
    with unit_of_work(Conflict("The user changed meanwhile; retry.")) as session:
        session.execute(delete(tenant_admin).where(tenant_admin.c.user_id == user.id))
        if ids:
            session.execute(insert(tenant_admin), [{"tenant_id": t, "user_id": user.id}
                                                   for t in ids])
        audit.record(caller, "update", "user", user.id, ["tenantsAdministered"])
    return ids
