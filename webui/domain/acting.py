"""Resolving the caller of a request, with HDP's on-behalf rule (?user=, or the pages' picker).

The one place that turns "who signed in" plus "the user name they act for" into a Caller.
Both doors call ``resolve`` once per request; use cases then ask the Caller (caller.py).
"""
from __future__ import annotations

from typing import Iterable

from webui.domain import tenancy
from webui.domain.caller import Caller, may_act_for_others
from webui.domain.error_codes import Code
from webui.domain.errors import Forbidden, NotFound
from webui.domain.permissions import USER_PERMISSIONS, Permission, has_permission
from webui.domain.principal import Principal, account_by_name
from webui.domain.rules import USER_NAME_MAX, storable

MORE_AUTHORITY = "You cannot act for an account with more authority than yours."


def unknown_user(user_name: str) -> NotFound:
    return NotFound(f"There is no User with that name: {user_name}.", "user",
                    Code.USER_NOT_FOUND)


def resolve(actor: Principal, user_name: str | None, *, demands: Iterable[Permission] = (),
            address: str | None = None) -> Caller:
    """The caller: actor, acting for the user named user_name when it names someone else.

    One query when acting for someone, none otherwise. Raises Forbidden when the actor may not
    act for others at all (checked before the lookup, so that user names cannot be probed) or,
    not being an Administrator, names an account holding elevated or tenant permissions the
    actor lacks (acting for it would be a way up: an Administrator's tokens, say); NotFound
    (222207916) for an unknown user name or one of a tenant the actor does not administer
    (HDP: on-behalf work needs administrative access on the user's tenant, tenancy.py).
    """
    demands = frozenset(demands)
    if not user_name or user_name == actor.user_name:
        return Caller(actor, actor, demands, address)
    if not may_act_for_others(actor, *demands):
        raise Forbidden()
    administrator = has_permission(actor, Permission.ADMINISTRATOR)
    account = account_by_name(user_name) if storable(user_name, USER_NAME_MAX) else None
    if account is None or not tenancy.administers(actor, account.principal.tenant_id):
        raise unknown_user(user_name)
    subject = account.principal
    if subject.granted() - actor.granted() - USER_PERMISSIONS and not administrator:
        raise Forbidden(MORE_AUTHORITY, "user")
    return Caller(actor, subject, demands, address)


def require_may_act(caller: Caller) -> None:
    """The picker's own check: the actor may act for someone at all. Raises Forbidden."""
    if not may_act_for_others(caller.actor, *caller.demands):
        raise Forbidden()
