"""The quiz builder: a quiz's settings and its slots, edited on the web (issue #14 item 5).

Plain functions (session, actor and clock come in; they flush, never commit), every change
audited. The same rules as the YAML importer (``quiz_rules.save_quiz``) apply, plus Moodle's
lock: once a quiz has attempts its slots (questions, order, points) no longer change, and the
settings that decide a recorded grade (purpose, program, unit, code, grading method, pass mark)
are refused; the other settings (title, times, attempts, shuffles, navigation, review options)
apply to the attempts started after the change and make a new quiz version.

A change made here clears ``Quiz.settings_digest``: importing the quiz's YAML file again then
applies the file (the importer would otherwise see its old digest and report "unchanged").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import random
import re

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from lms import audit
from lms.db import fold_key
from lms.errors import Conflict, LmsError, NotFound
from lms.org.models import Unit
from lms.quizzes.attempts import draw_questions
from lms.quizzes.bank import get_category, normalize_category_path, questions_in_category
from lms.quizzes.models import (
    Attempt,
    GradingMethod,
    Navigation,
    Purpose,
    Question,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizSlot,
)
from lms.quizzes.qtypes import get_type

CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # as the YAML importer's
CODE_MAX = 80  # Quiz.code
POINTS_MAX = 1000  # as the YAML importer's
TWO = decimal.Decimal("0.01")

# settings that decide a grade already recorded: refused once the quiz has attempts
GRADED = ("code", "purpose", "program_code", "owner_unit_id", "grading_method", "pass_mark")


@dataclasses.dataclass
class QuizSettings:
    """What the settings form edits. Times are UTC (the view converts from Vietnam time)."""

    title: str
    code: str
    purpose: Purpose
    owner_unit_id: int
    program_code: str | None = None
    time_limit_minutes: int | None = None
    attempts_allowed: int = 1
    grading_method: GradingMethod = GradingMethod.highest
    pass_mark: decimal.Decimal = decimal.Decimal("5.00")
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    shuffle_questions: bool = False
    shuffle_choices: bool = True
    navigation: Navigation = Navigation.one_page
    review_score_when: int = 7
    review_right_answers_when: int = 0
    review_feedback_when: int = 7

    @classmethod
    def of(cls, quiz: Quiz) -> QuizSettings:
        return cls(**{f.name: getattr(quiz, f.name) for f in dataclasses.fields(cls)})


class SettingsRefused(LmsError):
    """Settings that cannot be saved: ``errors`` maps a form field name to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def code_from_title(title: str) -> str:
    """«Kiểm tra đầu vào — Khóa 1» → "kiem-tra-dau-vao-khoa-1" (a code the importer accepts)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_key(title)).strip("-")
    return (slug or "bai-kiem-tra")[:CODE_MAX].rstrip("-")


def free_code(session: Session, title: str) -> str:
    """A code from the title that no quiz has yet ("...-2", "...-3" when taken)."""
    base = code_from_title(title)
    code, n = base, 1
    while session.scalar(select(exists().where(Quiz.code == code))):
        n += 1
        suffix = f"-{n}"
        code = base[: CODE_MAX - len(suffix)].rstrip("-") + suffix
    return code


def has_attempts(session: Session, quiz: Quiz) -> bool:
    return bool(session.scalar(select(exists().where(Attempt.quiz_id == quiz.id))))


def _check(session: Session, quiz: Quiz | None, s: QuizSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not s.title.strip():
        errors["title"] = _("Nhập tên bài kiểm tra.")
    if not CODE.match(s.code or "") or len(s.code) > CODE_MAX:
        errors["code"] = _("Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang (tối đa 80 ký tự).")
    elif session.scalar(
        select(exists().where(Quiz.code == s.code, Quiz.id != (quiz.id if quiz is not None else -1)))
    ):
        errors["code"] = _("Mã này đã có bài kiểm tra khác dùng; hãy chọn mã khác.")
    if s.time_limit_minutes is not None and not 0 <= s.time_limit_minutes <= 1440:
        errors["time_limit_minutes"] = _("Thời gian làm bài là số phút từ 0 đến 1440.")
    if not 0 <= s.attempts_allowed <= 100:
        errors["attempts_allowed"] = _("Số lần làm bài là số từ 0 đến 100 (0 = không giới hạn).")
    if not 0 <= s.pass_mark <= 10:
        errors["pass_mark"] = _("Điểm đạt là số từ 0 đến 10.")
    if s.opens_at and s.closes_at and s.closes_at <= s.opens_at:
        errors["closes_at"] = _("Thời điểm đóng phải sau thời điểm mở.")
    if session.get(Unit, s.owner_unit_id) is None:
        errors["owner_unit_id"] = _("Chọn đơn vị quản lý bài kiểm tra.")
    return errors


def _apply(quiz: Quiz, s: QuizSettings) -> None:
    for f in dataclasses.fields(QuizSettings):
        setattr(quiz, f.name, getattr(s, f.name))
    quiz.title = s.title.strip()
    quiz.time_limit_minutes = s.time_limit_minutes or None  # 0 = no limit
    quiz.pass_mark = decimal.Decimal(str(s.pass_mark)).quantize(TWO)
    quiz.settings_digest = ""  # edited on the web: a YAML import of the quiz applies its file again


def _audit_values(s: QuizSettings) -> dict:
    return {f.name: getattr(s, f.name) for f in dataclasses.fields(QuizSettings)}


def create_quiz(session: Session, actor, settings: QuizSettings, now: dt.datetime) -> Quiz:
    """A new quiz without questions yet (a learner cannot start it until it has some)."""
    errors = _check(session, None, settings)
    if errors:
        raise SettingsRefused(errors)
    quiz = Quiz(version=1, created_at=now)
    _apply(quiz, settings)
    session.add(quiz)
    session.flush()
    audit.record(
        session, actor, "quiz.created", "quiz", quiz.id, after=_audit_values(settings), now=now,
        note="builder",
    )  # fmt: skip
    return quiz


def update_settings(session: Session, actor, quiz: Quiz, settings: QuizSettings, now: dt.datetime) -> bool:
    """Save the settings; False when nothing changed. With attempts, the settings of ``GRADED``
    are refused and any other change makes a new quiz version (attempts keep theirs)."""
    errors = _check(session, quiz, settings)
    before = QuizSettings.of(quiz)
    settings.pass_mark = decimal.Decimal(str(settings.pass_mark)).quantize(TWO)
    settings.time_limit_minutes = settings.time_limit_minutes or None
    settings.title = settings.title.strip()
    used = has_attempts(session, quiz)
    if used:
        for name in GRADED:
            if getattr(settings, name) != getattr(before, name):
                errors.setdefault(
                    name, _("Bài kiểm tra đã có bài làm: không đổi được mục này (nó quyết định điểm đã ghi).")
                )
    if errors:
        raise SettingsRefused(errors)
    changed = {
        f.name: (getattr(before, f.name), getattr(settings, f.name))
        for f in dataclasses.fields(QuizSettings)
        if getattr(before, f.name) != getattr(settings, f.name)
    }
    if not changed:
        return False
    _apply(quiz, settings)
    if used:
        quiz.version += 1
    session.flush()
    session.expire(quiz, ["owner_unit"])
    audit.record(
        session,
        actor,
        "quiz.updated",
        "quiz",
        quiz.id,
        before={k: v[0] for k, v in changed.items()},
        after={**{k: v[1] for k, v in changed.items()}, "version": quiz.version},
        note="builder",
        now=now,
    )
    return True


# --- slots ---------------------------------------------------------------------------------


def _unlocked(session: Session, quiz: Quiz) -> None:
    if has_attempts(session, quiz):
        raise Conflict(
            _(
                "Bài kiểm tra đã có bài làm nên không thêm, bớt, đổi thứ tự hay đổi điểm câu hỏi được "
                "(điểm đã chấm phải giữ nguyên). Hãy tạo bài kiểm tra mới nếu cần đề khác."
            )
        )


@dataclasses.dataclass
class Row:
    """One row of the questions page: a fixed question, or consecutive random draws from the same
    category with the same points ("Ngẫu nhiên N câu từ ..."). Its tools act on the whole row."""

    slots: list[QuizSlot]

    @property
    def id(self) -> int:
        return self.slots[0].id

    @property
    def question(self) -> Question | None:
        return self.slots[0].question

    @property
    def category(self) -> QuestionCategory | None:
        return self.slots[0].category

    @property
    def count(self) -> int:
        return len(self.slots)

    @property
    def points(self) -> float:
        return self.slots[0].points

    @property
    def positions(self) -> str:
        first, last = self.slots[0].position, self.slots[-1].position
        return str(first) if first == last else f"{first}–{last}"


def rows(quiz: Quiz) -> list[Row]:
    out: list[Row] = []
    for slot in quiz.slots:
        last = out[-1].slots[-1] if out else None
        if (
            last is not None
            and slot.category_id is not None
            and last.category_id == slot.category_id
            and abs(last.points - slot.points) < 1e-9
        ):
            out[-1].slots.append(slot)
        else:
            out.append(Row([slot]))
    return out


def _row(quiz: Quiz, slot_id: int) -> tuple[list[Row], int]:
    """The rows of the quiz and the index of the one holding ``slot_id``."""
    found = rows(quiz)
    index = next((n for n, row in enumerate(found) if any(s.id == slot_id for s in row.slots)), None)
    if index is None:
        raise NotFound(_("Không có câu này trong bài kiểm tra."))
    return found, index


def _renumber(session: Session, quiz: Quiz, ordered: list[QuizSlot]) -> None:
    """Positions 1..n in this order; through negative ones, so (quiz, position) stays unique."""
    for n, slot in enumerate(ordered, start=1):
        slot.position = -n
    session.flush()
    for n, slot in enumerate(ordered, start=1):
        slot.position = n
    session.flush()
    session.expire(quiz, ["slots"])


def _record(session, actor, quiz, action: str, now: dt.datetime, **after) -> None:
    quiz.settings_digest = ""
    session.flush()
    audit.record(session, actor, action, "quiz", quiz.id, after=after, note="builder", now=now)


def _points(value) -> float:
    try:
        points = float(value)
    except (TypeError, ValueError):
        points = 0.0
    if not 0 < points <= POINTS_MAX:
        raise LmsError(_("Điểm của một câu là số lớn hơn 0 và không quá %(n)s.", n=POINTS_MAX))
    return round(points, 4)


def add_questions(
    session: Session, actor, quiz: Quiz, questions: list[Question], now: dt.datetime
) -> list[Question]:
    """Add these bank questions at the end, each with its default points; the ones the quiz
    already holds are skipped. Returns the questions added."""
    _unlocked(session, quiz)
    held = {s.question_id for s in quiz.slots if s.question_id}
    position = max((s.position for s in quiz.slots), default=0)
    added = []
    for question in questions:
        if question.id in held:
            continue
        held.add(question.id)
        position += 1
        quiz.slots.append(
            QuizSlot(position=position, question=question, points=question.latest.default_points)
        )
        added.append(question)
    if added:
        _record(session, actor, quiz, "quiz.slots_added", now, questions=[q.code for q in added])
    return added


def drawable(session: Session, quiz: Quiz, path: str) -> int:
    """How many more random draws ``path`` (subcategories included) can feed in this quiz: its
    questions that can be drawn (not descriptions, not fixed in the quiz), less the draws from
    the same category already there."""
    held = {s.question_id for s in quiz.slots if s.question_id}
    pool = [
        q
        for q in questions_in_category(session, path)
        if q.id not in held and not get_type(q.latest.qtype, {}).informational
    ]
    drawn = sum(1 for s in quiz.slots if s.category is not None and s.category.path == path)
    return len(pool) - drawn


def add_random(session: Session, actor, quiz: Quiz, path: str, count: int, points, now: dt.datetime) -> None:
    """``count`` random draws from a category (subcategories included), at the end."""
    _unlocked(session, quiz)
    path = normalize_category_path(path)
    points = _points(points)
    if not questions_in_category(session, path):
        raise NotFound(_("Không có nhóm câu hỏi này."))
    available = drawable(session, quiz, path)
    if count < 1 or count > available:
        raise LmsError(
            _("Nhóm «%(path)s» chỉ còn %(n)s câu để rút ngẫu nhiên.", path=path, n=max(available, 0))
        )
    category = get_category(session, path, create=True)  # a parent path may have no row yet
    position = max((s.position for s in quiz.slots), default=0)
    for n in range(1, count + 1):
        quiz.slots.append(QuizSlot(position=position + n, category=category, points=points))
    _record(session, actor, quiz, "quiz.slots_added", now, category=path, count=count)


def move_slot(session: Session, actor, quiz: Quiz, slot_id: int, step: int, now: dt.datetime) -> bool:
    """Move the row holding ``slot_id`` one row up (step -1) or down (+1); False at either end."""
    _unlocked(session, quiz)
    found, index = _row(quiz, slot_id)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(found):
        return False
    found[index], found[target] = found[target], found[index]
    _renumber(session, quiz, [slot for row in found for slot in row.slots])
    _record(session, actor, quiz, "quiz.slot_moved", now, slot=slot_id, row=target + 1)
    return True


def remove_slot(session: Session, actor, quiz: Quiz, slot_id: int, now: dt.datetime) -> None:
    """Remove the row holding ``slot_id`` (a question, or the whole random draw)."""
    _unlocked(session, quiz)
    found, index = _row(quiz, slot_id)
    row = found.pop(index)
    what = row.question.code if row.question is not None else f"random:{row.category.path}x{row.count}"
    for slot in row.slots:
        quiz.slots.remove(slot)
    session.flush()
    _renumber(session, quiz, [slot for r in found for slot in r.slots])
    _record(session, actor, quiz, "quiz.slot_removed", now, slot=slot_id, what=what)


def set_points(session: Session, actor, quiz: Quiz, slot_id: int, points, now: dt.datetime) -> bool:
    """The points of each question of the row holding ``slot_id``; False when unchanged."""
    _unlocked(session, quiz)
    found, index = _row(quiz, slot_id)
    row = found[index]
    points = _points(points)
    if abs(row.points - points) < 1e-9:
        return False
    before = row.points
    for slot in row.slots:
        slot.points = points
    _record(
        session,
        actor,
        quiz,
        "quiz.slot_points",
        now,
        slot=slot_id,
        count=row.count,
        before=before,
        points=points,
    )
    return True


def total_points(quiz: Quiz) -> float:
    """The most a paper can score: a description counts 0 in an attempt, so here too."""
    return round(
        sum(
            s.points
            for s in quiz.slots
            if s.question is None or not get_type(s.question.latest.qtype, {}).informational
        ),
        4,
    )


# --- what the questions page and the previews read -------------------------------------------


def category_counts(session: Session) -> list[tuple[str, int]]:
    """Every category, and every parent of one (a GIFT path may name "A/B" without "A"), with
    the number of questions in it and its subcategories, sorted by path."""
    own = dict(
        session.execute(
            select(QuestionCategory.path, func.count(Question.id))
            .outerjoin(Question, Question.category_id == QuestionCategory.id)
            .group_by(QuestionCategory.path)
        ).all()
    )
    paths = set(own)
    for path in own:
        parts = path.split("/")
        paths.update("/".join(parts[:n]) for n in range(1, len(parts)))
    return [
        (path, sum(n for p, n in own.items() if p == path or p.startswith(path + "/")))
        for path in sorted(paths)
    ]


def category_questions(session: Session, path: str, text: str = "") -> list[Question]:
    """The questions of one category (not its subcategories) whose code or title contains
    ``text`` (diacritics and case folded)."""
    questions = questions_in_category(session, path, with_children=False)
    needle = fold_key(text)
    if needle:
        questions = [q for q in questions if needle in fold_key(f"{q.code} {q.latest.title}")]
    return questions


def preview_paper(session: Session, quiz: Quiz) -> list[tuple[QuestionVersion, float, list]]:
    """A paper as a learner would get it (random draws, shuffles), drawn for this preview only:
    nothing is stored. The drawn versions as ORM objects: the preview renders them whole."""
    paper = draw_questions(session, random.SystemRandom().randrange(1, 2**31), quiz)
    ids = [drawn.id for drawn, _, _ in paper]
    versions = {v.id: v for v in session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    return [(versions[drawn.id], points, order) for drawn, points, order in paper]
