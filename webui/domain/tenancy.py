"""Tenants and administrative access: the ONE place that decides which tenants a user
administers (HDP section 5) and where a new tenant-owned object goes. Users, roles,
applications, tenants and acting on behalf all ask here.

Administrative access on a tenant T, as HDP defines it, is had by:

- an Administrator (12): every tenant;
- the user who created T;
- a user listed among T's ``admins``, which is the same as having T in one's
  ``tenantsAdministered`` (one relation, two views: models/tenant.py ``tenant_admin``);
- and, our one addition for single-tenant installations (where HDP lists nobody), every user
  of the system tenant for the system tenant.

A user of a child tenant administers at most their own tenant, whatever is listed. Access
grants nothing by itself: the operation's permission is still needed (the Caller decides).
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from webui.domain import rules
from webui.domain.error_codes import Code
from webui.domain.errors import Forbidden, Invalid, NotFound
from webui.domain.permissions import Permission, has_permission
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import Tenant
from webui.models.tenant import SYSTEM_TENANT_ID, tenant_admin

NOT_ADMINISTERED = "You have no administrative access to this tenant."


def tenant_not_found(tenant_id: object, field: str | None = None) -> NotFound:
    return NotFound(f"There is no Tenant with that id: {tenant_id}.", field,
                    Code.TENANT_NOT_FOUND)


def administered(actor: Principal, tenant_column) -> ColumnElement[bool] | bool:
    """SQL condition: the tenant in tenant_column is one the actor administers (True for an
    Administrator). No query of its own: subqueries of the statement it joins."""
    if has_permission(actor, Permission.ADMINISTRATOR):
        return True
    listed = select(tenant_admin.c.tenant_id).where(tenant_admin.c.user_id == actor.id)
    created = select(Tenant.id).where(Tenant.created_by == actor.id)
    ways = [tenant_column.in_(listed), tenant_column.in_(created)]
    if actor.tenant_id == SYSTEM_TENANT_ID:
        return or_(tenant_column == SYSTEM_TENANT_ID, *ways)
    return and_(tenant_column == actor.tenant_id, or_(*ways))


def administers(actor: Principal, tenant_id: int) -> bool:
    """Whether the actor has administrative access on tenant_id (an existing tenant). No
    query for an Administrator or a system-tenant user on the system tenant; one otherwise."""
    if has_permission(actor, Permission.ADMINISTRATOR):
        return True
    if tenant_id == SYSTEM_TENANT_ID == actor.tenant_id:
        return True
    return db.session.scalar(select(Tenant.id).where(
        Tenant.id == tenant_id, administered(actor, Tenant.id))) is not None


def require_administers(actor: Principal, tenant_id: int, field: str | None = None) -> None:
    """Raises Forbidden unless the actor administers tenant_id."""
    if not administers(actor, tenant_id):
        raise Forbidden(NOT_ADMINISTERED, field)


def may_administer_many(user_tenant_id: int) -> bool:
    """HDP: users of the system tenant may administer many tenants; a child tenant's users
    only their own."""
    return user_tenant_id == SYSTEM_TENANT_ID


def check_listable_admin(user_tenant_id: int, tenant_id: int, field: str) -> None:
    """HDP: admins listed on a tenant reside in the system tenant or in that tenant. Raises
    Invalid."""
    if not (may_administer_many(user_tenant_id) or user_tenant_id == tenant_id):
        raise Invalid("Administrators of a tenant must belong to the system tenant or to "
                      "that tenant.", field)


def owning_tenant(actor: Principal, requested: int | None, default: int) -> int:
    """The tenant a new object goes to: ``default`` unless another is requested, which needs
    administrative access on it (HDP 6.4 and 9.2). Raises Invalid (tenantId) for a tenant
    that does not exist or that the actor does not administer (the two look alike)."""
    if requested is None or requested == default:
        return default
    if db.session.get(Tenant, requested) is None or not administers(actor, requested):
        raise Invalid(f"Unknown tenant {requested}.", "tenantId")
    return requested


def tenant_id_named(name: str) -> int:
    """The id of the tenant of that name (a ?tenantName= filter). Raises NotFound
    (222208573) for no such tenant."""
    found = db.session.scalar(select(Tenant.id).where(Tenant.name == name)) \
        if rules.storable(name, rules.NAME_MAX) else None
    if found is None:
        raise NotFound(f"There is no Tenant with that name: {name}.", "tenantName",
                       Code.TENANT_NOT_FOUND)
    return found


def administered_names(actor: Principal) -> dict[int, str]:
    """Names by id of the tenants the actor administers (where they may place users and
    roles), by id."""
    rows = db.session.execute(select(Tenant.id, Tenant.name).where(
        administered(actor, Tenant.id)).order_by(Tenant.id))
    return dict(rows.all())


def names(actor: Principal) -> dict[int, str]:
    """Tenant names by id, of the tenants the actor administers, the actor's own and the
    system tenant (whose applications every tenant uses): for the pages' tenant columns and
    filters."""
    rows = db.session.execute(select(Tenant.id, Tenant.name).where(
        or_(Tenant.id.in_([actor.tenant_id, SYSTEM_TENANT_ID]),
            administered(actor, Tenant.id))).order_by(Tenant.id))
    return dict(rows.all())
