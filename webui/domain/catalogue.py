"""Reading the permission catalogue (HDP's Administrator Permissions API)."""
from __future__ import annotations

from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import NotFound
from webui.domain.permissions import Permission


def list_permissions(caller: Caller) -> list[Permission]:
    """Needs MgmtAPI (11) (or Administrator (12), which holds every permission)."""
    caller.require_actor(Permission.MGMT_API)
    return sorted(Permission)


def get_permission(caller: Caller, perm_id: int) -> Permission:
    """Needs MgmtAPI (11). Raises Forbidden, NotFound (222208553)."""
    caller.require_actor(Permission.MGMT_API)
    if perm_id not in Permission._value2member_map_:
        raise NotFound(f"There is no Permission with that id: {perm_id}", None,
                       Code.PERMISSION_NOT_FOUND)
    return Permission(perm_id)
