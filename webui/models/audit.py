from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from webui.extensions import db
from webui.models.columns import utcnow


class AuditEvent(db.Model):
    """Who did what to which object, when and from where. Field names only, never values."""
    __tablename__ = "audit_event"
    # Unique among the rows that have a key (the others are not in the index at all).
    __table_args__ = (Index("ix_audit_event_coalesce_key", "coalesce_key", unique=True,
                            sqlite_where=text("coalesce_key IS NOT NULL"),
                            postgresql_where=text("coalesce_key IS NOT NULL")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(128), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(128), nullable=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fields: Mapped[str] = mapped_column(String(1024), default="")
    client_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the field names cannot say, never a secret (e.g. "tokenURI host: a.example ->
    # b.example", or why a provider's answer was refused).
    detail: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # Coalesced events (token hand-outs: one row per caller, profile and minute) count here.
    count: Mapped[int] = mapped_column(Integer, default=1)
    # The X-Request-Id of the request that wrote the row (webui/infra/logs.py).
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # What makes a coalesced event's row one for all server processes (a token hand-out's:
    # caller, profile and minute; webui/domain/handouts.py); None for every other event.
    coalesce_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
