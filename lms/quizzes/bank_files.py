"""Question-bank files through the web (and the CLI): checking an upload, previewing what it
would import (the count and every problem, before anything is written), importing, and choosing
the questions to export (a category with its subcategories, or a quiz)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.errors import FileProblem, LmsError
from lms.quizzes.formats import SUFFIXES, parse_text, writers
from lms.quizzes.importer import import_questions
from lms.quizzes.models import Question, Quiz
from lms.quizzes.services import QuestionInput, questions_in_category

MAX_BYTES = 2 * 1024 * 1024  # a bank of a few thousand questions; big image banks go through the CLI
UPLOAD_SUFFIXES = {".gift", ".txt", ".xml", ".aiken"}
FORMATS = ("gift", "xml", "aiken")
MIMETYPES = {"gift": "text/plain; charset=utf-8", "xml": "application/xml; charset=utf-8"}
EXTENSIONS = {"gift": "gift", "xml": "xml"}


@dataclasses.dataclass
class Preview:
    filename: str
    fmt: str
    text: str
    items: list[QuestionInput]
    problems: list[FileProblem]
    skipped: list[FileProblem]

    @property
    def has_unsupported(self) -> bool:
        return any("chưa được hỗ trợ" in p.message for p in self.problems)

    @property
    def by_type(self) -> list[tuple[str, int]]:
        return sorted(Counter(item.qtype for item in self.items).items())

    @property
    def by_category(self) -> list[tuple[str, int]]:
        return sorted(Counter(item.category for item in self.items).items())


def decode_upload(filename: str, data: bytes) -> str:
    """The upload as text, or LmsError: wrong extension, too big, not UTF-8, not text."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise LmsError(_("Chỉ nhận tệp .gift, .txt (GIFT hoặc Aiken), .xml (Moodle XML) hoặc .aiken."))
    if len(data) > MAX_BYTES:
        raise LmsError(_("Tệp lớn quá %(value)s MB.", value=MAX_BYTES // (1024 * 1024)))
    if not data.strip():
        raise LmsError(_("Tệp trống."))
    if b"\x00" in data:
        raise LmsError(_("Tệp không phải văn bản (có byte 0)."))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LmsError(
            _("Tệp không phải UTF-8 (%(reason)s, byte %(start)s).", reason=exc.reason, start=exc.start)
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def guess(filename: str, text: str, fmt: str | None) -> str:
    if fmt in FORMATS:
        return fmt
    suffix = Path(filename or "").suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    return "xml" if text.lstrip().startswith("<") else "gift"


def preview(filename: str, text: str, fmt: str | None, skip_unsupported: bool) -> Preview:
    """What the file would import, and every problem (nothing is written)."""
    chosen = guess(filename, text, fmt)
    name = Path(filename or "tệp").name
    items, problems, skipped = parse_text(text, name, chosen, skip_unsupported)
    seen: dict[str, int] = {}
    for item in items:
        seen[item.code] = seen.get(item.code, 0) + 1
    for code, n in seen.items():
        if n > 1:
            problems.append(
                FileProblem(
                    name,
                    0,
                    _(
                        "mã câu hỏi %(code)s xuất hiện %(n)s lần",
                        code=repr(code),
                        n=n,
                    ),
                )
            )
    return Preview(name, chosen, text, items, problems, skipped)


def run_import(session: Session, actor: Any, result: Preview, now: dt.datetime) -> dict[str, int]:
    if result.problems:
        raise LmsError(_("Tệp còn lỗi; chưa nhập câu hỏi nào."))
    return import_questions(session, result.items, actor, now)


def questions_for(session: Session, quiz: Quiz | None = None, category: str = "") -> list[Question]:
    """The questions of a quiz (its fixed questions and the categories it draws from) or of a
    category path with its subcategories."""
    if quiz is None:
        try:
            return questions_in_category(session, category)
        except LmsError:
            return []
    questions = {s.question.id: s.question for s in quiz.slots if s.question is not None}
    for slot in quiz.slots:
        if slot.category is not None:
            questions.update({q.id: q for q in questions_in_category(session, slot.category.path)})
    return sorted(questions.values(), key=lambda q: (q.category.path, q.code))


def quiz_by_code(session: Session, code: str) -> Quiz | None:
    return session.scalar(select(Quiz).where(Quiz.code == code))


def export_text(questions: list[Question], fmt: str) -> str:
    return writers()[fmt](questions)
