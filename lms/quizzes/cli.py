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


@quizzes_cli.command("import-gift")
@click.argument("path")
@click.option("--dry-run", is_flag=True, help="Check the file only; write nothing.")
def import_gift(path: str, dry_run: bool) -> None:
    """Import GIFT questions from FILE (or every .gift file in a folder)."""
    from lms.quizzes.importer import import_questions, parse_gift_files

    session = db.new_session()
    try:
        items = parse_gift_files(_files(path, ".gift"))
        if dry_run:
            click.echo("dry run: nothing written")
        else:
            counts = import_questions(session, items, None, utcnow())
            session.commit()
            click.echo(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do")
    except InvalidFile as exc:
        session.rollback()
        fail([str(p) for p in exc.problems] + [f"{len(exc.problems)} problems; nothing imported"])
    finally:
        session.close()
    click.echo(f"{len(items)} questions")


@quizzes_cli.command("export-gift")
@click.argument("quiz_or_category")
@click.argument("file", type=click.Path(dir_okay=False))
def export_gift(quiz_or_category: str, file: str) -> None:
    """Write the questions of a quiz (by code) or of a category path (with subcategories) as GIFT."""
    from sqlalchemy import select

    from lms.quizzes import gift
    from lms.quizzes.models import Quiz
    from lms.quizzes.services import questions_in_category

    session = db.new_session()
    try:
        quiz = session.scalar(select(Quiz).where(Quiz.code == quiz_or_category))
        if quiz is not None:
            questions = {s.question.id: s.question for s in quiz.slots if s.question is not None}
            for slot in quiz.slots:
                if slot.category is not None:
                    questions.update({q.id: q for q in questions_in_category(session, slot.category.path)})
            chosen = list(questions.values())
        else:
            chosen = questions_in_category(session, quiz_or_category)
        if not chosen:
            fail(f"{quiz_or_category}:0: no quiz with this code and no questions in this category")
        Path(file).write_text(gift.export(chosen), encoding="utf-8")
    finally:
        session.close()
    click.echo(f"{len(chosen)} questions written to {file}")


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
    click.echo(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do")
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
