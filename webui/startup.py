"""What a starting server checks and prepares before it takes requests."""
from __future__ import annotations

import logging
import sys

from flask import Flask
from sqlalchemy import inspect

from webui.infra.cipher import UndecryptableSecret
from webui.infra.readiness import check_keys
from webui.domain import bootstrap
from webui.domain.errors import DomainError
from webui.extensions import db

log = logging.getLogger(__name__)


def schema_ready() -> bool:
    return inspect(db.engine).has_table("alembic_version")


def announce_generated_password(password: str) -> None:
    # Printed once, to the console of whoever started the server; never logged.
    print("\n" + "=" * 64 + "\nCreated the first Administrator: user 'admin', password:\n"
          f"    {password}\nIt is shown only this once. Change it after signing in, on the\n"
          "'My account' page (/account).\n"
          + "=" * 64 + "\n", file=sys.stderr, flush=True)


def prepare(app: Flask) -> None:
    """Refuse to start on undecryptable secrets; create the first Administrator if needed.

    Does nothing on a database without schema (``flask init-db`` does both after migrating).
    Raises SystemExit with a clear message when the keys are wrong or ADMIN_PASSWORD is
    refused by the password policy.
    """
    with app.app_context():
        if not schema_ready():
            log.warning("The database has no schema yet: run `flask --app app init-db`.")
            return
        try:
            check_keys()
        except UndecryptableSecret as exc:
            raise SystemExit(f"Refusing to start: {exc}") from None
        try:
            generated = bootstrap.ensure_first_admin(app.config.get("ADMIN_PASSWORD"))
        except DomainError as exc:
            raise SystemExit(f"Refusing to start: {exc.field}: {exc.message}") from None
        if generated:
            announce_generated_password(generated)
