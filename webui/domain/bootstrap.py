"""First-run data: the system tenant, the permission catalogue, the default roles, and a first
Administrator when there is none. Idempotent: running it again changes nothing."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from webui.domain import grants
from webui.domain.caller import Caller
from webui.domain.errors import RuleViolation
from webui.domain.passwords import check_password, hash_password
from webui.domain.permissions import CATALOGUE, DEFAULT_ROLES, Permission
from webui.domain.principal import Principal
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.models import PermissionDefinition, Role, Tenant, User
from webui.models.tenant import SYSTEM_TENANT_ID

# The caller of command-line and first-run changes, recorded as such in the audit log.
SYSTEM = Caller.own(Principal(id=0, user_name="(system)", tenant_id=SYSTEM_TENANT_ID,
                              permissions=frozenset(Permission)))


def seed() -> None:
    """Create or refresh the tenant, catalogue and default roles."""
    with unit_of_work(RuleViolation("Seeding raced with another start; run it again.")) as s:
        if s.get(Tenant, SYSTEM_TENANT_ID) is None:
            s.add(Tenant(id=SYSTEM_TENANT_ID, name="System"))
        existing = {p.id: p for p in s.scalars(select(PermissionDefinition))}
        for perm, (name, description) in CATALOGUE.items():
            row = existing.get(perm.value) or PermissionDefinition(id=perm.value)
            row.name, row.description = name, description
            s.add(row)
        s.flush()
        rows = {p.id: p for p in s.scalars(select(PermissionDefinition))}
        for role_id, (name, description, perms) in DEFAULT_ROLES.items():
            role = s.get(Role, role_id)
            if role is None:
                role = Role(id=role_id, tenant_id=SYSTEM_TENANT_ID, builtin=True)
                s.add(role)
            role.name, role.description, role.builtin = name, description, True
            role.permissions = [rows[p.value] for p in sorted(perms)]
        s.flush()
        _advance_role_sequence(s)


def _advance_role_sequence(session) -> None:
    # Default roles were inserted with explicit ids; PostgreSQL's sequence must move past them.
    if db.engine.dialect.name == "postgresql":
        session.execute(db.text(
            "SELECT setval(pg_get_serial_sequence('role', 'id'), "
            "GREATEST((SELECT MAX(id) FROM role), 1))"))


def has_administrator() -> bool:
    try:
        grants.ensure_an_administrator_remains()
    except RuleViolation:
        return False
    return True


def ensure_first_admin(password: str | None) -> str | None:
    """Create user ``admin`` (Administrator role) when no active Administrator exists.

    Returns the generated password when one had to be made up (to be shown once), else None.
    """
    if has_administrator():
        return None
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(18)
    check_password(password, "ADMIN_PASSWORD", "admin")
    password_hash = hash_password(password)
    try:
        with unit_of_work(_RACED) as s:
            admin_role = s.get(Role, 1)
            user = s.scalar(select(User).where(User.user_name == "admin"))
            if user is None:
                s.add(User(user_name="admin", tenant_id=SYSTEM_TENANT_ID,
                           password_hash=password_hash, roles=[admin_role]))
            else:  # an "admin" exists but lost its rights: restore them, keep its password
                user.active = True
                if admin_role not in user.roles:
                    user.roles = [*user.roles, admin_role]
                user.credential_version += 1
                generated = None
    except _Raced:
        return None  # another process starting at the same moment created it
    return generated


class _Raced(RuleViolation):
    pass


_RACED = _Raced("Another process created the first administrator.")
