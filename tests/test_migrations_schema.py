"""The migrations make the schema the models describe, on SQLite and PostgreSQL (the tests
build their databases by migrating, so a model the migrations do not follow would otherwise
go unnoticed), and the newest migration goes down and up again."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import base_config
from webui import create_app
from webui.extensions import db


def differences() -> list:
    """What Alembic's autogenerate would change to make the database match the models.

    On SQLite foreign keys are left out: its reflection gives a foreign key declared inside
    a column definition (as batch mode wrote migration 0006's) no name and no ON DELETE,
    whatever the DDL says, so each would show as removed and added again. PostgreSQL
    reflects them faithfully and compares them; tests/test_migration_0006.py checks the ON
    DELETE of 0006's references on both by deleting rows."""
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"

        def include(obj, name, type_, reflected, compare_to) -> bool:
            return not (sqlite and type_ == "foreign_key_constraint")

        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": include})
        return compare_metadata(context, db.metadata)


def test_the_migrations_make_the_models_schema_and_0008_goes_down_and_up(empty_database):
    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade()
        assert differences() == []
        downgrade(revision="0007")
        audit = inspect(db.engine)
        assert "coalesce_key" not in {c["name"] for c in audit.get_columns("audit_event")}
        assert "ix_audit_event_coalesce_key" not in {
            i["name"] for i in audit.get_indexes("audit_event")}
        upgrade()
        assert differences() == []
        db.session.remove()
        db.engine.dispose()
