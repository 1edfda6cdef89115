"""Sending the outbox (webui/domain/events.py): each pending delivery, once its time has come,
signed as the Standard Webhooks specification says (webhook-id, webhook-timestamp,
webhook-signature, by the ``standardwebhooks`` package) and POSTed through the one outbound
policy (https to public addresses; http to loopback only under ALLOW_HTTP_LOOPBACK_OAUTH;
OAUTH_ALLOWED_NETWORKS; a total deadline; no redirects).

A 2xx answer delivers it. Anything else (refused, unreachable, timeout, another status) is an
attempt recorded on the row (attempts, last error, last status) and retried after an
exponential back-off with jitter (refresh.backoff, from WEBHOOK_RETRY_BASE_SECONDS, honouring
Retry-After) until WEBHOOK_MAX_ATTEMPTS: then it is failed.

A delivery is claimed before it is sent (a conditional UPDATE pushes its time forward by a
lease), so two workers or passes that find it at once send it once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from webui.domain import provider_calls
from webui.domain.errors import ConcurrentChange
from webui.domain.refresh import backoff
from webui.domain.transaction import unit_of_work
from webui.extensions import db
from webui.infra import outbound
from webui.models import WebhookDelivery, WebhookEndpoint
from webui.models.columns import utcnow

_D, _E = WebhookDelivery.__table__.c, WebhookEndpoint.__table__.c
DEACTIVATED = "The endpoint was deactivated."


def lease() -> timedelta:
    """How long a claimed delivery is left alone: longer than one attempt can take."""
    return timedelta(seconds=current_app.config["OUTBOUND_DEADLINE_SECONDS"] * 2 + 30)


def due_ids(now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Pending deliveries whose time has come, in the order of their events."""
    now = now or utcnow()
    ids = db.session.scalars(select(_D.id).where(_D.status == "pending",
                                                 _D.next_attempt_at <= now)
                             .order_by(_D.id).limit(limit)).all()
    db.session.commit()
    return list(ids)


def _claim(delivery_id: int, now: datetime) -> bool:
    with unit_of_work(ConcurrentChange()) as session:
        return session.execute(
            update(WebhookDelivery)
            .where(_D.id == delivery_id, _D.status == "pending", _D.next_attempt_at <= now)
            .values(next_attempt_at=now + lease())).rowcount == 1


def signed_headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": "oauth-profile-manager",
            "webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(message_id, at, body)}


def _attempt(url: str, secret: str, delivery: WebhookDelivery
             ) -> tuple[int | None, str | None, float | None]:
    """Send once: (status code or None, error in words or None when delivered, Retry-After).
    Signed at the wall clock's time: receivers refuse a timestamp far from their own."""
    body = delivery.payload
    try:
        answer = outbound.send(provider_calls.policy(), "POST", url, body.encode(),
                               signed_headers(secret, delivery.message_id, utcnow(), body))
    except outbound.Refused:
        return None, "The URL is not an allowed outbound destination.", None
    except outbound.Failed as exc:
        return None, f"The receiver could not be reached ({exc.kind}).", None
    if 200 <= answer.status < 300:
        return answer.status, None, None
    return answer.status, f"The receiver answered HTTP {answer.status}.", answer.retry_after()


def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery if it is pending and due (claimed first). Returns "delivered",
    "retrying", "failed" or "not_due". Commits its record; raises nothing a receiver causes."""
    now = now or utcnow()
    if not _claim(delivery_id, now):
        return "not_due"
    row = db.session.execute(
        select(WebhookDelivery, _E.url, _E.active, WebhookEndpoint.secret)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(_D.id == delivery_id)).one_or_none()
    if row is None:
        return "not_due"  # its endpoint was deleted meanwhile, and the delivery with it
    delivery, url, active, secret = row
    db.session.commit()  # no transaction stays open across the receiver's answer
    if active:
        status, error, retry_after = _attempt(url, secret, delivery)
    else:
        status, error, retry_after = None, DEACTIVATED, None
    return _record(delivery, status, error, retry_after, now, final=not active)


def _record(delivery: WebhookDelivery, status: int | None, error: str | None,
            retry_after: float | None, now: datetime, *, final: bool) -> str:
    config = current_app.config
    attempts = delivery.attempts + (0 if final else 1)
    values: dict = {"attempts": attempts, "last_status_code": status, "last_error": error}
    if error is None:
        values |= {"status": "delivered", "delivered_at": now, "next_attempt_at": None}
        outcome = "delivered"
    elif final or attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        values |= {"status": "failed", "next_attempt_at": None}
        outcome = "failed"
    else:
        values["next_attempt_at"] = now + backoff(
            attempts, retry_after, base_seconds=config["WEBHOOK_RETRY_BASE_SECONDS"])
        outcome = "retrying"
    with unit_of_work(ConcurrentChange()) as session:
        session.execute(update(WebhookDelivery).where(_D.id == delivery.id).values(values))
    return outcome


def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """Send every delivery due (the pass without a broker). Returns counts by outcome."""
    counts: dict[str, int] = {}
    for delivery_id in due_ids(now):
        outcome = deliver(delivery_id, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
