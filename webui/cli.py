"""Command-line tools: ``flask --app app init-db | create-user | rotate-keys | refresh-due |
export | import`` (the last two live in webui/transfer/)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.exc import SQLAlchemyError

from webui.infra import cipher
from webui.domain import bootstrap, deliveries, due, roles, users
from webui.domain.errors import DomainError
from webui.domain.rules import PASSWORD_HINT
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile, WebhookEndpoint
from webui.startup import announce_generated_password
from webui.transfer.commands import export_command, import_command


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(rotate_keys)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(refresh_due)


@click.command("init-db")
def init_db() -> None:
    """Apply migrations, seed the catalogue and default roles, ensure an Administrator."""
    upgrade()
    bootstrap.seed()
    try:
        generated = bootstrap.ensure_first_admin(current_app.config.get("ADMIN_PASSWORD"))
    except DomainError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from None
    if generated:
        announce_generated_password(generated)
    click.echo("Database is up to date.")


@click.command("create-user")
@click.argument("name")
@click.option("--password", required=True, help=PASSWORD_HINT)
@click.option("--role", "role_names", multiple=True,
              help="HDP role name (Administrator, User, Tenant Administrator); repeatable.")
@click.option("--permission", "permission_ids", multiple=True, type=int,
              help="Explicit permission id; repeatable.")
@click.option("--inactive", is_flag=True, help="Create the account deactivated.")
def create_user(name: str, password: str, role_names: tuple[str, ...],
                permission_ids: tuple[int, ...], inactive: bool) -> None:
    """Create a user through the same use case as POST /api/admin/users."""
    try:
        role_ids = [roles.role_id_by_name(r) for r in (role_names or ("User",))]
        user = users.create_user(bootstrap.SYSTEM, {
            "userName": name,
            "statusInfo": {"status": 0 if inactive else 1},
            "passwordInfo": {"password": password},
            "permissions": {"roles": role_ids, "permissions": list(permission_ids)},
        })
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created user {user.user_name} (id {user.id}).")


_ENCRYPTED = [OAuthApplication.client_secret, OAuthProfile.access_token,
              OAuthProfile.refresh_token, WebhookEndpoint.secret]


@click.command("rotate-keys")
@click.option("--batch", default=500, show_default=True)
def rotate_keys(batch: int) -> None:
    """Re-encrypt every stored secret under the newest key (the first of the configured)."""
    total = 0
    for column in _ENCRYPTED:
        model = column.class_
        raw = type_coerce(column, Text)  # the stored ciphertext, not the decrypted value
        last = 0
        while True:
            rows = db.session.execute(select(model.id, raw).where(model.id > last,
                                                                  column.is_not(None))
                                      .order_by(model.id).limit(batch)).all()
            if not rows:
                break
            try:
                for row_id, stored in rows:
                    db.session.execute(update(model).where(model.id == row_id)
                                       .values({column.key: type_coerce(
                                           cipher.rotate(stored), Text)}))
            except cipher.UndecryptableSecret as exc:
                db.session.rollback()
                raise click.ClickException(str(exc)) from None
            db.session.commit()
            total += len(rows)
            last = rows[-1][0]
    click.echo(f"Re-encrypted {total} secrets under the newest key.")


@click.command("refresh-due")
def refresh_due() -> None:
    """One background pass in this process: refresh every due profile (webui/domain/due.py)
    and send the webhook deliveries whose time has come (deliveries.py), the same code paths
    as the Celery tasks; print a one-line summary. Failures are recorded on their profiles
    and deliveries, not errors of the pass: the exit status is non-zero only when the pass
    could not run (e.g. the database is unreachable)."""
    try:
        summary = due.refresh_due()
        sent = deliveries.deliver_due()
    except SQLAlchemyError as exc:
        raise click.ClickException(f"refresh-due could not run: {type(exc).__name__}") from None
    click.echo(summary.line() + "; webhooks: " + (", ".join(
        f"{n} {outcome}" for outcome, n in sorted(sent.items())) or "none due"))
