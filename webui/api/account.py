"""/api/mgmt/permissions and /api/mgmt/user: the caller's own account."""
from __future__ import annotations

from webui.api.auth import api_requires, authenticated, on_behalf
from webui.api.blueprint import bp
from webui.domain.acting import acting_for
from webui.domain.permissions import Permission


@bp.get("/mgmt/permissions")
@api_requires(Permission.MGMT_API)
def get_own_permissions():
    subject = acting_for(authenticated(), on_behalf())
    return {"userId": subject.id, "permissions": sorted(subject.permissions)}


@bp.get("/mgmt/user")
@api_requires(Permission.MGMT_API)
def get_own_account():
    me = authenticated()
    return {"userId": me.id, "userName": me.user_name, "tenantId": me.tenant_id,
            "passwordExpiration": None, "permissions": sorted(me.permissions)}
