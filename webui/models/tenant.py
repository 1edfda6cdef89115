from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from webui.extensions import db

SYSTEM_TENANT_ID = 1

# Administrative access listed on a tenant: read as the tenant's ``admins`` and as each user's
# ``tenantsAdministered`` (HDP's two views of one relation).
tenant_admin = Table(
    "tenant_admin", db.metadata,
    Column("tenant_id", ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Tenant(db.Model):
    __tablename__ = "tenant"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str] = mapped_column(String(1024), default="", server_default="")
    # 1 active, 0 inactive (HDP's status)
    status: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # None for the system tenant; the system tenant (1) for every other (HDP: the only parent).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), nullable=True)
    # Who created it: HDP's first way to administrative access. Kept when the user goes.
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL", use_alter=True), nullable=True)
