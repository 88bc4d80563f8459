"""The autosave's own path: what a save needs of its attempt in one statement (no ORM objects)
and the upsert of the answers. An autosave is 20 of the ~24 requests of an exam (bench/README.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy import BigInteger, Integer, bindparam, literal, select, text
from sqlalchemy.orm import Session

from lms.db import UTCDateTime
from lms.errors import Conflict, NotFound
from lms.quizzes.attempts import GRACE, MAX_POSITION, check_positions, upsert_items
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState, QuestionVersion, _json_load
from lms.quizzes.qtypes import get_type


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
        raise NotFound(_("Không tìm thấy bài làm."))
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
        raise Conflict(_("Bài làm đã kết thúc; câu trả lời mới không được lưu nữa."))
    items = list(items)
    check_positions(items)
    saved = upsert_items(session, target.id, target.slots, items, now)
    remaining = None if target.deadline is None else max(0, int((target.deadline - now).total_seconds()))
    return {"state": "open", "saved": saved, "remaining": remaining}


# --- one statement per save ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Paper:
    """What never changes in an attempt after its start: id, deadline and its slots with their
    question versions (a version in use is never edited; an edit makes a new one)."""

    id: int
    deadline: dt.datetime | None
    slots: dict[int, tuple[str, str, str]]  # position -> (qtype, data_json, order_json)


class PaperCache:
    """The papers of the attempts a worker process has saved to lately (least recently used
    dropped first). It only spares reading the slots again: every save's statement still checks
    the login, the owner, the state and the deadline in the database."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._papers: OrderedDict[str, Paper] = OrderedDict()

    def get(self, session: Session, public_id: str) -> Paper | None:
        paper = self._papers.get(public_id)
        if paper is not None:
            self._papers.move_to_end(public_id)
            return paper
        paper = _load_paper(session, public_id)
        if paper is not None:
            self._papers[public_id] = paper
            while len(self._papers) > self.size:
                self._papers.popitem(last=False)
        return paper


def _load_paper(session: Session, public_id: str) -> Paper | None:
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.deadline,
            AttemptSlot.position,
            QuestionVersion.qtype,
            QuestionVersion.data_json,
            AttemptSlot.order_json,
        )  # fmt: skip
        .select_from(Attempt)
        .join(AttemptSlot, AttemptSlot.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(Attempt.public_id == public_id)
    ).all()
    if not rows:
        return None
    return Paper(rows[0][0], rows[0][1], {row[2]: (row[3], row[4], row[5]) for row in rows})


# The upsert of one answer as INSERT ... SELECT from the attempt joined to the cookie's user: it
# stores the answer only when the session token is the user's, the user is active with no password
# change pending, owns the attempt, and the attempt is open and within its deadline's grace;
# RETURNING says whether a row was written. Plain SQL that PostgreSQL and SQLite both read: the
# dialects' Insert constructs are never in SQLAlchemy's compiled cache (inherit_cache = False), and
# compiling this one cost 1.5 ms of CPU per save, as much as the rest of the request.
GUARDED_UPSERT = text(
    """
    INSERT INTO quiz_attempt_answer (attempt_id, position, response, seq, saved_at)
    SELECT CAST(:attempt_id AS INTEGER), CAST(:position AS INTEGER), CAST(:response AS TEXT),
           CAST(:seq AS BIGINT), :saved_at
    FROM quiz_attempt JOIN user_account ON user_account.id = quiz_attempt.user_id
    WHERE quiz_attempt.id = :attempt_id AND quiz_attempt.user_id = :user_id
      AND quiz_attempt.state = :open_state
      AND (quiz_attempt.deadline IS NULL OR quiz_attempt.deadline >= :open_until)
      AND user_account.session_token = :token
      AND user_account.active AND NOT user_account.must_change_password
    ON CONFLICT (attempt_id, position) DO UPDATE
      SET response = excluded.response, seq = excluded.seq, saved_at = excluded.saved_at
      WHERE quiz_attempt_answer.seq < excluded.seq
    RETURNING position
    """
).bindparams(
    bindparam("attempt_id", type_=Integer),
    bindparam("user_id", type_=Integer),
    bindparam("position", type_=Integer),
    bindparam("seq", type_=BigInteger),
    bindparam("saved_at", type_=UTCDateTime),
    bindparam("open_until", type_=UTCDateTime),
)


def save_guarded(
    session: Session,
    paper: Paper,
    user_id: int,
    token: str,
    items: list[tuple[int, Mapping[str, list[str]], object]],
    now: dt.datetime,
) -> dict | None:
    """The autosave in one statement per answer, for a cookie's (user id, session token).
    None when any answer was not written (a check failed, an unknown position, a bad or an older
    seq): the caller then rolls back and takes the checked path, which says why (or, for an
    older seq, answers as it always does). Never raises for the client's input."""
    saved = []
    for position, fields, seq in items:
        slot = paper.slots.get(position) if isinstance(position, int) else None
        if slot is None or not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 2**62:
            return None
        qtype, data_json, order_json = slot
        parsed = get_type(qtype, _json_load(data_json, {})).parse_form(
            fields, f"q{position}", _json_load(order_json, [])
        )
        written = session.execute(
            GUARDED_UPSERT,
            {
                "attempt_id": paper.id,
                "position": position,
                "response": json.dumps(parsed, ensure_ascii=False, sort_keys=True),
                "seq": seq,
                "saved_at": now,
                "user_id": user_id,
                "token": token,
                "open_until": now - GRACE,
                "open_state": AttemptState.open.value,
            },
        ).first()
        if written is None:
            return None
        saved.append(position)
    if not saved:
        return None
    remaining = None if paper.deadline is None else max(0, int((paper.deadline - now).total_seconds()))
    return {"state": "open", "saved": saved, "remaining": remaining}
