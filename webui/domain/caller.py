"""Who calls, and for whom: resolved ONCE per request by a door, then handed to every use case.

A door (the JSON API from Basic auth + ``?user=``; the pages from the browser session + the
acting-for picker) builds a Caller with ``acting.resolve`` and keeps it on ``flask.g``. Use
cases never look at the request; they ask the caller:

- ``caller.require(*perms)`` for an operation on the subject's resources (profiles,
  applications, data sources): the actor's own permissions, or, when acting for someone else,
  HDP's on-behalf rule for that operation. Returns the subject. No database work.
- ``caller.require_actor(*perms)`` for an administrative operation (users, roles, tenants, the
  audit trail), which is always done as the actor, whoever is on screen. Returns the caller
  as the actor alone.

``demands`` are what the door itself asks of every operation, on top of the operation's own
permissions: the Management API asks MgmtAPI (11) (webui/doors.py); the pages ask nothing
more (signing in to them needed WebUI already).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from webui.domain.errors import Forbidden
from webui.domain.permissions import Permission, has_all, has_permission
from webui.domain.principal import Principal


def may_act_for_others(actor: Principal, *perms: Permission) -> bool:
    """HDP's on-behalf rule: Administrator (12), or MgmtAPI (11) + OnBehalfOf (21) + the
    operation's own permissions."""
    return has_permission(actor, Permission.ADMINISTRATOR) or has_all(
        actor, (Permission.MGMT_API, Permission.ON_BEHALF_OF, *perms))


@dataclass(frozen=True)
class Caller:
    actor: Principal
    subject: Principal
    demands: frozenset[Permission] = frozenset()
    # Where the request came from, for the audit trail; not part of identity.
    address: str | None = field(default=None, compare=False)

    @classmethod
    def own(cls, actor: Principal, demands: Iterable[Permission] = (),
            address: str | None = None) -> "Caller":
        """The actor acting for themself."""
        return cls(actor, actor, frozenset(demands), address)

    @property
    def on_behalf(self) -> bool:
        return self.subject.id != self.actor.id

    def may(self, *perms: Permission) -> bool:
        """Whether require(*perms) would pass."""
        needed = (*self.demands, *perms)
        if self.on_behalf:
            return may_act_for_others(self.actor, *needed)
        return has_all(self.actor, needed)

    def require(self, *perms: Permission) -> Principal:
        """For an operation on the subject's resources. Raises Forbidden; returns the
        subject."""
        if not self.may(*perms):
            raise Forbidden()
        return self.subject

    def actor_may(self, *perms: Permission) -> bool:
        return has_all(self.actor, (*self.demands, *perms))

    def require_actor(self, *perms: Permission) -> "Caller":
        """For an administrative operation, done as the actor whoever is on screen. Raises
        Forbidden; returns the caller as the actor alone (as the audit trail records it)."""
        if not self.actor_may(*perms):
            raise Forbidden()
        return Caller(self.actor, self.actor, self.demands, self.address) \
            if self.on_behalf else self

    def is_administrator(self) -> bool:
        return has_permission(self.actor, Permission.ADMINISTRATOR)
