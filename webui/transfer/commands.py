"""``flask --app app export FILE`` and ``flask --app app import FILE`` (and ``--from-hdp``).

The passphrase is prompted for, or read from TRANSFER_PASSPHRASE (for scripts; an option on
the command line would show in the process list). Progress goes to stderr; a dry run's list
of changes to stdout. Exit status 1 on any refusal, with nothing written.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from webui.infra.cipher import UndecryptableSecret
from webui.transfer import bundle, hdp, restore, snapshot

PASSPHRASE_ENV = "TRANSFER_PASSPHRASE"


def _progress(kind: str, count: int) -> None:
    click.echo(f"  {kind}: {count}", err=True)


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True)


def _write_private(path: Path, data: bytes) -> None:
    """Written whole or not at all (a temporary file renamed), readable by its owner only."""
    temporary = path.with_name(path.name + ".partial")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(temporary, path)


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_command(file: Path) -> None:
    """Write roles, users (password hashes), applications and profiles (secrets) to FILE,
    encrypted under a passphrase (prompted, or TRANSFER_PASSPHRASE)."""
    passphrase = _passphrase(confirm=True)
    click.echo("Reading:", err=True)
    try:
        data = snapshot.take(_progress)
        sealed = bundle.seal(data, passphrase)
    except (UndecryptableSecret, bundle.BundleError) as exc:
        raise click.ClickException(str(exc)) from None
    _write_private(file, sealed)
    click.echo(f"Exported {len(data['users'])} users, {len(data['applications'])} "
               f"applications and {len(data['profiles'])} profiles to {file}.", err=True)


def _read_snapshot(files: tuple[Path, ...], from_hdp: bool, owner: str | None) -> dict:
    if from_hdp:
        try:
            documents = [json.loads(f.read_bytes()) for f in files]
            return hdp.to_snapshot(documents, owner)
        except (ValueError, hdp.HdpShapeError) as exc:
            raise click.ClickException(f"Not HDP's JSON: {exc}") from None
    if len(files) != 1:
        raise click.UsageError("An export is one FILE (several only with --from-hdp).")
    data = files[0].read_bytes()
    if not bundle.is_bundle(data):
        raise click.ClickException("This is not an export of this product "
                                   "(HDP's JSON needs --from-hdp).")
    try:
        return bundle.open_bundle(data, _passphrase(confirm=False))
    except bundle.BundleError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="List what would be created, updated or "
              "skipped; write nothing.")
@click.option("--from-hdp", is_flag=True, help="FILES are HDP API answers "
              "({\"applications\": [...]}, {\"profiles\": [...]}), secrets in clear.")
@click.option("--owner", help="With --from-hdp: the user the profiles belong to.")
def import_command(files: tuple[Path, ...], dry_run: bool, from_hdp: bool,
                   owner: str | None) -> None:
    """Restore an export (or HDP's JSON) into this installation, in one transaction: objects
    are matched by name; created, updated (the file wins) or skipped when equal."""
    data = _read_snapshot(files, from_hdp, owner)
    click.echo("Restoring:", err=True)
    outcome = restore.restore(data, dry_run=dry_run, progress=_progress)
    if dry_run:
        for action, kind, name in outcome.changes:
            click.echo(f"{action} {kind} {name}")
    if outcome.conflicts:
        raise click.ClickException("Nothing was imported; conflicts:\n  "
                                   + "\n  ".join(outcome.conflicts))
    verb = "Would create" if dry_run else "Created"
    click.echo(f"{verb} {outcome.count('create')}, updated {outcome.count('update')}, "
               f"skipped {outcome.count('skip')}"
               + (" (dry run: nothing written)." if dry_run else "."), err=True)
