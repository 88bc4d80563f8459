"""The autosave's own path: what a save needs of its attempt in one statement (no ORM objects)
and the upsert of the answers. An autosave is 20 of the ~24 requests of an exam (bench/README.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from lms.errors import Conflict, NotFound
from lms.quizzes.attempts import GRACE, MAX_POSITION, check_positions, upsert_items
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState, QuestionVersion


@dataclasses.dataclass
class SaveTarget:
    """What an autosave needs of its attempt, read in one statement (see autosave_target)."""

    id: int
    user_id: int
    state: AttemptState
    deadline: dt.datetime | None
    slots: dict[int, tuple[str, str, str]]  # position -> (qtype, data_json, order_json)

    @property
    def is_open(self) -> bool:
        return self.state is AttemptState.open

    def overdue(self, now: dt.datetime) -> bool:
        return self.is_open and self.deadline is not None and now > self.deadline + GRACE


def autosave_target(session: Session, public_id: str, positions: set[int]) -> SaveTarget:
    """The attempt's owner, state, deadline and the slots at ``positions`` with their question
    versions: one statement and no ORM objects, instead of the attempt (with its quiz and unit)
    and the slots loaded one query each. An autosave is 20 of the ~24 requests of an exam."""
    positions = {p for p in positions if isinstance(p, int) and 0 <= p < MAX_POSITION}
    slot_join = AttemptSlot.attempt_id == Attempt.id
    slot_join = slot_join & (AttemptSlot.position.in_(positions) if positions else literal(False))
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.state,
            Attempt.deadline,
            AttemptSlot.position,
            QuestionVersion.qtype,
            QuestionVersion.data_json,
            AttemptSlot.order_json,
        )  # fmt: skip
        .select_from(Attempt)
        .outerjoin(AttemptSlot, slot_join)
        .outerjoin(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(Attempt.public_id == public_id)
    ).all()
    if not rows:
        raise NotFound("Không tìm thấy bài làm.")
    first = rows[0]
    slots = {row[4]: (row[5], row[6], row[7]) for row in rows if row[4] is not None}
    return SaveTarget(first[0], first[1], first[2], first[3], slots)


def save_to_target(
    session: Session,
    target: SaveTarget,
    items: Iterable[tuple[int, Mapping[str, list[str]], int]],
    now: dt.datetime,
) -> dict:
    """save_answers for an open attempt that is not overdue (the caller checked it, and falls
    back to save_answers, which closes it, otherwise)."""
    if not target.is_open or target.overdue(now):
        raise Conflict("Bài làm đã kết thúc; câu trả lời mới không được lưu nữa.")
    items = list(items)
    check_positions(items)
    saved = upsert_items(session, target.id, target.slots, items, now)
    remaining = None if target.deadline is None else max(0, int((target.deadline - now).total_seconds()))
    return {"state": "open", "saved": saved, "remaining": remaining}
