from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webui.extensions import db
from webui.models.columns import utcnow


class LoginSession(db.Model):
    """A live browser session. Logout deletes the row, so a replayed cookie is worthless.

    The id is a SHA-256 of the random token kept in the signed cookie; the token itself is
    never stored.
    """
    __tablename__ = "login_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    credential_version: Mapped[int] = mapped_column(Integer)
