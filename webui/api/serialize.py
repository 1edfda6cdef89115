"""JSON shapes of the API (HDP's field names). Secrets are masked unless the deployment turns
on EXPOSE_SECRETS_ON_READ; the create response of a profile echoes what was sent, as HDP
documents."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app

from webui.domain import tokens
from webui.domain.datasource_view import DataSourceView
from webui.domain.permissions import CATALOGUE, Permission
from webui.domain.profile_view import ProfileView
from webui.domain.schemas import MASK
from webui.domain.events import subscribed
from webui.models import (AuditEvent, OAuthApplication, Role, Tenant, User, WebhookDelivery,
                          WebhookEndpoint)
from webui.models.columns import utcnow


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns naive datetimes; we store UTC
        # Same text as the aware path below, a quarter of its cost (100 calls per list page).
        return value.isoformat() + "Z"
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def exposes_secrets() -> bool:
    return current_app.config["EXPOSE_SECRETS_ON_READ"]


def _secret(value: str | None) -> str | None:
    if value is None:
        return None
    return value if exposes_secrets() else MASK


def _token(value: str | None, present: bool) -> str | None:
    """A profile token: the mask, or (EXPOSE_SECRETS_ON_READ) the value, which the view then
    holds (read with_tokens)."""
    if not present:
        return None
    return value if exposes_secrets() else MASK


Clock = tuple[datetime, timedelta]


def clock() -> Clock:
    """Now and the token margin: what a profile's status is judged by. A list reads it once
    and hands it to every item (reading it per item was a tenth of a list of 50)."""
    return utcnow(), tokens.margin()


def _record(body: dict[str, Any], p: ProfileView, at: Clock | None) -> dict[str, Any]:
    """body with the token service's fields added (additions to HDP's shapes)."""
    body["status"] = p.status_at(*(at or clock()))
    body["tokenExpiresAt"] = timestamp(p.token_expires_at)
    body["lastRefreshedAt"] = timestamp(p.tokens_refreshed_at)
    body["lastUsedAt"] = timestamp(p.last_used_at)
    body["lastRefreshError"] = p.last_refresh_error
    body["createdAt"] = timestamp(p.created_at)
    body["updatedAt"] = timestamp(p.updated_at)
    return body


def profile_created(p: ProfileView) -> dict[str, Any]:
    """HDP's 201 body, exactly: the created object with the tokens as sent."""
    return {"id": p.id, "name": p.name, "oauthAppId": p.oauth_app_id,
            "description": p.description, "accessToken": p.access_token,
            "refreshToken": p.refresh_token}


def profile(p: ProfileView, at: Clock | None = None) -> dict[str, Any]:
    """The full object (GET, PUT, refresh)."""
    return _record({"id": p.id, "name": p.name, "oauthAppId": p.oauth_app_id,
                    "description": p.description,
                    "accessToken": _token(p.access_token, p.has_access_token),
                    "refreshToken": _token(p.refresh_token, p.has_refresh_token),
                    "hasAccessToken": p.has_access_token,
                    "hasRefreshToken": p.has_refresh_token}, p, at)


def profile_item(p: ProfileView, at: Clock | None = None) -> dict[str, Any]:
    """A list item (a profile view): no tokens; the application's endpoints and scope, as
    HDP 5.0 lists."""
    return _record({"id": p.id, "name": p.name, "oauthAppId": p.oauth_app_id,
                    "description": p.description, "authorizeURI": p.authorize_uri,
                    "tokenURI": p.token_uri, "scope": p.scope}, p, at)


def application_item(a: OAuthApplication) -> dict[str, Any]:
    """A list item: never clientId or clientSecret."""
    return {"id": a.id, "name": a.name, "dataStore": a.data_store, "tenantId": a.tenant_id,
            "description": a.description, "authorizeURI": a.authorize_uri,
            "tokenURI": a.token_uri, "scope": a.scope,
            "createdAt": timestamp(a.created_at), "updatedAt": timestamp(a.updated_at)}


def application(a: OAuthApplication, *, manager: bool) -> dict[str, Any]:
    """The full object; the client secret only for those who manage applications (masked
    unless EXPOSE_SECRETS_ON_READ)."""
    body = application_item(a)
    body["clientId"] = a.client_id
    if manager:
        body["clientSecret"] = _secret(a.client_secret)
        body["hasClientSecret"] = a.client_secret is not None
    return body


def user(u: User) -> dict[str, Any]:
    return {"id": u.id, "userName": u.user_name, "tenantId": u.tenant_id,
            "statusInfo": {"status": 1 if u.active else 0, "accountLocked": False},
            "passwordInfo": {"passwordStatus": u.password_status, "passwordExpiration": None},
            "permissions": {"roles": [r.id for r in u.roles],
                            "permissions": [p.id for p in u.permissions]},
            "authenticationInfo": {"authUsers": [{"authUserName": u.user_name,
                                                  "authServiceId": 1}]}}


def role_item(r: Role) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "tenantId": r.tenant_id, "description": r.description}


def role(r: Role) -> dict[str, Any]:
    return {**role_item(r), "permissions": r.permission_ids, "users": [u.id for u in r.users]}


def permission(perm: Permission) -> dict[str, Any]:
    name, description = CATALOGUE[perm]
    return {"id": perm.value, "name": name, "description": description}


def audit_event(e: AuditEvent) -> dict[str, Any]:
    return {"id": e.id, "at": timestamp(e.at), "actor": e.actor, "onBehalfOf": e.subject,
            "action": e.action, "objectType": e.object_type, "objectId": e.object_id,
            "fields": e.fields.split(",") if e.fields else [],
            "clientAddress": e.client_address, "detail": e.detail, "count": e.count}


def tenant_item(t: Tenant) -> dict[str, Any]:
    """HDP's list item."""
    return {"id": t.id, "name": t.name}


def tenant(t: Tenant) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "description": t.description,
            "parentTenant": t.parent_id, "status": t.status}


def data_source_item(d: DataSourceView) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "dataStore": d.data_store,
            "description": d.description}


def data_source(d: DataSourceView) -> dict[str, Any]:
    """HDP's data source object: options are strings, OAuthProfileId among them when a
    profile is linked."""
    return {**data_source_item(d), "options": d.options,
            "createdAt": timestamp(d.created_at), "updatedAt": timestamp(d.updated_at)}


def webhook(w: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint; never its secret (shown once, by the create response)."""
    return {"id": w.id, "url": w.url, "events": subscribed(w.events),
            "description": w.description, "active": w.active,
            "createdAt": timestamp(w.created_at), "updatedAt": timestamp(w.updated_at)}


def webhook_delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {"id": d.id, "webhookId": d.endpoint_id, "messageId": d.message_id,
            "eventType": d.event_type, "status": d.status, "attempts": d.attempts,
            "nextAttemptAt": timestamp(d.next_attempt_at), "lastError": d.last_error,
            "lastStatusCode": d.last_status_code, "createdAt": timestamp(d.created_at),
            "deliveredAt": timestamp(d.delivered_at)}
