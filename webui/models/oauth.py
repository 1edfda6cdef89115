from datetime import datetime

from sqlalchemy import (Boolean, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship, validates

from webui.infra.cipher import EncryptedText
from webui.extensions import db
from webui.models.columns import Timestamps
from webui.models.names import key_column, name_key


class OAuthApplication(Timestamps, db.Model):
    __tablename__ = "oauth_application"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_oauth_application_name"),
                      UniqueConstraint("tenant_id", "name_key",
                                       name="uq_oauth_application_name_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = key_column("name")
    data_store: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(1024), default="")
    client_id: Mapped[str] = mapped_column(String(1024))
    # Deferred: lists never load (and so never decrypt) the secret.
    client_secret: Mapped[str | None] = deferred(mapped_column(EncryptedText, nullable=True))
    authorize_uri: Mapped[str] = mapped_column(String(2048))
    token_uri: Mapped[str] = mapped_column(String(2048))
    scope: Mapped[str] = mapped_column(String(1024), default="")
    profiles: Mapped[list["OAuthProfile"]] = relationship(
        back_populates="application", passive_deletes=True)

    @validates("name")
    def _keyed(self, _field: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class OAuthProfile(Timestamps, db.Model):
    __tablename__ = "oauth_profile"
    __table_args__ = (
        UniqueConstraint("owner_id", "name", name="uq_oauth_profile_owner_name"),
        UniqueConstraint("owner_id", "name_key", name="uq_oauth_profile_owner_name_key"),
        # keyset pagination of one owner's profiles: WHERE owner_id = ? AND id > ? ORDER BY id
        Index("ix_oauth_profile_owner_id_id", "owner_id", "id"),
        # the background refresh's selection of what expires soon (webui/domain/due.py)
        Index("ix_oauth_profile_token_expires_at", "token_expires_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    oauth_app_id: Mapped[int] = mapped_column(
        ForeignKey("oauth_application.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = key_column("name")
    description: Mapped[str] = mapped_column(String(1024), default="")
    access_token: Mapped[str | None] = deferred(mapped_column(EncryptedText, nullable=True))
    refresh_token: Mapped[str | None] = deferred(mapped_column(EncryptedText, nullable=True))
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    needs_reauthorization: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the provider last issued tokens for this profile (authorization or refresh).
    tokens_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                 nullable=True)
    # The token service's record (webui/domain/tokens.py, refresh.py): the last refresh that
    # failed for a transient reason (in words, never a token), consecutive transient
    # failures, when the background refresh may try next, and the last token hand-out.
    last_refresh_error: Mapped[str | None] = mapped_column(String(512), nullable=True)
    refresh_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_refresh_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True, index=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)
    application: Mapped[OAuthApplication] = relationship(back_populates="profiles")
    owner = relationship("User")

    @validates("name")
    def _keyed(self, _field: str, value: str) -> str:
        self.name_key = name_key(value)
        return value
