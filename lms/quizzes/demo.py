"""Demo content: every content/quizzes/*.gift, then the quiz settings (owner unit ``qn``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from lms.db import utcnow
from lms.paths import content_dir
from lms.quizzes.importer import import_questions, import_quiz_files, parse_gift_files

CONTENT = content_dir() / "quizzes"


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"


def load_content(session: Session, folder: Path = CONTENT) -> str:
    """Idempotent: questions and quizzes are keyed by code; unchanged ones are left alone."""
    if not folder.is_dir():
        return "quizzes: no content/quizzes folder"
    now = utcnow()
    items = parse_gift_files(sorted(folder.glob("*.gift")))
    questions = import_questions(session, items, None, now)
    session.flush()
    quizzes = import_quiz_files(session, sorted(folder.glob("*.yaml")), "qn", None, now)
    return (
        f"quizzes: {len(items)} questions ({_summary(questions)}); "
        f"{sum(quizzes.values())} quizzes ({_summary(quizzes)})"
    )
