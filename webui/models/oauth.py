from datetime import datetime

from sqlalchemy import (Boolean, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from webui.infra.cipher import EncryptedText
from webui.extensions import db
from webui.models.columns import Timestamps


class OAuthApplication(Timestamps, db.Model):
    __tablename__ = "oauth_application"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_oauth_application_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
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


class OAuthProfile(Timestamps, db.Model):
    __tablename__ = "oauth_profile"
    __table_args__ = (
        UniqueConstraint("owner_id", "name", name="uq_oauth_profile_owner_name"),
        # keyset pagination of one owner's profiles: WHERE owner_id = ? AND id > ? ORDER BY id
        Index("ix_oauth_profile_owner_id_id", "owner_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    oauth_app_id: Mapped[int] = mapped_column(
        ForeignKey("oauth_application.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(String(1024), default="")
    access_token: Mapped[str | None] = deferred(mapped_column(EncryptedText, nullable=True))
    refresh_token: Mapped[str | None] = deferred(mapped_column(EncryptedText, nullable=True))
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    needs_reauthorization: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the provider last issued tokens for this profile (authorization or refresh).
    tokens_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                 nullable=True)
    application: Mapped[OAuthApplication] = relationship(back_populates="profiles")
    owner = relationship("User")
