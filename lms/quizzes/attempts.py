"""Attempts: start, draw, autosave, submit, finish, the result record and closing overdue attempts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.errors import Conflict, LmsError
from lms.org.models import CadreProfile
from lms.quizzes.auto_grading import grade_unloaded, score_from, store_grades
from lms.quizzes.bank import questions_in_category
from lms.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    AttemptState,
    Purpose,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizOverride,
    QuizSlot,
    _json_load,
)
from lms.quizzes.qtypes import get_type
from lms.quizzes.quiz_rules import Rules, rules_for

# A save that left the browser in the last seconds may arrive a little after the deadline;
# it is still accepted so nothing typed before the timer ran out is lost.
GRACE = dt.timedelta(seconds=20)

# --- attempts ------------------------------------------------------------------------------


def profile_of(session: Session, user: User) -> CadreProfile | None:
    return session.scalar(select(CadreProfile).where(CadreProfile.user_id == user.id))


def open_attempt(session: Session, quiz: Quiz, user: User) -> Attempt | None:
    return session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.state == AttemptState.open
        )
    )


def user_attempts(session: Session, quiz: Quiz, user: User) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
            .order_by(Attempt.number)
        )
    )


def is_overdue(attempt: Attempt, now: dt.datetime) -> bool:
    return attempt.is_open and attempt.deadline is not None and now > attempt.deadline + GRACE


def remaining_seconds(attempt: Attempt, now: dt.datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def refresh_state(session: Session, attempt: Attempt, now: dt.datetime) -> Attempt:
    """Lazily close an attempt whose time is up, with what was saved."""
    if is_overdue(attempt, now):
        finish_attempt(session, attempt, now, outcome="timeout")
    return attempt


def start_attempt(session: Session, user: User, quiz: Quiz, now: dt.datetime) -> Attempt:
    """Start an attempt, or resume the open one (a second tab or a double click never forks)."""
    # the highest number, the open attempt's id, the learner's cadre profile and whether an
    # override exists, in one statement (a start is once per exam, but a whole province presses
    # "Bắt đầu" within a minute)
    done, open_id, cadre_id, has_override = session.execute(
        select(
            func.max(Attempt.number),
            func.max(case((Attempt.state == AttemptState.open, Attempt.id))),
            select(CadreProfile.id).where(CadreProfile.user_id == user.id).scalar_subquery(),
            exists().where(QuizOverride.quiz_id == quiz.id, QuizOverride.user_id == user.id),
        ).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
    ).one()
    if open_id is not None:
        current = session.get(Attempt, open_id)
        refresh_state(session, current, now)
        if current.is_open:
            return current
    rules = rules_for(session, quiz, user) if has_override else Rules.of(quiz)
    if not rules.is_open(now):
        raise Conflict(_("Bài kiểm tra này hiện không mở. Vui lòng xem thời gian mở và đóng."))
    if cadre_id is None and quiz.purpose is not Purpose.practice:
        raise Conflict(
            _(
                "Tài khoản của đồng chí chưa gắn với hồ sơ cán bộ nên chưa thể làm bài kiểm tra "
                "tính điểm. Vui lòng liên hệ Ban Tổ chức để được gắn hồ sơ.",
            )
        )
    done = done or 0
    if rules.attempts_allowed and done >= rules.attempts_allowed:
        raise Conflict(
            _(
                "Đồng chí đã làm hết %(attempts_allowed)s lần được phép của bài kiểm tra này.",
                attempts_allowed=rules.attempts_allowed,
            )
        )
    deadline = None
    quiz_slots = _quiz_slots(session, quiz)  # the paper's source, read before the INSERT
    if not quiz_slots:  # a quiz the builder made, before its questions are added
        raise Conflict(_("Bài kiểm tra này chưa có câu hỏi. Vui lòng quay lại sau."))
    if rules.time_limit_minutes:
        deadline = now + dt.timedelta(minutes=rules.time_limit_minutes)
    if rules.closes_at is not None:
        deadline = min(deadline, rules.closes_at) if deadline else rules.closes_at
    attempt = Attempt(
        quiz=quiz,
        quiz_version=quiz.version,
        user_id=user.id,
        cadre_id=cadre_id,
        number=done + 1,
        state=AttemptState.open,
        started_at=now,
        deadline=deadline,
        max_points=sum(slot.points for slot in quiz_slots),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:
        # another request started one a moment ago: resume that one
        session.expunge(attempt) if attempt in session else None
        current = open_attempt(session, quiz, user)
        if current is None:
            raise Conflict(_("Không thể bắt đầu bài làm lúc này. Vui lòng thử lại.")) from None
        return current
    _build_slots(session, attempt, quiz, quiz_slots)
    return attempt


@dataclasses.dataclass(frozen=True)
class SlotSource:
    """A slot of the quiz as a start reads it: a fixed question with its latest version, or a
    random draw from a category (``category_path``)."""

    points: float
    question_id: int | None
    category_path: str | None
    version: DrawnVersion | None


@dataclasses.dataclass(frozen=True)
class DrawnVersion:
    """What a paper needs of a question version: its id, type and data (the choice order)."""

    id: int
    question_id: int
    qtype: str
    data_json: str

    @property
    def data(self) -> dict:
        return _json_load(self.data_json, {})

    @classmethod
    def of(cls, version: QuestionVersion) -> DrawnVersion:
        return cls(version.id, version.question_id, version.qtype, version.data_json)


def _quiz_slots(session: Session, quiz: Quiz) -> list[SlotSource]:
    """The quiz's slots with their fixed questions' latest versions, in one statement and as
    plain rows (a synchronized start of a whole province runs this once per learner; loading
    the slots, questions and every version as ORM objects was a third of a start)."""
    newest = (
        select(func.max(QuestionVersion.version))
        .where(QuestionVersion.question_id == QuizSlot.question_id)
        .correlate(QuizSlot)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            QuizSlot.points,
            QuizSlot.question_id,
            QuestionCategory.path,
            QuestionVersion.id,
            QuestionVersion.qtype,
            QuestionVersion.data_json,
        )
        .select_from(QuizSlot)
        .outerjoin(QuestionCategory, QuestionCategory.id == QuizSlot.category_id)
        .outerjoin(
            QuestionVersion,
            (QuestionVersion.question_id == QuizSlot.question_id) & (QuestionVersion.version == newest),
        )
        .where(QuizSlot.quiz_id == quiz.id)
        .order_by(QuizSlot.position)
    ).all()
    return [
        SlotSource(
            points,
            question_id,
            path if question_id is None else None,
            DrawnVersion(version_id, question_id, qtype, data_json) if question_id is not None else None,
        )
        for points, question_id, path, version_id, qtype, data_json in rows
    ]


def draw_questions(
    session: Session, attempt_id: int, quiz: Quiz, quiz_slots: list[SlotSource] | None = None
) -> list[tuple[DrawnVersion, float, list]]:
    """The questions (random draws included), their order and choice orders for an attempt,
    seeded by the attempt id: the same attempt always gets the same paper."""
    rng = random.Random(attempt_id)
    if quiz_slots is None:
        quiz_slots = _quiz_slots(session, quiz)
    used: set[int] = {slot.question_id for slot in quiz_slots if slot.question_id}
    chosen: list[tuple[DrawnVersion, float]] = []
    for slot in quiz_slots:
        if slot.version is not None:
            chosen.append((slot.version, slot.points))
            continue
        # as in Moodle, a random draw never picks a description (it has nothing to answer)
        pool = [
            q
            for q in questions_in_category(session, slot.category_path)
            if q.id not in used and not get_type(q.latest.qtype, {}).informational
        ]
        if not pool:
            raise LmsError(
                _("Nhóm câu hỏi %(path)s không còn câu hỏi để rút.", path=repr(slot.category_path))
            )
        question = pool[rng.randrange(len(pool))]
        used.add(question.id)
        chosen.append((DrawnVersion.of(question.latest), slot.points))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    paper = []
    for version, points in chosen:
        qtype = get_type(version.qtype, version.data)
        order = qtype.initial_order(rng, quiz.shuffle_choices)
        paper.append((version, 0.0 if qtype.informational else points, order))
    return paper


def _build_slots(session: Session, attempt: Attempt, quiz: Quiz, quiz_slots: list[QuizSlot]) -> None:
    """Store the paper: a reload or a later regrade sees exactly what was shown."""
    paper = draw_questions(session, attempt.id, quiz, quiz_slots)
    attempt.max_points = sum(points for _, points, _ in paper)  # descriptions count 0
    # one multi-row INSERT (the ORM would send one INSERT ... RETURNING per slot)
    session.execute(
        insert(AttemptSlot),
        [
            {
                "attempt_id": attempt.id,
                "position": position,
                "question_version_id": version.id,
                "points": points,
                "order_json": json.dumps(order),
            }
            for position, (version, points, order) in enumerate(paper, start=1)
        ],
    )
    session.expire(attempt, ["slots"])  # loaded from the rows above when someone reads them


def answers_of(session: Session, attempt: Attempt) -> dict[int, AttemptAnswer]:
    rows = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    return {row.position: row for row in rows}


_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str):
    """INSERT ... ON CONFLICT (attempt_id, position) DO UPDATE ... WHERE seq < excluded.seq,
    built once per dialect: the hot path of an exam only binds new values (building the
    statement anew cost as much as running it)."""
    if dialect not in _UPSERTS:
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        table = AttemptAnswer.__table__
        stmt = insert_(table)
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["attempt_id", "position"],
            set_={
                "response": stmt.excluded.response,
                "seq": stmt.excluded.seq,
                "saved_at": stmt.excluded.saved_at,
            },
            where=table.c.seq < stmt.excluded.seq,
        )
    return _UPSERTS[dialect]


def _upsert_answer(
    session: Session, attempt_id: int, position: int, response: dict, seq: int, now: dt.datetime
) -> None:
    session.execute(
        _upsert_statement(session.get_bind().dialect.name),
        {
            "attempt_id": attempt_id,
            "position": position,
            "response": json.dumps(response, ensure_ascii=False, sort_keys=True),
            "seq": seq,
            "saved_at": now,
        },
    )


MAX_POSITION = 10_000  # far above any quiz; keeps hostile numbers inside the INTEGER column


def save_answers(
    session: Session,
    attempt: Attempt,
    items: Iterable[tuple[int, Mapping[str, list[str]], int]],
    now: dt.datetime,
) -> dict:
    """Save answers given as (position, form-like fields name -> values, client sequence number).
    Idempotent; a save older than the stored one (lower seq) leaves the stored answer alone."""
    refresh_state(session, attempt, now)
    if not attempt.is_open:
        raise Conflict(_("Bài làm đã kết thúc; câu trả lời mới không được lưu nữa."))
    items = list(items)
    if not items:
        return {"state": "open", "saved": [], "remaining": remaining_seconds(attempt, now)}
    check_positions(items)
    slots = {
        position: (slot.version.qtype, slot.version.data_json, slot.order_json)
        for position, slot in _slots_at(session, attempt, {position for position, _, _ in items}).items()
    }
    saved = upsert_items(session, attempt.id, slots, items, now)
    # the upsert bypassed the ORM: answers already loaded in this session are stale
    for obj in list(session.identity_map.values()):
        if isinstance(obj, AttemptAnswer):
            session.expire(obj)
    return {"state": "open", "saved": saved, "remaining": remaining_seconds(attempt, now)}


def check_positions(items: list) -> None:
    for position, _fields, _order in items:  # a position no attempt can have never reaches the database
        if not isinstance(position, int) or not 0 <= position < MAX_POSITION:
            raise LmsError(_("Bài làm không có câu %(position)s.", position=position))


def upsert_items(
    session: Session, attempt_id: int, slots: dict[int, tuple[str, str, str]], items: list, now: dt.datetime
) -> list[int]:
    """The upserts of a save; ``slots``: position -> (qtype, data_json, order_json)."""
    saved = []
    for position, fields, seq in items:
        slot = slots.get(position)
        if slot is None:
            raise LmsError(_("Bài làm không có câu %(position)s.", position=position))
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 2**62:
            raise LmsError(_("Số thứ tự lưu không hợp lệ."))
        qtype, data_json, order_json = slot
        parsed = get_type(qtype, _json_load(data_json, {})).parse_form(
            fields, f"q{position}", _json_load(order_json, [])
        )
        _upsert_answer(session, attempt_id, position, parsed, seq, now)
        saved.append(position)
    return saved


def _slots_at(session: Session, attempt: Attempt, positions: set[int]) -> dict[int, AttemptSlot]:
    """The attempt's slots at these positions (an autosave sends one or a few), with their
    versions, in one query; the slots already loaded when the attempt's list is."""
    if "slots" in attempt.__dict__:
        return {slot.position: slot for slot in attempt.slots if slot.position in positions}
    rows = session.scalars(
        select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id, AttemptSlot.position.in_(positions))
    )
    return {slot.position: slot for slot in rows}


def submit_attempt(
    session: Session, attempt: Attempt, now: dt.datetime, actor: Any = None, locked: bool = False
) -> Attempt:
    """Finish the attempt. A repeated submit returns the first outcome unchanged. ``locked``: the
    caller read the attempt with its row locked in this transaction (``attempt_by_public_id(...,
    lock=True)``, as the attempt page's submit does), so it is not read again."""
    # lock the row and re-read it in one statement (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    # serializes writers): a submit racing the clock or a second tab sees the other's outcome
    if not locked:
        session.execute(
            select(Attempt)
            .where(Attempt.id == attempt.id)
            .with_for_update(of=Attempt.__table__)
            .execution_options(populate_existing=True)
        ).scalar_one()
    if not attempt.is_open:
        return attempt
    # at or past the deadline (the page's timer submits at 0:00, within the grace) it is a time-up:
    # the review then says time ran out
    ended = attempt.deadline is not None and now >= attempt.deadline
    outcome = "timeout" if ended else "submitted"
    finish_attempt(session, attempt, now, outcome=outcome, actor=actor)
    return attempt


def finish_attempt(
    session: Session, attempt: Attempt, now: dt.datetime, outcome: str, actor: Any = None
) -> None:
    # an attempt closed by the clock finishes at its deadline, not when someone noticed
    finished_at = min(now, attempt.deadline) if outcome == "timeout" and attempt.deadline else now
    # the grades are written before finish(): an autoflush in between would UPDATE the attempt twice
    if "slots" in attempt.__dict__:  # the caller holds the slots: grade those objects
        store_grades(session, attempt.slots, answers_of(session, attempt))
        points = [(slot.points, slot.awarded) for slot in attempt.slots]
    else:
        points = grade_unloaded(session, attempt)
    attempt.finish(finished_at, outcome)
    score_from(attempt, points)
    session.flush()
    record(session, attempt, actor, new=True)


def record(session: Session, attempt: Attempt, actor: Any = None, new: bool = False):
    """Write the attempt's Result (only for learners with a cadre profile). ``new``: the attempt
    has just finished (it was open in this transaction), so it has no Result yet."""
    if attempt.cadre_id is None or attempt.is_open:
        return None
    from lms.results.services import record_result

    quiz = attempt.quiz
    return record_result(
        session,
        cadre_id=attempt.cadre_id,
        new=new,
        kind="quiz",
        origin_id=attempt.id,
        source_id=quiz.id,
        source_version=attempt.quiz_version,
        source_title=quiz.title,
        purpose=quiz.purpose.value,
        score=attempt.score,
        passed=(not attempt.pending) and attempt.score >= quiz.pass_mark,
        pending=attempt.pending,
        finished_at=attempt.finished_at,
        program_code=quiz.program_code,
        details={
            "attempt": attempt.public_id,
            "number": attempt.number,
            "outcome": attempt.outcome,
            "points": attempt.points,
            "max_points": attempt.max_points,
        },
        actor=actor,
    )


def close_overdue(session: Session, now: dt.datetime) -> int:
    overdue = session.scalars(
        select(Attempt)
        .where(Attempt.state == AttemptState.open, Attempt.deadline < now - GRACE)
        .order_by(Attempt.id)
    ).all()
    for attempt in overdue:
        finish_attempt(session, attempt, now, outcome="timeout")
    return len(overdue)
