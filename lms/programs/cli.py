"""``flask --app lms content import PATH [--dry-run]`` and ``content export PATH``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from lms.db import db, utcnow
from lms.errors import InvalidFile

content_cli = AppGroup("content", help="Programs and topics in files (content/).")


@content_cli.command("import")
@click.argument("path", type=click.Path())
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
def import_command(path: str, dry_run: bool) -> None:
    """Validate every program and topic under PATH, then import them (nothing on any error)."""
    from lms.cli import fail
    from lms.programs.content_files import import_content

    session = db.new_session()
    try:
        summary = import_content(session, Path(path), dry_run=dry_run, now=utcnow())
        if dry_run:
            session.rollback()
            for kind, code, action in summary.changes:
                click.echo(f"{kind} {code}: {action}")
        else:
            session.commit()
            _say_recompute(session)
    except InvalidFile as exc:
        session.rollback()
        fail([str(p) for p in exc.problems] + [f"{len(exc.problems)} problems; nothing imported"])
    finally:
        session.close()
    click.echo(("dry run: " if dry_run else "") + summary.line())


def _say_recompute(session) -> None:
    """A program whose evaluation weights changed: its open records are recomputed by a job."""
    from lms.jobs.hooks import asked_jobs

    for public_id, kind, params in asked_jobs(session):
        if kind == "recompute":
            click.echo(
                f"evaluation: records of {params['program_code']} are recomputed by job {public_id}"
                " (the job worker runs it; without one: flask --app lms jobs run-pending,"
                " or flask --app lms evaluation recompute)"
            )


@content_cli.command("export")
@click.argument("path", type=click.Path(file_okay=False))
def export_command(path: str) -> None:
    """Write programs and the latest published topics under PATH (programs/, topics/)."""
    from lms.programs.content_files import export_content

    session = db.new_session()
    try:
        programs, topics = export_content(session, Path(path))
    finally:
        session.close()
    click.echo(f"exported {programs} programs, {topics} topics to {path}")


commands = [content_cli]
