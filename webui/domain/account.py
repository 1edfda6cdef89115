"""The caller's own account (HDP's /api/mgmt/user and /api/mgmt/permissions): who they are
and what they may do, or, when acting for someone, that user's."""
from __future__ import annotations

from webui.domain.caller import Caller
from webui.domain.principal import Principal


def own_account(caller: Caller) -> Principal:
    """The subject's identity and effective permissions (roles' plus explicit ones). Needs
    nothing beyond what the door demands. Raises Forbidden."""
    return caller.require()
