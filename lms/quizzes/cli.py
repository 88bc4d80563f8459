"""``flask --app lms quizzes ...``: GIFT import/export, quiz settings import, closing overdue attempts."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from lms.cli import fail
from lms.db import db, utcnow
from lms.errors import InvalidFile

quizzes_cli = AppGroup("quizzes", help="Question bank, quizzes and attempts.")


def _files(path: str, suffix: str) -> list[Path]:
    target = Path(path)
    if target.is_dir():
        return sorted(target.glob(f"*{suffix}"))
    if not target.is_file():
        fail(f"{path}:0: file not found")
    return [target]


def _counts_line(counts: dict[str, int]) -> str:
    """What an import did, e.g. ``2 created, 1 unchanged`` (statuses in alphabetical order)."""
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do"


def _import_checked(session, items: list, dry_run: bool) -> None:
    """Store questions that parsed without problems and print what was done; with --dry-run
    write nothing (both import commands)."""
    from lms.quizzes.importer import import_questions

    if dry_run:
        click.echo("dry run: nothing written")
        return
    counts = import_questions(session, items, None, utcnow())
    session.commit()
    click.echo(_counts_line(counts))


@quizzes_cli.command("import-gift")
@click.argument("path")
@click.option("--dry-run", is_flag=True, help="Check the file only; write nothing.")
def import_gift(path: str, dry_run: bool) -> None:
    """Import GIFT questions from FILE (or every .gift file in a folder)."""
    from lms.quizzes.importer import parse_gift_files

    session = db.new_session()
    try:
        items = parse_gift_files(_files(path, ".gift"))
        _import_checked(session, items, dry_run)
    except InvalidFile as exc:
        session.rollback()
        fail([str(p) for p in exc.problems] + [f"{len(exc.problems)} problems; nothing imported"])
    finally:
        session.close()
    click.echo(f"{len(items)} questions")


def _chosen(session, quiz_or_category: str) -> list:
    from lms.quizzes.bank_files import questions_for, quiz_by_code

    quiz = quiz_by_code(session, quiz_or_category)
    return questions_for(session, quiz, quiz_or_category)


def _export(quiz_or_category: str, file: str, fmt: str) -> None:
    from lms.quizzes.formats import writers

    session = db.new_session()
    try:
        chosen = _chosen(session, quiz_or_category)
        if not chosen:
            fail(f"{quiz_or_category}:0: no quiz with this code and no questions in this category")
        Path(file).write_text(writers()[fmt](chosen), encoding="utf-8")
        if fmt == "gift":
            from lms.quizzes.gift import image_warning

            if warning := image_warning(chosen):
                click.echo(warning, err=True)
    finally:
        session.close()
    click.echo(f"{len(chosen)} questions written to {file}")


@quizzes_cli.command("export-gift")
@click.argument("quiz_or_category")
@click.argument("file", type=click.Path(dir_okay=False))
def export_gift(quiz_or_category: str, file: str) -> None:
    """Write the questions of a quiz (by code) or of a category path (with subcategories) as GIFT."""
    _export(quiz_or_category, file, "gift")


@quizzes_cli.command("export")
@click.argument("quiz_or_category")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["gift", "xml"]), required=True, help="File format.")
def export_command(quiz_or_category: str, file: str, fmt: str) -> None:
    """Write the questions of a quiz (by code) or of a category path as GIFT or Moodle XML."""
    _export(quiz_or_category, file, fmt)


@quizzes_cli.command("import")
@click.argument("path")
@click.option(
    "--format", "fmt", type=click.Choice(["gift", "xml", "aiken"]), default=None,
    help="File format (default: from the suffix: .xml Moodle XML, .aiken Aiken, otherwise GIFT).",
)  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Check the file only; write nothing.")
@click.option("--skip-unsupported", is_flag=True, help="Skip (and list) questions of types we do not have.")
def import_command(path: str, fmt: str | None, dry_run: bool, skip_unsupported: bool) -> None:
    """Import questions from FILE (GIFT, Moodle XML or Aiken; or every such file in a folder)."""
    from lms.quizzes.formats import SUFFIXES, parse_files

    target = Path(path)
    if target.is_dir():
        wanted = {s for s, f in SUFFIXES.items() if fmt in (None, f)}
        files = sorted(p for p in target.iterdir() if p.suffix.lower() in wanted)
    else:
        files = _files(path, "")
    session = db.new_session()
    try:
        items, skipped = parse_files(files, fmt, skip_unsupported)
        for problem in skipped:
            click.echo(f"{problem} (skipped)")
        _import_checked(session, items, dry_run)
    except InvalidFile as exc:
        session.rollback()
        hint = (
            ["(use --skip-unsupported to skip questions of types we do not have)"]
            if any("chưa được hỗ trợ" in p.message for p in exc.problems)
            else []
        )
        fail([str(p) for p in exc.problems] + hint + [f"{len(exc.problems)} problems; nothing imported"])
    finally:
        session.close()
    click.echo(f"{len(items)} questions")


@quizzes_cli.command("import-settings")
@click.argument("path")
@click.option(
    "--unit", "unit_code", default="qn", show_default=True, help="Owner unit when the file names none."
)
def import_settings(path: str, unit_code: str) -> None:
    """Import quiz settings from a YAML file (or every .yaml file in a folder)."""
    from lms.quizzes.importer import import_quiz_files

    session = db.new_session()
    try:
        counts = import_quiz_files(session, _files(path, ".yaml"), unit_code, None, utcnow())
        session.commit()
    except InvalidFile as exc:
        session.rollback()
        fail([str(p) for p in exc.problems] + [f"{len(exc.problems)} problems; nothing imported"])
    finally:
        session.close()
    click.echo(_counts_line(counts))
    click.echo(f"{sum(counts.values())} quizzes")


@quizzes_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Close attempts whose time is up, grading what was saved."""
    from lms.quizzes.services import close_overdue

    session = db.new_session()
    try:
        closed = close_overdue(session, utcnow())
        session.commit()
    finally:
        session.close()
    click.echo(f"{closed} overdue attempts closed")


commands = [quizzes_cli]
