"""Acting on behalf of another user (HDP's ?user=): the one rule, for the API and the UI."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webui.domain.error_codes import Code
from webui.domain.errors import Forbidden, NotFound
from webui.domain.permissions import (USER_PERMISSIONS, Permission, has_all, has_permission,
                                      require)
from webui.domain.principal import Principal
from webui.domain.rules import USER_NAME_MAX, storable
from webui.extensions import db
from webui.models import Role, User


def may_act_for_others(actor: Principal, *perms: Permission) -> bool:
    """Administrator (12), or MgmtAPI (11) + OnBehalfOf (21) + the operation's permissions."""
    return has_permission(actor, Permission.ADMINISTRATOR) or has_all(
        actor, (Permission.MGMT_API, Permission.ON_BEHALF_OF, *perms))


def acting_for(actor: Principal, user_name: str | None, *perms: Permission) -> Principal:
    """The user an operation is performed for: the actor, or the user named by ?user=.

    Raises Forbidden when the actor lacks perms, fails the on-behalf rule, or (not being an
    Administrator) acts for someone holding elevated or tenant permissions the actor lacks;
    NotFound (code
    222207916) for an unknown user name or one in another tenant.
    """
    if user_name is None or user_name == actor.user_name:
        require(actor, *perms)
        return actor
    if not may_act_for_others(actor, *perms):
        require(actor, Permission.ADMINISTRATOR)  # raises Forbidden
    user = db.session.scalar(
        select(User).where(User.user_name == user_name)
        .options(selectinload(User.roles).selectinload(Role.permissions),
                 selectinload(User.permissions))) \
        if storable(user_name, USER_NAME_MAX) else None
    if user is None or (user.tenant_id != actor.tenant_id
                        and not has_permission(actor, Permission.ADMINISTRATOR)):
        raise NotFound(f"There is no User with that name: {user_name}.", "user",
                       Code.USER_NOT_FOUND)
    subject = Principal.of(user, address=actor.address)
    # Acting for an account with more authority would be a way up (an Administrator's
    # tokens, say): beyond the everyday user permissions (1-11), the subject may hold only
    # what the actor holds.
    beyond = subject.granted() - actor.granted() - USER_PERMISSIONS
    if beyond and not has_permission(actor, Permission.ADMINISTRATOR):
        raise Forbidden("You cannot act for an account with more authority than yours.",
                        "user")
    return subject
