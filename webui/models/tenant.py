from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webui.extensions import db

SYSTEM_TENANT_ID = 1


class Tenant(db.Model):
    __tablename__ = "tenant"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(128), unique=True)
