"""A snapshot (webui/transfer/snapshot.py's shape) restored into this database.

Every object is matched by its name (roles and applications in the system tenant, users by
user name, profiles by owner and name) and is *created* when absent, *updated* when a field
differs (the file wins), *skipped* when equal, so a second import changes nothing. Every
value passes the same domain rules as the API (names, URIs, tokens); a value they refuse, a
reference to a role, user, application or permission that neither the file nor this database
holds, or a name of a built-in role is a *conflict*, reported by the object's name. Each
object created or updated is recorded in the audit trail, as done by the system.

Everything happens in one transaction, committed only when there is no conflict and it is
not a dry run: nothing is ever half-imported. Secrets are assigned in clear to the models'
EncryptedText columns, which encrypt them under this installation's newest key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload, undefer

from webui.domain import audit, bootstrap, provider_calls, rules
from webui.domain.datastores import check_data_store
from webui.domain.errors import DomainError
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile, PermissionDefinition, Role, User
from webui.models.tenant import SYSTEM_TENANT_ID

Progress = Callable[[str, int], None]
BATCH = 1000


@dataclass
class Outcome:
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # action, kind, name
    conflicts: list[str] = field(default_factory=list)
    written: bool = False
    # action, audit object type, the object: what the audit trail records once ids exist
    touched: list[tuple[str, str, Any]] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change[0] == action)


AUDIT_TYPES = {"role": "role", "user": "user", "application": "oauthapp",
               "profile": "oauthprofile"}


class _Conflict(Exception):
    pass


def _when(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)  # SQLite: naive UTC


def _optional(check: Callable[..., str], value: object, *args) -> str | None:
    # Absent secrets (a profile not yet authorized) stay absent; "" means absent too.
    return None if value in (None, "") else check(value, *args)


def _check(kind: str, name: str, check: Callable[[], Any]) -> Any:
    try:
        return check()
    except DomainError as exc:
        raise _Conflict(f"{kind} '{name}': {exc.message}") from None


class _Restore:
    def __init__(self, outcome: Outcome, progress: Progress):
        self.outcome, self.progress = outcome, progress
        self.permissions = {p.id: p for p in db.session.scalars(select(PermissionDefinition))}
        self.roles = {r.name: r for r in db.session.scalars(
            select(Role).where(Role.tenant_id == SYSTEM_TENANT_ID)
            .options(selectinload(Role.permissions)))}
        self.users = {u.user_name: u for u in db.session.scalars(
            select(User).options(selectinload(User.roles), selectinload(User.permissions)))}
        self.apps = {a.name: a for a in db.session.scalars(
            select(OAuthApplication).where(OAuthApplication.tenant_id == SYSTEM_TENANT_ID)
            .options(undefer(OAuthApplication.client_secret)))}

    def each(self, kind: str, items: list[dict],
             apply: Callable[[dict], tuple[str, str, Any]]) -> None:
        for number, item in enumerate(items, 1):
            try:
                action, name, obj = apply(item)
                self.outcome.changes.append((action, kind, name))
                if action != "skip":
                    self.outcome.touched.append((action, AUDIT_TYPES[kind], obj))
            except _Conflict as exc:
                self.outcome.conflicts.append(str(exc))
            except (KeyError, TypeError, ValueError) as exc:
                self.outcome.conflicts.append(f"{kind} #{number}: malformed ({exc!r:.80})")
            if number % BATCH == 0:
                self.progress(kind, number)
        self.progress(kind, len(items))

    def _set(self, obj, values: dict[str, Any], created: bool) -> str:
        changed = created or any(getattr(obj, k) != v for k, v in values.items())
        if changed:
            for key, value in values.items():
                setattr(obj, key, value)
        return "create" if created else ("update" if changed else "skip")

    def _permissions(self, kind: str, name: str, ids: list[int]) -> list:
        unknown = [i for i in ids if i not in self.permissions]
        if unknown:
            raise _Conflict(f"{kind} '{name}': unknown permission {unknown[0]}")
        return [self.permissions[i] for i in sorted(set(ids))]

    def role(self, item: dict) -> tuple[str, str, Role]:
        name = _check("role", str(item["name"]), lambda: rules.check_role_name(item["name"]))
        role = self.roles.get(name)
        if role is not None and role.builtin:
            raise _Conflict(f"role '{name}': a built-in role here has that name")
        created = role is None
        if created:
            role = self.roles[name] = Role(tenant_id=SYSTEM_TENANT_ID, name=name, builtin=False)
            db.session.add(role)
        return self._set(role, {
            "description": _check("role", name, lambda: rules.check_description(
                item.get("description", ""))),
            "permissions": self._permissions("role", name, item.get("permissions", []))},
            created), name, role

    def user(self, item: dict) -> tuple[str, str, User]:
        name = _check("user", str(item["userName"]),
                      lambda: rules.check_user_name(item["userName"]))
        if not str(item["passwordHash"]).startswith("$argon2"):
            raise _Conflict(f"user '{name}': the password hash is not argon2")
        missing = [r for r in item.get("roles", []) if r not in self.roles]
        if missing:
            raise _Conflict(f"user '{name}': no role '{missing[0]}' here or in the file")
        user = self.users.get(name)
        created = user is None
        if created:
            user = self.users[name] = User(tenant_id=SYSTEM_TENANT_ID, user_name=name,
                                           credential_version=1)
            db.session.add(user)
        action = self._set(user, {
            "active": bool(item["active"]), "password_hash": item["passwordHash"],
            "password_status": int(item.get("passwordStatus", 1)),
            "roles": sorted((self.roles[r] for r in set(item.get("roles", []))),
                            key=lambda r: r.id or 0),
            "permissions": self._permissions("user", name, item.get("permissions", []))},
            created)
        if action == "update":  # cached credentials and sessions die, as on any change
            user.credential_version += 1
        return action, name, user

    def application(self, item: dict) -> tuple[str, str, OAuthApplication]:
        name = _check("application", str(item["name"]), lambda: rules.check_name(item["name"]))

        def values() -> dict[str, Any]:
            return {"data_store": check_data_store(item["dataStore"]),
                    "description": rules.check_description(item.get("description", "")),
                    "client_id": rules.check_client_id(item["clientId"]),
                    "client_secret": _optional(rules.check_client_secret,
                                               item.get("clientSecret")),
                    "authorize_uri": provider_calls.check_endpoint(
                        item["authorizeURI"], "authorizeURI", provider_calls.policy()),
                    "token_uri": provider_calls.check_endpoint(
                        item["tokenURI"], "tokenURI", provider_calls.policy()),
                    "scope": rules.check_scope(item.get("scope", ""))}
        checked = _check("application", name, values)
        app = self.apps.get(name)
        created = app is None
        if created:
            app = self.apps[name] = OAuthApplication(tenant_id=SYSTEM_TENANT_ID, name=name)
            db.session.add(app)
        return self._set(app, checked, created), name, app

    def profiles(self, items: list[dict]) -> None:
        existing = {(p.owner_id, p.name): p for p in db.session.scalars(
            select(OAuthProfile).options(undefer(OAuthProfile.access_token),
                                         undefer(OAuthProfile.refresh_token)))}
        db.session.flush()  # ids for the users and applications created above

        def profile(item: dict) -> tuple[str, str, OAuthProfile]:
            owner, label = self.users.get(item["owner"]), f"{item['owner']}/{item['name']}"
            app = self.apps.get(item["application"])
            if owner is None:
                raise _Conflict(f"profile '{label}': no user '{item['owner']}' here or in the file")
            if app is None:
                raise _Conflict(f"profile '{label}': no application '{item['application']}' "
                                "here or in the file")
            name = _check("profile", label, lambda: rules.check_name(item["name"]))
            checked = _check("profile", label, lambda: {
                "description": rules.check_description(item.get("description", "")),
                "access_token": _optional(rules.check_token, item.get("accessToken"),
                                          "accessToken"),
                "refresh_token": _optional(rules.check_token, item.get("refreshToken"),
                                           "refreshToken")})
            row = existing.get((owner.id, name))
            created = row is None
            if created:
                row = existing[(owner.id, name)] = OAuthProfile(owner_id=owner.id, name=name)
                db.session.add(row)
            values = {"oauth_app_id": app.id, **checked,
                      "needs_reauthorization": bool(item.get("needsReauthorization", False))}
            action = self._set(row, values, created)
            for key, text in (("token_expires_at", item.get("tokenExpiresAt")),
                              ("tokens_refreshed_at", item.get("tokensRefreshedAt"))):
                if _when(getattr(row, key)) != _when(text):
                    setattr(row, key, _when(text))
                    action = "create" if created else "update"
            return action, label, row
        self.each("profile", items, profile)


def restore(snapshot: dict[str, Any], *, dry_run: bool, progress: Progress) -> Outcome:
    """Plan and (unless dry_run or a conflict) commit the snapshot in one transaction.
    Returns what was (or would be) created, updated, skipped, and the conflicts."""
    outcome = Outcome()
    try:
        work = _Restore(outcome, progress)
        work.each("role", snapshot.get("roles", []), work.role)
        work.each("user", snapshot.get("users", []), work.user)
        work.each("application", snapshot.get("applications", []), work.application)
        work.profiles(snapshot.get("profiles", []))
        db.session.flush()
        for action, object_type, obj in outcome.touched:
            audit.record(bootstrap.SYSTEM, action, object_type, obj.id)
    except IntegrityError:
        outcome.conflicts.append("a name in the file is taken here by another object")
    if outcome.conflicts or dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        outcome.written = True
    return outcome
