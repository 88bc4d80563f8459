"""Quiz statistics computed once (by the ``quiz_stats`` job, lms/jobs/kinds.py) and stored, so the
statistics page of a big exam reads figures instead of computing them in the request.

When: a quiz's close time has passed (the minute sweep asks once per close, actor = system), an
instructor closes it early ("Đóng bài kiểm tra ngay"), or someone presses "Tính lại". Storing is
an upsert keyed by the quiz, so running the job twice gives the same row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms import audit
from lms.db import Base, UTCDateTime
from lms.quizzes.models import Attempt, AttemptState, Quiz
from lms.quizzes.stats import QuestionStat, Report, quiz_statistics

# Quizzes closed longer ago than this are not looked at by the sweep (an old exam that never
# had figures is computed when someone opens its page, or with "Tính lại").
SWEEP_WINDOW = dt.timedelta(days=7)


class StoredStats(Base):
    __tablename__ = "quiz_stats"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), unique=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(24))  # public id of the job that wrote it
    data: Mapped[str] = mapped_column(Text)  # the Report as JSON

    @property
    def report(self) -> Report:
        raw = json.loads(self.data)
        questions = [QuestionStat(**q) for q in raw.pop("questions")]
        return Report(**raw, questions=questions)


def stored_for(session: Session, quiz: Quiz) -> StoredStats | None:
    return session.scalar(select(StoredStats).where(StoredStats.quiz_id == quiz.id))


def finished_count(session: Session, quiz: Quiz) -> int:
    return session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.finished
        )
    )


def compute_and_store(
    session: Session, quiz: Quiz, now: dt.datetime, actor: Any = None, job_id: str | None = None
) -> StoredStats:
    """Compute the quiz's statistics and keep them (replacing earlier figures); audited."""
    report = quiz_statistics(session, quiz)
    row = stored_for(session, quiz) or StoredStats(quiz_id=quiz.id)
    row.computed_at, row.attempts, row.job_id = now, report.attempts, job_id
    row.data = json.dumps(dataclasses.asdict(report), ensure_ascii=False)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "quiz.stats",
        "quiz",
        quiz.public_id,
        after={"attempts": report.attempts, "job": job_id},
        now=now,
    )
    return row


def closed_without_stats(session: Session, now: dt.datetime, grace: dt.timedelta) -> list[Quiz]:
    """Quizzes whose close time (plus the autosave grace) passed within SWEEP_WINDOW and whose
    stored figures, if any, are older than that close."""
    closed_before = now - grace
    query = (
        select(Quiz)
        .outerjoin(StoredStats, StoredStats.quiz_id == Quiz.id)
        .where(
            Quiz.closes_at.is_not(None),
            Quiz.closes_at < closed_before,
            Quiz.closes_at > now - SWEEP_WINDOW,
            (StoredStats.id.is_(None)) | (StoredStats.computed_at < Quiz.closes_at),
        )
        .order_by(Quiz.closes_at, Quiz.id)
    )
    return list(session.scalars(query))
