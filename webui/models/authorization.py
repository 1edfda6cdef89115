from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webui.infra.cipher import EncryptedText
from webui.extensions import db
from webui.models.columns import utcnow


class PendingAuthorization(db.Model):
    """An authorization started at the provider and not yet answered (OAuth's ``state``).

    The id is the SHA-256 of the state sent to the provider; the state itself is never stored.
    The row is bound to the browser session that started it (gone with it at logout) and is
    deleted when the callback consumes it, so a state works once. ``profile_id`` names the
    profile being re-authorized; otherwise ``name``/``description`` describe the one to create.
    """
    __tablename__ = "oauth_state"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    login_session_id: Mapped[str] = mapped_column(
        ForeignKey("login_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # The user the flow acts for (?user= or the picker; None: the user themself).
    on_behalf_of: Mapped[str | None] = mapped_column(String(128), nullable=True)
    oauth_app_id: Mapped[int] = mapped_column(
        ForeignKey("oauth_application.id", ondelete="CASCADE"))
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("oauth_profile.id", ondelete="CASCADE"), nullable=True)
    name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    description: Mapped[str] = mapped_column(String(1024), default="")
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    code_verifier: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
