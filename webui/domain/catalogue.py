"""Reading the permission catalogue (HDP's Administrator Permissions API)."""
from __future__ import annotations

from webui.domain.error_codes import Code
from webui.domain.errors import NotFound
from webui.domain.permissions import Permission, require_any
from webui.domain.principal import Principal

_READERS = ((Permission.ADMINISTRATOR,), (Permission.MGMT_API,))


def list_permissions(actor: Principal) -> list[Permission]:
    """Needs Administrator (12) or MgmtAPI (11)."""
    require_any(actor, *_READERS)
    return sorted(Permission)


def get_permission(actor: Principal, perm_id: int) -> Permission:
    """Raises Forbidden, NotFound (222208553)."""
    require_any(actor, *_READERS)
    if perm_id not in Permission._value2member_map_:
        raise NotFound(f"There is no Permission with that id: {perm_id}", None,
                       Code.PERMISSION_NOT_FOUND)
    return Permission(perm_id)
