"""/api/mgmt/permissions and /api/mgmt/user: the caller's own account (or, with ?user=, the
account of the user they act for)."""
from __future__ import annotations

from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.domain import account


@bp.get("/mgmt/permissions")
def get_own_permissions():
    subject = account.own_account(caller())
    return {"userId": subject.id, "permissions": sorted(subject.permissions)}


@bp.get("/mgmt/user")
def get_own_account():
    subject = account.own_account(caller())
    return {"userId": subject.id, "userName": subject.user_name, "tenantId": subject.tenant_id,
            "passwordExpiration": None, "permissions": sorted(subject.permissions)}
