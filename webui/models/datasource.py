from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webui.extensions import db
from webui.models.columns import Timestamps


class DataSource(Timestamps, db.Model):
    """What a data source needs to refer to OAuth: its owner, data store, options, and the
    profile it uses (HDP's option ``OAuthProfileId``, kept as a foreign key so that deleting
    the profile unlinks it: ON DELETE SET NULL, HDP's documented behaviour)."""
    __tablename__ = "data_source"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_data_source_owner_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(128))
    data_store: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(1024), default="")
    # The other options, as a JSON object of strings (OAuthProfileId is the column below).
    options: Mapped[str] = mapped_column(Text, default="{}")
    oauth_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("oauth_profile.id", ondelete="SET NULL"), nullable=True, index=True)
