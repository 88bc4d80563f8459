"""Drafts of free-text answers: what a learner is writing at a response node, saved as it is
typed (the JS autosave of play.html, the shared journal in static/js/journal.js) and whenever a
send is refused, so that nothing typed is ever lost. Plain functions over a session; they flush,
never commit.

The answer itself is still only recorded by ``services.respond`` ("Gửi câu trả lời"); the draft
of that node is deleted then.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms.errors import Conflict, LmsError
from lms.scenarios.graph import Graph
from lms.scenarios.models import ScenarioDraft, ScenarioRun

MAX_ANSWER = 10000  # characters an answer may have when it is sent
MAX_DRAFT = 100_000  # a draft may be longer (a paste to cut down), never unbounded
WORD = re.compile(r"\S+")


def count_words(text: str) -> int:
    """Words as the page's counter counts them: runs of non-space characters."""
    return len(WORD.findall(text or ""))


def expected_words(node: dict) -> tuple[int, int] | None:
    """The node's ``expected_words`` as (low, high): ``150`` → (150, 150), ``[150, 200]``."""
    value = node.get("expected_words")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, list) and len(value) in (1, 2) and all(isinstance(v, int) for v in value):
        return (value[0], value[-1])
    return None


def too_long_message(text: str) -> str | None:
    """Why an answer cannot be sent as it is, or None."""
    length = len(text)
    if length <= MAX_ANSWER:
        return None
    return _(
        "Câu trả lời dài %(length)s ký tự, quá giới hạn %(limit)s ký tự: chưa gửi. "
        "Vui lòng rút gọn %(over)s ký tự rồi gửi lại; "
        "phần đồng chí đã viết vẫn còn nguyên trong ô dưới đây.",
        length=format_decimal(length),
        limit=format_decimal(MAX_ANSWER),
        over=format_decimal(length - MAX_ANSWER),
    )


def draft_of(session: Session, run: ScenarioRun, node_id: str) -> ScenarioDraft | None:
    return session.scalar(
        select(ScenarioDraft).where(ScenarioDraft.run_id == run.id, ScenarioDraft.node_id == node_id)
    )


def _writable_node(run: ScenarioRun, node_id: str) -> None:
    if not run.in_progress:
        raise Conflict(_("Lượt làm này đã kết thúc; bản nháp không còn được lưu."))
    if node_id != run.current_node or Graph(run.scenario.doc).node(run.current_node)["kind"] != "response":
        raise Conflict(_("Bước này đã qua; vui lòng tải lại trang để làm tiếp."))


def save_draft(
    session: Session, run: ScenarioRun, node_id: str, text: str, seq: int, now: dt.datetime
) -> dict:
    """Upsert the draft of ``node_id`` (the run's current response node) unless a newer one is
    stored. Returns {"state": "saved" | "stale", "seq": the stored sequence number}."""
    _writable_node(run, node_id)
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_DRAFT:
        raise LmsError(
            f"Bản nháp dài {len(text):,} ký tự, quá {MAX_DRAFT:,} ký tự nên không lưu được trên máy chủ; "
            "vui lòng rút gọn.".replace(",", ".")
        )
    draft = draft_of(session, run, node_id)
    if draft is None:
        draft = ScenarioDraft(run_id=run.id, node_id=node_id, text=text, seq=seq, saved_at=now)
        session.add(draft)
    elif seq > draft.seq:
        draft.text, draft.seq, draft.saved_at = text, seq, now
    else:
        return {"state": "stale", "seq": draft.seq}
    session.flush()
    return {"state": "saved", "seq": draft.seq}


def keep_refused(
    session: Session, run: ScenarioRun, node_id: str, text: str, seq: int, now: dt.datetime
) -> None:
    """A send that was refused keeps its text as the draft (best effort: never raises)."""
    try:
        save_draft(session, run, node_id, text[:MAX_DRAFT], seq, now)
    except LmsError:
        pass


def discard(session: Session, run: ScenarioRun, node_id: str) -> None:
    session.execute(
        delete(ScenarioDraft).where(ScenarioDraft.run_id == run.id, ScenarioDraft.node_id == node_id)
    )
