from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.db import db
from lms.errors import LmsError


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Back up the database to PATH (SQLite: online backup; PostgreSQL: pg_dump custom format)."""
    from lms.cli import fail
    from lms.ops.backup import backup, fingerprint

    try:
        backup(db.engine, Path(path))
    except LmsError as exc:
        fail(f"{path}:0: {exc.message}")
    tables = fingerprint(db.engine)
    click.echo(f"backup written to {path}: {len(tables)} tables, {sum(c for c, _ in tables.values())} rows")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (replaces the current data).")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """Restore the database from a backup made by `backup` (replaces the current data)."""
    from lms.cli import fail
    from lms.ops.backup import fingerprint, restore

    if not yes and not click.confirm(f"Replace the data in {db.engine.url.database} with {path}?"):
        fail("restore cancelled")
    try:
        restore(db.engine, Path(path))
    except LmsError as exc:
        fail(f"{path}:0: {exc.message}")
    tables = fingerprint(db.engine)
    click.echo(f"restored from {path}: {len(tables)} tables, {sum(c for c, _ in tables.values())} rows")


commands = [backup_command, restore_command]
