"""What happened to a profile, told to the administrators' webhook endpoints: the event
vocabulary, and ``emit``, which writes one delivery row per subscribed active endpoint IN THE
TRANSACTION OF THE CHANGE (an outbox): the event exists exactly when the change committed,
and is sent afterwards (webui/domain/deliveries.py), however long the receiver or the broker
is away.

Events: profile.needs_reauthorization (the provider refused the grant, or the application's
endpoints or client changed), profile.refresh_failed (transient failures exhausted the
retries), profile.recovered (the first successful refresh after failures),
profile.authorized (the authorization flow completed); webhook.test (the "send a test event"
button). The payload names the profile and its owner; never a token.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from webui.domain.errors import Invalid
from webui.extensions import db
from webui.models import OAuthProfile, User, WebhookDelivery, WebhookEndpoint
from webui.models.columns import utcnow

NEEDS_REAUTHORIZATION = "profile.needs_reauthorization"
REFRESH_FAILED = "profile.refresh_failed"
RECOVERED = "profile.recovered"
AUTHORIZED = "profile.authorized"
TEST = "webhook.test"
EVENT_TYPES = (NEEDS_REAUTHORIZATION, REFRESH_FAILED, RECOVERED, AUTHORIZED)
EVENTS_MESSAGE = "events must be a non-empty array of: " + ", ".join(EVENT_TYPES) + "."

_P, _U = OAuthProfile.__table__.c, User.__table__.c
_E = WebhookEndpoint.__table__.c
_INSERT = insert(WebhookDelivery.__table__)


def check_events(value: Any, field: str = "events") -> list[str]:
    """The event types an endpoint subscribes to: known ones, at least one, in order."""
    if not isinstance(value, list) or not value \
            or not all(isinstance(v, str) and v in EVENT_TYPES for v in value):
        raise Invalid(EVENTS_MESSAGE, field)
    return [t for t in EVENT_TYPES if t in value]


def subscribed(stored: str) -> list[str]:
    return [t for t in stored.split(",") if t]


def message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def body(event_type: str, data: dict[str, Any], now: datetime) -> str:
    """The JSON of a delivery (Standard Webhooks' shape: type, timestamp, data)."""
    return json.dumps({"type": event_type, "timestamp": now.isoformat().replace(
        "+00:00", "Z"), "data": data}, separators=(",", ":"))


def _endpoints(execute, event_type: str) -> list[int]:
    rows = execute(select(_E.id, _E.events).where(_E.active.is_(True))).all()
    return [r.id for r in rows if event_type in subscribed(r.events)]


_CHUNK = 1000


def emit(event_type: str, profile_ids: Iterable[int], now: datetime | None = None, *,
         connection: Connection | None = None) -> int:
    """Inside the caller's unit of work (the session's, or ``connection``'s: a
    core_unit_of_work): one pending delivery per profile and subscribed active endpoint, due
    at once. Returns how many were written (none without endpoints: the profiles are then not
    even read)."""
    execute = (connection or db.session).execute
    endpoints = _endpoints(execute, event_type)
    ids = list(profile_ids)
    if not endpoints or not ids:
        return 0
    now = now or utcnow()
    written = 0
    for start in range(0, len(ids), _CHUNK):  # a bounded IN: SQLite caps bound parameters
        rows = execute(
            select(_P.id, _P.name, _P.oauth_app_id, _P.owner_id, _U.user_name)
            .join_from(OAuthProfile.__table__, User.__table__, _P.owner_id == _U.id)
            .where(_P.id.in_(ids[start:start + _CHUNK]))).all()
        deliveries = [
            {"endpoint_id": endpoint, "message_id": message_id(), "event_type": event_type,
             "payload": body(event_type, {
                 "profileId": r.id, "profileName": r.name, "oauthAppId": r.oauth_app_id,
                 "owner": {"id": r.owner_id, "userName": r.user_name}}, now),
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
            for r in rows for endpoint in endpoints]
        if deliveries:
            execute(_INSERT, deliveries)
        written += len(deliveries)
    return written
