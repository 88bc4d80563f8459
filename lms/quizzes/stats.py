"""Quiz statistics in the manner of Moodle's report, in pure Python.

Per question (a question version, across the attempts that showed it):
- facility index: mean of score/max (0..1);
- standard deviation of score/max (sample, n-1);
- discrimination index: Pearson correlation between the question's score and the score on the
  rest of the test (total minus this question), so the question does not correlate with itself;
- discriminative efficiency: that covariance divided by the largest covariance the two
  distributions allow (both sorted and paired), i.e. how close the question gets to the
  best discrimination its own difficulty permits.
Per quiz: Cronbach's alpha over slot positions, k/(k-1) * (1 - sum(item variances) / total
variance); the score distribution on 10 bins; mean, median, standard deviation.
Flagged: facility < 0.2 (too hard) or > 0.95 (too easy), discrimination < 0.2.

One pass over (attempt, position, question, awarded, max) rows: O(rows), fine for 10,000
attempts. Attempts still waiting for essay grades are left out.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.quizzes.models import Attempt, AttemptSlot, AttemptState, Question, QuestionVersion, Quiz

FACILITY_LOW, FACILITY_HIGH, DISCRIMINATION_LOW = 0.2, 0.95, 0.2
# A flag is stored (quiz_stats.data) as its Vietnamese code and shown through its catalog label.
TOO_HARD, TOO_EASY, POOR_DISCRIMINATION = "quá khó", "quá dễ", "phân loại kém"
FLAG_LABELS = {TOO_HARD: _l("quá khó"), TOO_EASY: _l("quá dễ"), POOR_DISCRIMINATION: _l("phân loại kém")}


def flag_label(flag: str) -> str:
    """The flag in the request's language (an unknown one as stored)."""
    return str(FLAG_LABELS.get(flag, flag))


@dataclasses.dataclass
class QuestionStat:
    key: int
    label: str
    count: int
    facility: float
    sd: float | None
    discrimination: float | None
    efficiency: float | None
    flags: list[str]


@dataclasses.dataclass
class Report:
    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None
    distribution: list[int]  # attempts per score band [0,1), [1,2), ... [9,10]
    questions: list[QuestionStat]


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _variance(xs: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def _covariance(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    cov, vx, vy = _covariance(xs, ys), _variance(xs), _variance(ys)
    if cov is None or not vx or not vy:
        return None
    return cov / math.sqrt(vx * vy)


def _efficiency(xs: list[float], ys: list[float]) -> float | None:
    cov, best = _covariance(xs, ys), _covariance(sorted(xs), sorted(ys))
    if cov is None or not best:
        return None
    return cov / best


def compute(
    rows: Iterable[tuple[int, int, int, float, float]], labels: dict[int, str] | None = None
) -> Report:
    """rows: (attempt, position, question key, awarded points, max points)."""
    totals: dict[int, float] = defaultdict(float)
    maxima: dict[int, float] = defaultdict(float)
    by_question: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    by_position: dict[int, dict[int, float]] = defaultdict(dict)
    for attempt, position, key, awarded, maximum in rows:
        totals[attempt] += awarded
        maxima[attempt] += maximum
        by_question[key].append((attempt, awarded, maximum))
        by_position[position][attempt] = awarded
    scores = [10 * totals[a] / maxima[a] if maxima[a] else 0.0 for a in totals]
    questions = []
    for key, items in by_question.items():
        fractions = [awarded / maximum if maximum else 0.0 for _, awarded, maximum in items]
        rest = [totals[attempt] - awarded for attempt, awarded, _ in items]
        facility = _mean(fractions)
        variance = _variance(fractions)
        discrimination = _correlation(fractions, rest)
        flags = []
        if facility < FACILITY_LOW:
            flags.append(TOO_HARD)
        if facility > FACILITY_HIGH:
            flags.append(TOO_EASY)
        if discrimination is not None and discrimination < DISCRIMINATION_LOW:
            flags.append(POOR_DISCRIMINATION)
        questions.append(
            QuestionStat(
                key=key,
                label=(labels or {}).get(key, str(key)),
                count=len(items),
                facility=facility,
                sd=math.sqrt(variance) if variance is not None else None,
                discrimination=discrimination,
                efficiency=_efficiency(fractions, rest),
                flags=flags,
            )
        )
    questions.sort(key=lambda q: q.label)
    return Report(
        attempts=len(totals),
        mean=_mean(scores) if scores else None,
        median=_median(scores),
        sd=math.sqrt(v) if (v := _variance(scores)) is not None else None,
        alpha=_alpha(by_position, totals),
        distribution=_distribution(scores),
        questions=questions,
    )


def _median(xs: list[float]) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def _alpha(by_position: dict[int, dict[int, float]], totals: dict[int, float]) -> float | None:
    k = len(by_position)
    complete = [a for a in totals if all(a in items for items in by_position.values())]
    if k < 2 or len(complete) < 2:
        return None
    item_var = sum(_variance([items[a] for a in complete]) or 0.0 for items in by_position.values())
    total_var = _variance([totals[a] for a in complete])
    if not total_var:
        return None
    return k / (k - 1) * (1 - item_var / total_var)


def _distribution(scores: list[float]) -> list[int]:
    bands = [0] * 10
    for score in scores:
        bands[min(9, max(0, int(score)))] += 1
    return bands


def quiz_statistics(session: Session, quiz: Quiz) -> Report:
    rows = session.execute(
        select(
            AttemptSlot.attempt_id,
            AttemptSlot.position,
            AttemptSlot.question_version_id,
            AttemptSlot.awarded,
            AttemptSlot.points,
        )
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.finished, Attempt.pending.is_(False))
        .where(AttemptSlot.points > 0)  # a description is worth nothing: not an item of the test
    ).all()
    labels = {
        version_id: f"{code} (v{version})"
        for version_id, code, version in session.execute(
            select(QuestionVersion.id, Question.code, QuestionVersion.version)
            .join(Question)
            .where(QuestionVersion.id.in_({row[2] for row in rows}))
        )
    }
    return compute(((a, p, k, aw or 0.0, mx) for a, p, k, aw, mx in rows), labels)
