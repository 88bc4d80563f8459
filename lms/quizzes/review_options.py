"""When a learner may see each part of a finished attempt's review (Moodle's review options).

Each of score, right answers and feedback carries a set of review times, stored as a bit mask
on the quiz (``Quiz.review_<part>_when``): immediately after the attempt (for the first two
minutes, as in Moodle), later while the quiz is still open, and after the quiz closes (the
learner's own close time, an override included). A quiz without a close time never reaches
"after close". The times are checked at request time against the server clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

IMMEDIATELY, LATER, AFTER_CLOSE = 1, 2, 4
ALWAYS, NEVER = IMMEDIATELY | LATER | AFTER_CLOSE, 0
TIME_NAMES = {"immediately": IMMEDIATELY, "later": LATER, "after_close": AFTER_CLOSE}
PARTS = ("score", "right_answers", "feedback")
IMMEDIATE_WINDOW = dt.timedelta(minutes=2)


def parse_times(value: object) -> int | None:
    """The mask for one part's YAML value: a boolean (old form: true = every time, false = never)
    or a list of time names; None when the value is neither."""
    if isinstance(value, bool):
        return ALWAYS if value else NEVER
    if isinstance(value, list) and all(isinstance(name, str) and name in TIME_NAMES for name in value):
        mask = NEVER
        for name in value:
            mask |= TIME_NAMES[name]
        return mask
    return None


def review_mask(review: dict, part: str, default: int) -> int:
    """The stored mask for ``part`` of a QuizInput.review: a boolean, a list of time names or
    a mask already (the quiz builder form may pass one)."""
    value = review.get(part)
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= ALWAYS:
        return value
    mask = parse_times(value)
    if mask is None:
        raise ValueError(f"review.{part}: {value!r}")
    return mask


def time_names(mask: int) -> list[str]:
    return [name for name, bit in TIME_NAMES.items() if mask & bit]


def review_time(finished_at: dt.datetime, closes_at: dt.datetime | None, now: dt.datetime) -> int:
    """Which review time ``now`` falls in for an attempt finished at ``finished_at``."""
    if closes_at is not None and now >= closes_at:
        return AFTER_CLOSE
    if now < finished_at + IMMEDIATE_WINDOW:
        return IMMEDIATELY
    return LATER


@dataclasses.dataclass(frozen=True)
class PartVisibility:
    shown: bool
    shown_from: dt.datetime | None = None  # when it will be shown, if hidden now and ever later
    from_close: bool = False  # shown_from is the quiz's close time


def part_visibility(
    mask: int, finished_at: dt.datetime, closes_at: dt.datetime | None, now: dt.datetime
) -> PartVisibility:
    current = review_time(finished_at, closes_at, now)
    if mask & current:
        return PartVisibility(True)
    if current == IMMEDIATELY and mask & LATER:
        later_from = finished_at + IMMEDIATE_WINDOW
        if closes_at is None or later_from < closes_at:
            return PartVisibility(False, later_from)
    if current != AFTER_CLOSE and mask & AFTER_CLOSE and closes_at is not None:
        return PartVisibility(False, closes_at, from_close=True)
    return PartVisibility(False)


def visibility(
    quiz, finished_at: dt.datetime, closes_at: dt.datetime | None, now: dt.datetime
) -> dict[str, PartVisibility]:
    """Each part's visibility for a learner's finished attempt of ``quiz``."""
    return {
        part: part_visibility(getattr(quiz, f"review_{part}_when"), finished_at, closes_at, now)
        for part in PARTS
    }


def visibility_now(
    attempt, closes_at: dt.datetime | None, now: dt.datetime, staff: bool
) -> dict[str, PartVisibility]:
    """What the review of ``attempt`` shows at ``now``; staff see everything. ``closes_at`` is
    the learner's close time: the quiz's, or their override's."""
    if staff or attempt.finished_at is None:
        return {part: PartVisibility(staff) for part in PARTS}
    return visibility(attempt.quiz, attempt.finished_at, closes_at, now)


def shown_later(parts: dict[str, PartVisibility]) -> list[tuple[str, PartVisibility]]:
    """The hidden parts that will be shown later, in PARTS order, for the review's notice."""
    return [(part, parts[part]) for part in PARTS if not parts[part].shown and parts[part].shown_from]
