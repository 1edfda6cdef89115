"""What an export holds, read from this database as plain data (secrets decrypted, password
hashes as stored): custom roles, users, applications, profiles. Objects refer to each other
by name, never by id, so the snapshot fits any installation.

Shape (version 1)::

    {"roles": [{"name", "description", "permissions": [ids]}],
     "users": [{"userName", "active", "passwordHash", "passwordStatus", "roles": [names],
                "permissions": [ids]}],
     "applications": [{"name", "dataStore", "description", "clientId", "clientSecret",
                       "authorizeURI", "tokenURI", "scope"}],
     "profiles": [{"owner", "name", "application", "description", "accessToken",
                   "refreshToken", "tokenExpiresAt", "needsReauthorization",
                   "tokensRefreshedAt"}]}

Built-in roles are not exported: every installation seeds its own.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile, Role, User

BATCH = 1000
Progress = Callable[[str, int], None]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def role_data(role: Role) -> dict[str, Any]:
    return {"name": role.name, "description": role.description,
            "permissions": role.permission_ids}


def user_data(user: User) -> dict[str, Any]:
    return {"userName": user.user_name, "active": user.active,
            "passwordHash": user.password_hash, "passwordStatus": user.password_status,
            "roles": [r.name for r in user.roles], "permissions": [p.id for p in user.permissions]}


def application_data(app: OAuthApplication) -> dict[str, Any]:
    return {"name": app.name, "dataStore": app.data_store, "description": app.description,
            "clientId": app.client_id, "clientSecret": app.client_secret,
            "authorizeURI": app.authorize_uri, "tokenURI": app.token_uri, "scope": app.scope}


def profile_data(profile: OAuthProfile, owner: str, application: str) -> dict[str, Any]:
    return {"owner": owner, "name": profile.name, "application": application,
            "description": profile.description, "accessToken": profile.access_token,
            "refreshToken": profile.refresh_token,
            "tokenExpiresAt": _when(profile.token_expires_at),
            "needsReauthorization": profile.needs_reauthorization,
            "tokensRefreshedAt": _when(profile.tokens_refreshed_at)}


def take(progress: Progress) -> dict[str, Any]:
    """Everything, as plain data. progress(kind, count) is called as rows are read. Raises
    UndecryptableSecret when the configured keys cannot open a stored secret."""
    roles = [role_data(r) for r in db.session.scalars(
        select(Role).where(Role.builtin.is_(False)).order_by(Role.id)
        .options(selectinload(Role.permissions)))]
    progress("roles", len(roles))
    users = [user_data(u) for u in db.session.scalars(
        select(User).order_by(User.id)
        .options(selectinload(User.roles), selectinload(User.permissions)))]
    progress("users", len(users))
    apps_by_id: dict[int, str] = {}
    applications = []
    for app in db.session.scalars(select(OAuthApplication).order_by(OAuthApplication.id)
                                  .options(undefer(OAuthApplication.client_secret))):
        apps_by_id[app.id] = app.name
        applications.append(application_data(app))
    progress("applications", len(applications))
    owners = dict(db.session.execute(select(User.id, User.user_name)).all())
    profiles = []
    query = (select(OAuthProfile).order_by(OAuthProfile.id)
             .options(undefer(OAuthProfile.access_token), undefer(OAuthProfile.refresh_token))
             .execution_options(yield_per=BATCH))
    for profile in db.session.scalars(query):
        profiles.append(profile_data(profile, owners[profile.owner_id],
                                     apps_by_id[profile.oauth_app_id]))
        if len(profiles) % BATCH == 0:
            progress("profiles", len(profiles))
    progress("profiles", len(profiles))
    db.session.rollback()
    return {"roles": roles, "users": users, "applications": applications,
            "profiles": profiles}
