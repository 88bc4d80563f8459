"""The learner's view of quizzes: one row per quiz (attempts, grade, attempts left, open or not),
grouped by the programs the learner is enrolled in (lms/events.py), and the activities a
course page lists. A quiz belongs to a program through ``Quiz.program_code``."""

from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import events, numerals
from lms.auth.models import User
from lms.quizzes import services
from lms.quizzes.models import Attempt, AttemptState, Quiz, QuizOverride
from lms.web import now

STAGE = {"entrance": "entrance", "practice": "topics", "exit": "exit", "final": "exit"}
PURPOSE_ORDER = {"entrance": 0, "practice": 1, "exit": 2, "final": 3}


def quiz_rows(session: Session, user: User, quizzes: list[Quiz], at: dt.datetime) -> list[dict]:
    attempts: dict[int, list[Attempt]] = {}
    if quizzes:
        rows = session.scalars(
            select(Attempt)
            .where(Attempt.user_id == user.id, Attempt.quiz_id.in_([q.id for q in quizzes]))
            .order_by(Attempt.number)
        )
        for attempt in rows:
            attempts.setdefault(attempt.quiz_id, []).append(attempt)
    overridden = {
        o.quiz_id for o in session.scalars(select(QuizOverride).where(QuizOverride.user_id == user.id))
    }
    out = []
    for quiz in quizzes:
        mine = attempts.get(quiz.id, [])
        finished = [a.score for a in mine if a.state is AttemptState.finished and a.score is not None]
        rules = services.rules_for(session, quiz, user) if quiz.id in overridden else None
        allowed = rules.attempts_allowed if rules else quiz.attempts_allowed
        out.append(
            {
                "quiz": quiz,
                "attempts": mine,
                "open": next((a for a in mine if a.is_open), None),
                "grade": services.quiz_grade(finished, quiz.grading_method),
                "allowed": allowed,
                "attempts_left": None if not allowed else max(0, allowed - len(mine)),
                "time_limit": rules.time_limit_minutes if rules else quiz.time_limit_minutes,
                "closes_at": rules.closes_at if rules else quiz.closes_at,
                "is_open": rules.is_open(at) if rules else quiz.is_open(at),
            }
        )
    return out


def _order(row: dict) -> tuple:
    return (PURPOSE_ORDER.get(row["quiz"].purpose.value, 9), row["quiz"].title)


def grouped(session: Session, user: User, rows: list[dict]) -> list[dict]:
    """[{"program": ProgramInfo | None, "rows": [...]}] in the order of the learner's courses,
    entrance → practice → exit → final inside each; quizzes of a program the learner is not
    enrolled in are left out; quizzes of no (known) program come last, under "other"."""
    programs = events.learner_programs(session, user)
    groups = [{"program": p, "rows": []} for p in programs["enrolled"]]
    by_code = {g["program"]["code"]: g for g in groups}
    other = {"program": None, "rows": []}
    for row in rows:
        code = row["quiz"].program_code
        if code in by_code:
            by_code[code]["rows"].append(row)
        elif not code or code not in programs["known"]:
            other["rows"].append(row)
    for group in groups + [other]:
        group["rows"].sort(key=_order)
    return [g for g in groups + [other] if g["rows"]]


def _state(row: dict) -> str:
    if row["open"]:
        return _("Đang làm dở")
    if row["grade"] is not None:
        text = numerals.score(row["grade"])
        return _("Điểm: %(s)s/10", s=text)
    if row["attempts"]:
        return _("Đã nộp")
    return _("Chưa làm")


def activities(session: Session, user: User, programs: list[dict]) -> dict[str, list[dict]]:
    codes = {p["code"] for p in programs}
    if not codes:
        return {}
    quizzes = [q for q in services.quizzes_for_learner(session, user) if q.program_code in codes]
    out: dict[str, list[dict]] = {}
    for row in quiz_rows(session, user, quizzes, now()):
        quiz = row["quiz"]
        out.setdefault(quiz.program_code, []).append(
            {
                "stage": STAGE.get(quiz.purpose.value, "topics"),
                "kind": "quiz",
                "title": quiz.title,
                "url": url_for("quizzes.intro", public_id=quiz.public_id),
                "meta": _meta(row),
                "state": _state(row),
                "order": PURPOSE_ORDER.get(quiz.purpose.value, 9),
            }
        )
    return out


def _meta(row: dict) -> str:
    parts = []
    if row["time_limit"]:
        parts.append(ngettext("%(num)s phút", "%(num)s phút", row["time_limit"]))
    if row["allowed"]:
        parts.append(_("còn %(n)s/%(m)s lượt", n=row["attempts_left"], m=row["allowed"]))
    return " · ".join(parts)


events.program_activity_providers.append(activities)


def _shows_anything(quiz: Quiz) -> bool:
    # any part shown at any time (the review page itself says what shows when)
    return bool(quiz.review_score_when or quiz.review_right_answers_when or quiz.review_feedback_when)


def result_reviews(session: Session, user: User, results: list) -> dict[int, dict]:
    """The review of each quiz result: the attempt's review page once the attempt is closed and
    it is the learner's own; otherwise why not (the page would refuse or redirect)."""
    wanted = {r.origin_id: r for r in results if r.kind == "quiz"}
    if not wanted:
        return {}
    attempts = {a.id: a for a in session.scalars(select(Attempt).where(Attempt.id.in_(list(wanted))))}
    out = {}
    for origin_id, result in wanted.items():
        attempt = attempts.get(origin_id)
        if attempt is None:
            out[result.id] = {"url": None, "why_not": _("Bài làm này không còn trên hệ thống.")}
        elif attempt.user_id != user.id:
            out[result.id] = {"url": None, "why_not": _("Bài làm thuộc tài khoản khác.")}
        elif attempt.is_open:
            out[result.id] = {"url": None, "why_not": _("Bài làm chưa nộp.")}
        elif not _shows_anything(attempt.quiz):
            out[result.id] = {
                "url": url_for("quizzes.review", public_id=attempt.public_id),
                "why_not": _("Bài kiểm tra này không cho xem điểm từng câu, đáp án hay nhận xét."),
            }
        else:
            out[result.id] = {"url": url_for("quizzes.review", public_id=attempt.public_id), "why_not": None}
    return out


events.result_review_providers.append(result_reviews)
