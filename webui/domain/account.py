"""The caller's own account (HDP's /api/mgmt/user and /api/mgmt/permissions): who they are
and what they may do, or, when acting for someone, that user's; and changing one's own
password (HDP's /api/admin/userdetails/changePassword and the "My account" page)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webui.domain import audit, schemas, sessions
from webui.domain.caller import Caller
from webui.domain.errors import Conflict, Invalid
from webui.domain.passwords import check_password, hash_password, verify
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.models import User

WRONG_CURRENT = "The current password is not correct."


def own_account(caller: Caller) -> Principal:
    """The subject's identity and effective permissions (roles' plus explicit ones). Needs
    nothing beyond what the door demands. Raises Forbidden."""
    return caller.require()


def change_own_password(caller: Caller, data: Any, *, keep_session: str | None = None
                        ) -> User:
    """The actor changes their own password, giving the current one. Needs ChangePassword
    (9) (or Administrator). Every other browser session of the account ends and cached API
    credentials die (the credential version moves); the browser session of keep_session
    (the token of the page request making the change) stays. The password status becomes
    1 (active). Returns the account.

    Raises Forbidden, Invalid (currentPassword wrong; newPassword against the policy).
    """
    caller = caller.require_actor(Permission.CHANGE_PASSWORD)
    model = schemas.parse(schemas.PasswordChange, data)
    user = db.session.scalar(select(User).where(User.id == caller.actor.id))
    if user is None or not verify(user.password_hash, model.currentPassword):
        raise Invalid(WRONG_CURRENT, "currentPassword")
    check_password(model.newPassword, "newPassword", user.user_name)
    password_hash = hash_password(model.newPassword)
    with unit_of_work(Conflict("The account changed meanwhile; retry.")) as session:
        session.add(user)
        user.password_hash = password_hash
        user.password_status = 1
        user.credential_version += 1
        session.flush()
        sessions.end_other_sessions(session, user.id, keep_session, user.credential_version)
        audit.record(caller, "update", "user", user.id, ["passwordInfo"])
    return user
