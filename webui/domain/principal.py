"""The authenticated caller as the domain sees it: an immutable snapshot, no lazy loading."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    id: int
    user_name: str
    tenant_id: int
    permissions: frozenset[int]
    credential_version: int = 1
    # Where the request came from, for the audit log; not part of identity.
    address: str | None = field(default=None, compare=False)

    # Flask-Login's user interface, so the web door can hand the same object to the domain.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def granted(self) -> frozenset[int]:
        return self.permissions

    @classmethod
    def of(cls, user, address: str | None = None) -> "Principal":
        """Snapshot a User row (loads its roles and permissions)."""
        return cls(id=user.id, user_name=user.user_name, tenant_id=user.tenant_id,
                   permissions=user.granted(), credential_version=user.credential_version,
                   address=address)
