"""Automatic grading of an attempt's slots and its score on 10: what a finishing attempt (submit,
the overdue sweep) and a regrade write. Split from lms/quizzes/attempts.py, which starts, saves and
finishes attempts and calls these."""

from __future__ import annotations

import decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from lms.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, QuestionVersion, _json_load
from lms.quizzes.qtypes import get_type
from lms.quizzes.quiz_rules import TWO


def grade_unloaded(session: Session, attempt: Attempt) -> list[tuple[float, float | None]]:
    """Grade an attempt whose slots are not loaded (a submit, the overdue sweep): its slots,
    versions and answers read as plain rows in one statement and the grades written in one
    executemany, instead of 20 slots, 20 versions and 20 answers as ORM objects (the ORM was
    nearly half of a submit's time, bench/README.md step 13). (points, awarded) per slot."""
    rows = session.execute(
        select(
            AttemptSlot.id,
            AttemptSlot.points,
            AttemptSlot.fraction,
            AttemptSlot.awarded,
            QuestionVersion.qtype,
            QuestionVersion.data_json,
            AttemptAnswer.response_json,
        )
        .select_from(AttemptSlot)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .outerjoin(
            AttemptAnswer,
            (AttemptAnswer.attempt_id == AttemptSlot.attempt_id)
            & (AttemptAnswer.position == AttemptSlot.position),
        )
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
    ).all()
    changed, points = [], []
    for slot_id, slot_points, fraction, awarded, qtype, data_json, response_json in rows:
        grade = grade_values(qtype, _json_load(data_json, {}), slot_points, _json_load(response_json, {}))
        if grade is not None and grade != (fraction, awarded):
            changed.append({"id": slot_id, "fraction": grade[0], "awarded": grade[1]})
            awarded = grade[1]
        points.append((slot_points, awarded))
    if changed:
        session.execute(update(AttemptSlot), changed)
    session.expire(attempt, ["slots"])  # read from the rows above if someone asks for them
    return points


def store_grades(session: Session, slots: list[AttemptSlot], answers: dict[int, AttemptAnswer]) -> None:
    """The automatic grades of loaded slots in one bulk UPDATE by primary key (an executemany),
    then set on the objects as their committed values: the unit of work would otherwise track
    and flush 20 changed objects one by one (bench/README.md step 12)."""
    rows = []
    for slot in slots:
        grade = grade_of(slot, answers.get(slot.position))
        if grade is not None and grade != (slot.fraction, slot.awarded):
            rows.append((slot, *grade))
    if not rows:
        return
    session.execute(
        update(AttemptSlot),
        [{"id": slot.id, "fraction": fraction, "awarded": awarded} for slot, fraction, awarded in rows],
    )
    for slot, fraction, awarded in rows:
        set_committed_value(slot, "fraction", fraction)
        set_committed_value(slot, "awarded", awarded)


def grade_of(slot: AttemptSlot, answer: AttemptAnswer | None) -> tuple[float | None, float | None] | None:
    """(fraction, awarded) of the automatic grade, or None where a grader decides (an
    answered essay keeps what it has)."""
    return grade_values(slot.version.qtype, slot.version.data, slot.points, answer.response if answer else {})


def grade_values(
    qtype_name: str, data: dict, points: float, response: dict
) -> tuple[float | None, float | None] | None:
    qtype = get_type(qtype_name, data)
    if qtype.informational:  # nothing to answer: worth nothing, never waits for a grader
        return None, 0.0
    if qtype.manual:
        # nothing written: 0 points, no need to wait for a grader
        return None if qtype.is_answered(response) else (0.0, 0.0)
    fraction = qtype.grade(response)
    return fraction, round(fraction * points, 4)


def auto_grade(slot: AttemptSlot, answer: AttemptAnswer | None) -> None:
    grade = grade_of(slot, answer)
    if grade is not None:
        slot.fraction, slot.awarded = grade


def rescore(attempt: Attempt) -> None:
    score_from(attempt, [(slot.points, slot.awarded) for slot in attempt.slots])


def score_from(attempt: Attempt, points: list[tuple[float, float | None]]) -> None:
    """The attempt's points, maximum, pending flag and score on 10 from (points, awarded) per slot."""
    attempt.pending = any(awarded is None for _, awarded in points)
    attempt.points = round(sum(awarded or 0 for _, awarded in points), 4)
    attempt.max_points = sum(slot_points for slot_points, _ in points)
    ratio = attempt.points / attempt.max_points if attempt.max_points else 0
    attempt.score = decimal.Decimal(str(10 * ratio)).quantize(TWO, rounding=decimal.ROUND_HALF_UP)
