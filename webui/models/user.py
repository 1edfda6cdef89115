from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webui.extensions import db
from webui.models.columns import Timestamps
from webui.models.names import key_column, name_key

role_permission = Table(
    "role_permission", db.metadata,
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
    Column("permission_id", ForeignKey("permission.id"), primary_key=True),
)
user_role = Table(
    "user_role", db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("role.id"), primary_key=True, index=True),
)
user_permission = Table(
    "user_permission", db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("permission_id", ForeignKey("permission.id"), primary_key=True),
)


class PermissionDefinition(db.Model):
    """The catalogue row of one HDP permission; seeded from the Permission enum."""
    __tablename__ = "permission"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(256))


class Role(Timestamps, db.Model):
    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_role_tenant_name"),
                      UniqueConstraint("tenant_id", "name_key", name="uq_role_tenant_name_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = key_column("name")
    description: Mapped[str] = mapped_column(String(1024), default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    permissions: Mapped[list[PermissionDefinition]] = relationship(
        secondary=role_permission, order_by=PermissionDefinition.id)
    users: Mapped[list["User"]] = relationship(secondary=user_role, back_populates="roles",
                                               order_by="User.id")

    @validates("name")
    def _keyed(self, _field: str, value: str) -> str:
        self.name_key = name_key(value)
        return value

    @property
    def permission_ids(self) -> list[int]:
        return [p.id for p in self.permissions]


class User(Timestamps, db.Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    user_name: Mapped[str] = mapped_column(String(128), unique=True)
    name_key: Mapped[str] = key_column("user_name")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    # 1 active, 2 must be reset (HDP's passwordStatus)
    password_status: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped whenever password, status, roles or permissions change: cached credentials and
    # login sessions carry the version they were issued under and die when it moves.
    credential_version: Mapped[int] = mapped_column(Integer, default=1)
    roles: Mapped[list[Role]] = relationship(secondary=user_role, back_populates="users",
                                             order_by=Role.id)
    permissions: Mapped[list[PermissionDefinition]] = relationship(
        secondary=user_permission, order_by=PermissionDefinition.id)

    __table_args__ = (UniqueConstraint("name_key", name="uq_user_account_name_key"),)

    @validates("user_name")
    def _keyed(self, _field: str, value: str) -> str:
        self.name_key = name_key(value)
        return value

    def granted(self) -> frozenset[int]:
        """Effective permission ids: the union of the roles' and the explicit ones."""
        ids = {p.id for p in self.permissions}
        for role in self.roles:
            ids.update(p.id for p in role.permissions)
        return frozenset(ids)
