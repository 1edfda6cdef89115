"""Tenant rules, shared by every use case that places or looks up tenant-owned objects."""
from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement

from webui.domain.errors import Invalid
from webui.domain.permissions import Permission, has_permission
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import Tenant


def owning_tenant(actor: Principal, requested: int | None, default: int) -> int:
    """The tenant a new object goes to: ``default`` unless another is requested, which only
    an Administrator may do, and only for an existing tenant. Raises Invalid (tenantId)."""
    if requested is None or requested == default:
        return default
    if not has_permission(actor, Permission.ADMINISTRATOR) or db.session.get(Tenant, requested) is None:
        raise Invalid(f"Unknown tenant {requested}.", "tenantId")
    return requested


def visible(actor: Principal, tenant_column) -> ColumnElement[bool] | bool:
    """Administrators see every tenant; everyone else their own."""
    if has_permission(actor, Permission.ADMINISTRATOR):
        return True
    return tenant_column == actor.tenant_id
