"""Where a learner stands in an attempt: each question answered or not, flagged or not, and the
page it is on. Feeds the question panel of the attempt page and the summary before submit."""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from lms.quizzes import services
from lms.quizzes.models import Attempt, Navigation
from lms.quizzes.qtypes import get_type

PAGE_SIZE = 5  # questions per page when a quiz is paged (views.PAGE_SIZE)


def page_of(attempt: Attempt, position_index: int) -> int:
    if attempt.quiz.navigation is not Navigation.paged:
        return 1
    return position_index // PAGE_SIZE + 1


def slot_states(session: Session, attempt: Attempt, answers: dict | None = None) -> list[dict]:
    """[{"position", "number", "page", "answered", "flagged"}] in question order. A description
    (text only, nothing to answer) is left out: it is not a question of "answered N/M", and the
    questions are numbered without it (``number``), as Moodle does."""
    if answers is None:  # the attempt page passes the answers it has read
        answers = services.answers_of(session, attempt)
    out = []
    for index, slot in enumerate(attempt.slots):
        qtype = get_type(slot.version.qtype, slot.version.data)
        if qtype.informational:
            continue
        answer = answers.get(slot.position)
        answered = answer is not None and qtype.is_answered(answer.response)
        out.append(
            {
                "position": slot.position,
                "number": len(out) + 1,
                "page": page_of(attempt, index),
                "answered": answered,
                "flagged": slot.flagged,
            }
        )
    return out


def pages(attempt: Attempt) -> int:
    if attempt.quiz.navigation is not Navigation.paged:
        return 1
    return max(1, math.ceil(len(attempt.slots) / PAGE_SIZE))


def set_flags(attempt: Attempt, shown: list[int], flagged: set[int]) -> None:
    """The form's flags for the questions it showed (a question not shown keeps its flag)."""
    if not shown:  # the page's script submits with no question shown: no slots to read
        return
    for slot in attempt.slots:
        if slot.position in shown:
            slot.flagged = slot.position in flagged


def set_flag(attempt: Attempt, position: int, flagged: bool) -> bool:
    for slot in attempt.slots:
        if slot.position == position:
            slot.flagged = flagged
            return True
    return False
