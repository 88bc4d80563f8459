"""Quizzes and the rules a learner meets: settings, overrides, who may take what, lookups by public id."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import hashlib
import json
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, literal, select
from sqlalchemy.orm import Session

from lms import audit
from lms.auth.models import User
from lms.db import get_by_public_id
from lms.errors import LmsError, NotFound
from lms.org.models import Unit
from lms.quizzes.bank import get_category, questions_in_category
from lms.quizzes.models import (
    Attempt,
    AttemptState,
    GradingMethod,
    Navigation,
    Purpose,
    Question,
    Quiz,
    QuizOverride,
    QuizSlot,
)
from lms.quizzes.review_options import ALWAYS, NEVER, review_mask

TWO = decimal.Decimal("0.01")

# --- quizzes -------------------------------------------------------------------------------


@dataclasses.dataclass
class QuizInput:
    code: str
    title: str
    purpose: str
    owner_unit: Unit
    program_code: str | None = None
    time_limit_minutes: int | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    attempts_allowed: int = 1
    grading_method: str = "highest"
    pass_mark: float = 5.0
    shuffle_questions: bool = False
    shuffle_choices: bool = True
    navigation: str = "one_page"
    review: dict = dataclasses.field(
        default_factory=lambda: {"score": True, "right_answers": False, "feedback": True}
    )
    questions: list[tuple[str, float]] = dataclasses.field(default_factory=list)  # (code, points)
    draws: list[tuple[str, int, float]] = dataclasses.field(default_factory=list)  # (category, count, points)


def _digest(item: QuizInput) -> str:
    raw = {field.name: getattr(item, field.name) for field in dataclasses.fields(item)}
    raw["owner_unit"] = item.owner_unit.id  # not asdict(): it would deep-copy the ORM object
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


def save_quiz(session: Session, actor: Any, item: QuizInput, now: dt.datetime) -> tuple[Quiz, str]:
    """Create or update a quiz by code. A quiz that already has attempts gets a new version
    number (attempts keep their own copy of the questions, so nothing they saw changes)."""
    if item.closes_at and item.opens_at and item.closes_at <= item.opens_at:
        raise LmsError(_("Thời điểm đóng phải sau thời điểm mở."))
    slots = []
    for code, points in item.questions:
        question = session.scalar(select(Question).where(Question.code == code))
        if question is None:
            raise NotFound(_("Không có câu hỏi mã %(code)s trong ngân hàng.", code=repr(code)))
        slots.append(QuizSlot(question=question, points=points))
    for path, count, points in item.draws:
        available = len(questions_in_category(session, path))
        if available < count:
            raise LmsError(
                _(
                    "Nhóm %(path)s có %(available)s câu hỏi, không đủ để rút %(count)s câu.",
                    path=repr(path),
                    available=available,
                    count=count,
                )
            )
        category = get_category(session, path, create=True)  # a parent path may have no row yet
        slots += [QuizSlot(category=category, points=points) for _ in range(count)]
    if not slots:
        raise LmsError(_("Đề kiểm tra cần ít nhất một câu hỏi."))
    digest = _digest(item)
    quiz = session.scalar(select(Quiz).where(Quiz.code == item.code))
    status = "created"
    if quiz is not None:
        if quiz.settings_digest == digest:
            return quiz, "unchanged"
        has_attempts = session.scalar(select(exists().where(Attempt.quiz_id == quiz.id)))
        quiz.version += 1 if has_attempts else 0
        quiz.slots.clear()
        session.flush()
        status = "updated"
    else:
        quiz = Quiz(code=item.code, version=1)
        session.add(quiz)
    quiz.title, quiz.purpose, quiz.program_code = item.title, Purpose(item.purpose), item.program_code
    quiz.owner_unit = item.owner_unit
    quiz.time_limit_minutes, quiz.opens_at, quiz.closes_at = (
        item.time_limit_minutes,
        item.opens_at,
        item.closes_at,
    )
    quiz.attempts_allowed, quiz.grading_method = item.attempts_allowed, GradingMethod(item.grading_method)
    quiz.pass_mark = decimal.Decimal(str(item.pass_mark)).quantize(TWO)
    quiz.shuffle_questions, quiz.shuffle_choices = item.shuffle_questions, item.shuffle_choices
    quiz.navigation = Navigation(item.navigation)
    quiz.review_score_when = review_mask(item.review, "score", ALWAYS)
    quiz.review_right_answers_when = review_mask(item.review, "right_answers", NEVER)
    quiz.review_feedback_when = review_mask(item.review, "feedback", ALWAYS)
    quiz.settings_digest = digest
    for position, slot in enumerate(slots, start=1):
        slot.position = position
        quiz.slots.append(slot)
    session.flush()
    audit.record(
        session,
        actor,
        f"quiz.{status}",
        "quiz",
        quiz.id,
        after={"code": quiz.code, "version": quiz.version},
        now=now,
    )
    return quiz, status


def set_override(
    session: Session,
    actor: Any,
    quiz: Quiz,
    user: User,
    *,
    time_limit_minutes: int | None,
    attempts_allowed: int | None,
    closes_at: dt.datetime | None,
    now: dt.datetime,
) -> QuizOverride:
    override = session.scalar(
        select(QuizOverride).where(QuizOverride.quiz_id == quiz.id, QuizOverride.user_id == user.id)
    ) or QuizOverride(quiz_id=quiz.id, user_id=user.id)
    override.time_limit_minutes, override.attempts_allowed = time_limit_minutes, attempts_allowed
    override.closes_at = closes_at
    session.add(override)
    session.flush()
    audit.record(
        session,
        actor,
        "quiz.override",
        "quiz",
        quiz.id,
        now=now,
        after={
            "user": user.username,
            "time_limit": time_limit_minutes,
            "attempts": attempts_allowed,
            "closes_at": closes_at,
        },
    )
    return override


def close_now(session: Session, actor: Any, quiz: Quiz, now: dt.datetime) -> bool:
    """An instructor ends the exam now: the close time becomes now (overrides that reach later
    stay: a learner given more time keeps it) and open attempts get ``now`` as their deadline,
    so they are submitted with what was saved (lazily or by the minute sweep, after the
    autosave grace). False when the quiz was already closed."""
    if quiz.closes_at is not None and quiz.closes_at <= now:
        return False
    before = {"closes_at": quiz.closes_at}
    quiz.closes_at = now
    later_overrides = select(QuizOverride.user_id).where(
        QuizOverride.quiz_id == quiz.id, QuizOverride.closes_at > now
    )
    open_attempts = session.scalars(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id,
            Attempt.state == AttemptState.open,
            Attempt.user_id.not_in(later_overrides),
        )
    ).all()
    for attempt in open_attempts:
        attempt.deadline = min(attempt.deadline, now) if attempt.deadline else now
    session.flush()
    audit.record(
        session,
        actor,
        "quiz.closed",
        "quiz",
        quiz.public_id,
        before=before,
        after={"closes_at": now, "open_attempts": len(open_attempts)},
        now=now,
    )
    return True


@dataclasses.dataclass
class Rules:
    """The settings that apply to one learner (quiz settings with their override)."""

    time_limit_minutes: int | None
    attempts_allowed: int
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None

    @classmethod
    def of(cls, quiz: Quiz) -> Rules:
        """The quiz's own settings: those of a learner with no override."""
        return cls(quiz.time_limit_minutes, quiz.attempts_allowed, quiz.opens_at, quiz.closes_at)

    def is_open(self, now: dt.datetime) -> bool:
        return (self.opens_at is None or self.opens_at <= now) and (
            self.closes_at is None or now < self.closes_at
        )


def rules_for(session: Session, quiz: Quiz, user: User) -> Rules:
    override = session.scalar(
        select(QuizOverride).where(QuizOverride.quiz_id == quiz.id, QuizOverride.user_id == user.id)
    )
    rules = Rules.of(quiz)
    if override:
        if override.time_limit_minutes is not None:
            rules.time_limit_minutes = override.time_limit_minutes or None
        if override.attempts_allowed is not None:
            rules.attempts_allowed = override.attempts_allowed
        if override.closes_at is not None:
            rules.closes_at = override.closes_at
    return rules


def quizzes_for_learner(session: Session, user: User) -> list[Quiz]:
    """Quizzes owned by the learner's unit or any unit above it, that have questions (a quiz
    the builder has just made has none yet)."""
    return list(
        session.scalars(
            select(Quiz)
            .join(Quiz.owner_unit)
            .where(literal(user.unit.path).startswith(Unit.path))
            .where(exists().where(QuizSlot.quiz_id == Quiz.id))
            .order_by(Quiz.closes_at.is_(None), Quiz.closes_at, Quiz.title)
        )
    )


def quiz_by_public_id(session: Session, public_id: str) -> Quiz:
    return get_by_public_id(session, Quiz, public_id, _("Không tìm thấy bài kiểm tra."))


def attempt_by_public_id(session: Session, public_id: str, lock: bool = False) -> Attempt:
    """``lock``: the row locked for this transaction (PostgreSQL ``FOR UPDATE``; SQLite's
    BEGIN IMMEDIATE already serializes writers), for a submit: see attempts.submit_attempt."""
    query = select(Attempt).where(Attempt.public_id == public_id)
    if lock:
        query = query.with_for_update(of=Attempt.__table__).execution_options(populate_existing=True)
    attempt = session.scalar(query)
    if attempt is None:
        raise NotFound(_("Không tìm thấy bài làm."))
    return attempt
