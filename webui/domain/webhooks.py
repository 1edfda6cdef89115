"""Use cases for webhook endpoints (/api/admin/webhooks and the admin page): Administrator (12)
only, decided here through the Caller.

The signing secret is generated here (Standard Webhooks' "whsec_" + base64 of 32 random
bytes), returned once by create_webhook, stored encrypted, and never read back through any
door. An endpoint's URL obeys the same rules as an OAuth endpoint: https to a public address
(or a network in OAUTH_ALLOWED_NETWORKS; http only to loopback under
ALLOW_HTTP_LOOPBACK_OAUTH), judged at save time as far as can be without DNS and again, with
the resolved addresses, on every delivery (webui/infra/outbound.py).
"""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webui.domain import audit, deliveries, events, provider_calls, schemas
from webui.domain.caller import Caller
from webui.domain.errors import Conflict, NotFound
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import WebhookDelivery, WebhookEndpoint
from webui.models.columns import utcnow

CHANGED = Conflict("The webhook changed meanwhile; reload and retry.")
_COLUMNS = {"url": "url", "description": "description", "active": "active"}


@dataclass(frozen=True)
class Created:
    endpoint: WebhookEndpoint
    secret: str  # shown once, to the administrator who created it


def require_may_manage(caller: Caller) -> Caller:
    """Administrator (12), as the actor (for a page that shows a form first). Raises
    Forbidden; returns the caller as the audit trail records it."""
    return caller.require_actor(Permission.ADMINISTRATOR)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _not_found(webhook_id: object) -> NotFound:
    return NotFound(f"There is no webhook with that id: {webhook_id}")


def _fetch(webhook_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, webhook_id)
    if endpoint is None:
        raise _not_found(webhook_id)
    return endpoint


def _context() -> dict[str, Any]:
    """The url field is judged by the outbound policy, as an application's endpoints are."""
    return {schemas.OUTBOUND_POLICY: provider_calls.policy()}


def _values(model: schemas.Schema) -> dict[str, Any]:
    return schemas.given(model)


def list_webhooks(caller: Caller, page: PageRequest = PageRequest()
                  ) -> Page[WebhookEndpoint]:
    """Needs Administrator (12)."""
    require_may_manage(caller)
    rows = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id > page.after)
                              .order_by(WebhookEndpoint.id).limit(page.limit + 1)).all()
    return page_of(rows, page)


def get_webhook(caller: Caller, webhook_id: int) -> WebhookEndpoint:
    """Needs Administrator (12). Raises Forbidden, NotFound."""
    require_may_manage(caller)
    return _fetch(webhook_id)


def create_webhook(caller: Caller, data: Any) -> Created:
    """Register an endpoint. Needs Administrator (12). Raises Forbidden, Invalid."""
    acting = require_may_manage(caller)
    values = _values(schemas.parse(schemas.WebhookCreate, data, _context()))
    secret = new_secret()
    with unit_of_work(CHANGED) as session:
        endpoint = WebhookEndpoint(
            url=values["url"], events=",".join(values["events"]),
            description=values.get("description", ""), active=values.get("active", True),
            secret=secret)
        session.add(endpoint)
        session.flush()
        audit.record(acting, "create", "webhook", endpoint.id, values)
    return Created(endpoint, secret)


def update_webhook(caller: Caller, webhook_id: int, data: Any) -> WebhookEndpoint:
    """Partial update (the secret never changes). Needs Administrator (12). Raises
    Forbidden, NotFound, Invalid."""
    acting = require_may_manage(caller)
    values = _values(schemas.parse(schemas.WebhookUpdate, data, _context()))
    endpoint = _fetch(webhook_id)
    with unit_of_work(CHANGED) as session:
        session.add(endpoint)
        for key, value in values.items():
            if key == "events":
                endpoint.events = ",".join(value)
            else:
                setattr(endpoint, _COLUMNS[key], value)
        if values:
            audit.record(acting, "update", "webhook", endpoint.id, values)
    return endpoint


def delete_webhook(caller: Caller, webhook_id: int) -> None:
    """Delete an endpoint and (ON DELETE CASCADE) its deliveries. Needs Administrator (12).
    Raises Forbidden, NotFound."""
    acting = require_may_manage(caller)
    endpoint = _fetch(webhook_id)
    with unit_of_work(CHANGED) as session:
        delete_row(session, endpoint)
        audit.record(acting, "delete", "webhook", webhook_id)


def list_deliveries(caller: Caller, webhook_id: int, page: PageRequest = PageRequest()
                    ) -> Page[WebhookDelivery]:
    """An endpoint's deliveries, newest first: status, attempts, last error. Needs
    Administrator (12). Raises Forbidden, NotFound."""
    require_may_manage(caller)
    _fetch(webhook_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == webhook_id)
    if page.after:
        query = query.where(WebhookDelivery.id < page.after)
    rows = db.session.scalars(query.order_by(WebhookDelivery.id.desc())
                              .limit(page.limit + 1)).all()
    return page_of(rows, page)


def send_test_event(caller: Caller, webhook_id: int) -> WebhookDelivery:
    """Queue a webhook.test delivery to this endpoint and try it at once (later attempts, if
    it fails, follow the usual back-off). Needs Administrator (12). Raises Forbidden,
    NotFound. Returns the delivery as recorded after the first attempt."""
    acting = require_may_manage(caller)
    endpoint = _fetch(webhook_id)
    now = utcnow()
    with unit_of_work(CHANGED) as session:
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id, message_id=events.message_id(), event_type=events.TEST,
            payload=events.body(events.TEST, {"webhookId": endpoint.id}, now),
            status="pending", attempts=0, next_attempt_at=now, created_at=now)
        session.add(delivery)
        session.flush()
        audit.record(acting, "update", "webhook", endpoint.id, ["test"])
    deliveries.deliver(delivery.id, now)
    session = db.session()
    session.expire(delivery)
    sent = session.get(WebhookDelivery, delivery.id)
    if sent is None:  # the endpoint was deleted meanwhile, and its deliveries with it
        raise _not_found(webhook_id)
    return sent
