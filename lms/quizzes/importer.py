"""Loading content files: GIFT question banks and quiz settings (content/quizzes/*.yaml).

Everything is validated first; problems come back as ``FileProblem(path, line, message)``
and nothing is written when there is any (the caller rolls back)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import safe_yaml
from lms.errors import FileProblem, InvalidFile, LmsError
from lms.org.models import Unit
from lms.quizzes.models import GradingMethod, Navigation, Purpose, Question
from lms.quizzes.review_options import PARTS, parse_times
from lms.quizzes.services import QuestionInput, QuizInput, questions_in_category, save_question, save_quiz

CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KEYS = {
    "code", "title", "program", "purpose", "time_limit_minutes", "attempts_allowed", "grading_method",
    "pass_mark", "shuffle_questions", "shuffle_choices", "navigation", "review", "questions", "draws",
    "opens_at", "closes_at", "owner_unit",
}  # fmt: skip


def read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFile(
            [
                FileProblem(
                    str(path),
                    1,
                    _(
                        "tệp không phải UTF-8 (%(reason)s)",
                        reason=exc.reason,
                    ),
                )
            ]
        ) from None
    except OSError as exc:
        raise InvalidFile(
            [
                FileProblem(
                    str(path),
                    0,
                    _(
                        "không đọc được tệp: %(strerror)s",
                        strerror=exc.strerror,
                    ),
                )
            ]
        ) from None


def parse_gift_files(paths: list[Path]) -> list[QuestionInput]:
    from lms.quizzes.formats import parse_files

    return parse_files(paths, "gift")[0]


def import_questions(
    session: Session, items: list[QuestionInput], actor: Any, now: dt.datetime
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        _, status = save_question(session, actor, item, now)
        counts[status] = counts.get(status, 0) + 1
    return counts


@dataclasses.dataclass
class _Quiz:
    path: str
    item: QuizInput


def _lines(node: yaml.Node) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def _member(value: Any, enum: Any) -> bool:
    return isinstance(value, str) and value in enum.__members__


def _datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        # a time written without a zone is Vietnam time
        return value.replace(tzinfo=dt.timezone(dt.timedelta(hours=7))) if value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    raise ValueError


def parse_quiz_file(session: Session, path: Path, default_unit: str | None) -> tuple[QuizInput | None, list]:
    text = read_text(path)
    name = str(path)
    try:
        node = safe_yaml.compose(text)
        data = safe_yaml.construct(node)
    except yaml.YAMLError as exc:
        line = safe_yaml.problem_line(exc)
        return None, [
            FileProblem(
                name,
                line,
                _(
                    "YAML không hợp lệ: %(value)s",
                    value=safe_yaml.problem_text(exc),
                ),
            )
        ]
    if not isinstance(data, dict):
        return None, [FileProblem(name, 1, _("tệp phải là một bảng khóa: giá trị (code, title, ...)"))]
    lines = _lines(node)
    problems: list[FileProblem] = []

    def bad(key: str, message: str) -> None:
        problems.append(FileProblem(name, lines.get(key, 1), message))

    for key in data:
        if key not in KEYS:
            bad(key, f"khóa không hỗ trợ: {safe_yaml.short(key)}")
    for key in ("code", "title", "purpose"):
        if not data.get(key):
            problems.append(FileProblem(name, 1, _("thiếu %(key)s", key=key)))
    code = str(data.get("code") or "")
    if code and not CODE.match(code):
        bad("code", "code chỉ gồm chữ thường không dấu, số và dấu gạch ngang")
    if data.get("purpose") and not _member(data["purpose"], Purpose):
        bad("purpose", "purpose phải là practice, entrance, exit hoặc final")
    if not _member(data.get("grading_method", "highest"), GradingMethod):
        bad("grading_method", "grading_method phải là highest, last, first hoặc average")
    if not _member(data.get("navigation", "one_page"), Navigation):
        bad("navigation", "navigation phải là one_page hoặc paged")
    for key, low, high in (("time_limit_minutes", 1, 1440), ("attempts_allowed", 0, 100)):
        value = data.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high
        ):
            bad(key, f"{key} phải là số nguyên từ {low} đến {high}")
    pass_mark = data.get("pass_mark", 5.0)
    if not isinstance(pass_mark, int | float) or isinstance(pass_mark, bool) or not 0 <= pass_mark <= 10:
        bad("pass_mark", "pass_mark phải là số từ 0 đến 10")
    review = data.get("review") or {}
    if (
        not isinstance(review, dict)
        or set(review) - set(PARTS)
        or any(parse_times(value) is None for value in review.values())
    ):
        bad(
            "review",
            "review chỉ gồm score, right_answers, feedback; mỗi mục là true/false hoặc danh sách "
            "thời điểm trong [immediately, later, after_close]",
        )
        review = {}
    dates = {}
    for key in ("opens_at", "closes_at"):
        try:
            dates[key] = _datetime(data.get(key))
        except ValueError:
            bad(key, f"{key} phải là ngày giờ dạng 2026-12-01 08:00")
    questions = []
    for key in ("questions", "draws"):
        if not isinstance(data.get(key) or [], list):
            bad(key, f"{key} phải là một danh sách")
            data[key] = []
    for entry in data.get("questions") or []:
        qcode, points = (entry.get("code"), entry.get("points", 1)) if isinstance(entry, dict) else (entry, 1)
        if session.scalar(select(Question.id).where(Question.code == str(qcode))) is None:
            bad(
                "questions",
                f"không có câu hỏi mã {safe_yaml.short(qcode)} trong ngân hàng (nạp tệp .gift trước)",
            )
        elif not isinstance(points, int | float) or isinstance(points, bool) or not 0 < points <= 1000:
            bad("questions", f"điểm của câu {safe_yaml.short(qcode)} phải là số dương (tối đa 1000)")
        else:
            questions.append((str(qcode), float(points)))
    draws = []
    for entry in data.get("draws") or []:
        if (
            not isinstance(entry, dict)
            or not entry.get("category")
            or not isinstance(entry.get("count"), int)
            or isinstance(entry.get("count"), bool)
            or not isinstance(entry.get("points", 1), int | float)
            or isinstance(entry.get("points", 1), bool)
            or not 0 < entry.get("points", 1) <= 1000
        ):
            bad("draws", 'mỗi lượt rút cần {category: "Nhóm/Con", count: số}')
            continue
        available = len(questions_in_category(session, str(entry["category"])))
        if entry["count"] < 1 or available < entry["count"]:
            bad(
                "draws",
                f"nhóm {safe_yaml.short(entry['category'])} có {available} câu, "
                f"không đủ để rút {entry['count']}",
            )
            continue
        draws.append((str(entry["category"]), entry["count"], float(entry.get("points", 1))))
    if not questions and not draws and not problems:
        problems.append(FileProblem(name, 1, _("cần questions hoặc draws")))
    unit_code = data.get("owner_unit") or default_unit
    unit = session.scalar(select(Unit).where(Unit.code == str(unit_code))) if unit_code else None
    if unit is None:
        bad("owner_unit", f"không có đơn vị mã {safe_yaml.short(unit_code)}")
    if problems:
        return None, problems
    item = QuizInput(
        code=code,
        title=str(data["title"]),
        purpose=data["purpose"],
        owner_unit=unit,
        program_code=str(data["program"]) if data.get("program") else None,
        time_limit_minutes=data.get("time_limit_minutes"),
        opens_at=dates.get("opens_at"),
        closes_at=dates.get("closes_at"),
        attempts_allowed=data.get("attempts_allowed", 1),
        grading_method=data.get("grading_method", "highest"),
        pass_mark=float(pass_mark),
        shuffle_questions=bool(data.get("shuffle_questions", False)),
        shuffle_choices=bool(data.get("shuffle_choices", True)),
        navigation=data.get("navigation", "one_page"),
        review={"score": True, "right_answers": False, "feedback": True, **review},
        questions=questions,
        draws=draws,
    )
    return item, []


def import_quiz_files(
    session: Session, paths: list[Path], default_unit: str | None, actor: Any, now: dt.datetime
) -> dict[str, int]:
    parsed, problems = [], []
    for path in paths:
        item, found = parse_quiz_file(session, path, default_unit)
        problems += found
        if item:
            parsed.append(_Quiz(str(path), item))
    if problems:
        raise InvalidFile(problems)
    counts: dict[str, int] = {}
    for entry in parsed:
        try:
            _, status = save_quiz(session, actor, entry.item, now)
        except LmsError as exc:
            raise InvalidFile([FileProblem(entry.path, 1, exc.message)]) from None
        counts[status] = counts.get(status, 0) + 1
    return counts
