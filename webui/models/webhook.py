"""Webhook endpoints registered by administrators, and the outbox of their deliveries: one
row per (event, endpoint), written in the transaction of the change that caused the event,
then sent (webui/domain/deliveries.py) until the receiver accepts it or the attempts run out.
"""
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from webui.extensions import db
from webui.infra.cipher import EncryptedText
from webui.models.columns import Timestamps, utcnow


class WebhookEndpoint(Timestamps, db.Model):
    __tablename__ = "webhook_endpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    # Event types, comma-separated (webui/domain/events.py EVENT_TYPES).
    events: Mapped[str] = mapped_column(String(1024))
    description: Mapped[str] = mapped_column(String(1024), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The Standard Webhooks signing secret ("whsec_" + base64), shown once; deferred so that
    # lists never load (and never decrypt) it.
    secret: Mapped[str] = deferred(mapped_column(EncryptedText, nullable=False))


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # The sender's selection: pending deliveries whose time has come.
        Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
        # An endpoint's deliveries, newest first.
        Index("ix_webhook_delivery_endpoint_id_id", "endpoint_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    # The Standard Webhooks message id ("msg_..."): the same on every attempt, so that a
    # receiver can drop a repeat.
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # the JSON body, never a token
    # pending -> delivered | failed (attempts exhausted)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(512), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)
