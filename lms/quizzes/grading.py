"""Grading: the essay queue, manual grades, answer-key corrections and regrades, the quiz grade."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms import audit
from lms.errors import Conflict, LmsError
from lms.quizzes.attempts import record
from lms.quizzes.auto_grading import auto_grade, rescore
from lms.quizzes.bank import clean_question_data
from lms.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    AttemptState,
    GradingMethod,
    QuestionVersion,
    Quiz,
)
from lms.quizzes.qtypes import get_type
from lms.quizzes.quiz_rules import TWO

# --- grading -------------------------------------------------------------------------------


def grading_queue(session: Session, quiz_ids_condition) -> list[AttemptSlot]:
    """Essay answers waiting for a grader, oldest first."""
    return list(
        session.scalars(
            select(AttemptSlot)
            .join(AttemptSlot.attempt)
            .where(Attempt.state == AttemptState.finished, AttemptSlot.awarded.is_(None))
            .where(quiz_ids_condition)
            .options(selectinload(AttemptSlot.attempt).selectinload(Attempt.user))
            .order_by(Attempt.finished_at, AttemptSlot.position)
        )
    )


def grade_manually(
    session: Session, actor: Any, slot: AttemptSlot, points: float, comment: str | None, now: dt.datetime
) -> AttemptSlot:
    attempt = slot.attempt
    if attempt.is_open:
        raise Conflict(_("Bài làm chưa nộp; chưa thể chấm."))
    if not 0 <= points <= slot.points:
        raise LmsError(_("Điểm phải từ 0 đến %(points)s.", points=format(slot.points, "g")))
    before = {"awarded": slot.awarded, "comment": slot.comment, "score": str(attempt.score)}
    slot.awarded, slot.fraction = float(points), float(points) / slot.points
    slot.comment = (comment or "").strip()[:5000] or None
    slot.graded_by_id, slot.graded_at = getattr(actor, "id", None), now
    rescore(attempt)
    session.flush()
    audit.record(
        session,
        actor,
        "attempt.grade",
        "quiz_attempt",
        attempt.public_id,
        now=now,
        before=before,
        after={
            "awarded": slot.awarded,
            "comment": slot.comment,
            "score": str(attempt.score),
            "position": slot.position,
        },
    )
    record(session, attempt, actor)
    return slot


def correct_key(
    session: Session, actor: Any, version: QuestionVersion, data: dict, now: dt.datetime
) -> list[dict]:
    """Correct the key of a version in place (the one allowed edit of a used version, audited),
    then regrade every finished attempt that showed it. Returns what changed."""
    problems = get_type(version.qtype, data).validate()
    if problems:
        raise LmsError("; ".join(problems))
    data = clean_question_data(version.qtype, data)
    before = version.data
    # stored responses point at choice/pair ids: the choices themselves must stay as they were
    if version.qtype in ("single", "multi") and _texts(before, "choices", "text") != _texts(
        data, "choices", "text"
    ):
        raise LmsError(
            _("Sửa đáp án chỉ được đổi trọng số và phản hồi; giữ nguyên các phương án và thứ tự của chúng.")
        )
    if version.qtype == "matching" and _texts(before, "pairs", "left") != _texts(data, "pairs", "left"):
        raise LmsError(_("Sửa đáp án câu ghép đôi phải giữ nguyên các vế trái và thứ tự của chúng."))
    version.data = data
    session.flush()
    audit.record(
        session,
        actor,
        "question.key_correction",
        "question_version",
        version.id,
        before=before,
        after=version.data,
        now=now,
    )
    return regrade_version(session, actor, version, now)


def _texts(data: dict, key: str, field: str) -> list[str]:
    return [item.get(field, "") for item in data.get(key, [])]


def regrade_version(session: Session, actor: Any, version: QuestionVersion, now: dt.datetime) -> list[dict]:
    qtype = get_type(version.qtype, version.data)
    if qtype.manual:
        return []
    slots = session.scalars(
        select(AttemptSlot)
        .join(AttemptSlot.attempt)
        .where(AttemptSlot.question_version_id == version.id, Attempt.state == AttemptState.finished)
        .order_by(Attempt.id)
    ).all()
    changes = []
    for slot in slots:
        attempt = slot.attempt
        answer = session.get(AttemptAnswer, (attempt.id, slot.position))
        old_score = attempt.score
        auto_grade(slot, answer)
        rescore(attempt)
        if attempt.score != old_score:
            session.flush()
            change = {
                "attempt": attempt.public_id,
                "user": attempt.user.display_name,
                "before": str(old_score),
                "after": str(attempt.score),
            }
            audit.record(
                session,
                actor,
                "attempt.regrade",
                "quiz_attempt",
                attempt.public_id,
                now=now,
                before={"score": str(old_score)},
                after={"score": str(attempt.score)},
                note=f"question version {version.id}",
            )
            record(session, attempt, actor)
            changes.append(change)
    session.flush()
    return changes


def quiz_grade(scores: list[decimal.Decimal], method: GradingMethod) -> decimal.Decimal | None:
    """The learner's grade for a quiz from the scores of finished attempts (in order)."""
    if not scores:
        return None
    if method is GradingMethod.highest:
        return max(scores)
    if method is GradingMethod.first:
        return scores[0]
    if method is GradingMethod.last:
        return scores[-1]
    return (sum(scores) / len(scores)).quantize(TWO, rounding=decimal.ROUND_HALF_UP)


def finished_attempts(session: Session, quiz: Quiz) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.finished)
            .options(selectinload(Attempt.user), selectinload(Attempt.cadre))
            .order_by(Attempt.user_id, Attempt.number)
        )
    )
