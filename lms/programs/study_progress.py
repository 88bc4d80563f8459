"""A learner's courses: their enrollments, progress per topic (studied, time spent, last
lesson), where "Học tiếp" leads and the access check for a topic.

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms.errors import Forbidden
from lms.org.models import CadreProfile
from lms.programs.models import Cohort, Enrollment, Program, ProgramTopic, Topic, TopicProgress, TopicVersion

BEACON_CAP_SECONDS = 120


# --- learners -------------------------------------------------------------------------------


def profile_of(session: Session, user: Any) -> CadreProfile | None:
    return session.scalar(select(CadreProfile).where(CadreProfile.user_id == user.id))


def my_enrollments(session: Session, user: Any) -> list[Enrollment]:
    profile = profile_of(session, user)
    if profile is None:
        return []
    return list(
        session.scalars(
            select(Enrollment)
            .join(Cohort)
            .where(Enrollment.profile_id == profile.id)
            .options(
                selectinload(Enrollment.cohort).selectinload(Cohort.sessions),
                selectinload(Enrollment.cohort).selectinload(Cohort.unit),
                selectinload(Enrollment.cohort)
                .selectinload(Cohort.program)
                .selectinload(Program.items)
                .selectinload(ProgramTopic.topic)
                .selectinload(Topic.versions)
                .selectinload(TopicVersion.attachments),
            )
            .order_by(Cohort.start_date.desc())
        )
    )


def learner_enrollment_for(session: Session, user: Any, topic: Topic) -> Enrollment | None:
    """The learner's enrollment whose program includes ``topic`` (most recent first)."""
    for enrollment in my_enrollments(session, user):
        if any(item.topic_id == topic.id for item in enrollment.cohort.program.items):
            return enrollment
    return None


def progress_for(session: Session, enrollment: Enrollment, topic: Topic, now: dt.datetime) -> TopicProgress:
    progress = session.scalar(
        select(TopicProgress).where(
            TopicProgress.enrollment_id == enrollment.id, TopicProgress.topic_id == topic.id
        )
    )
    if progress is None:
        progress = TopicProgress(enrollment_id=enrollment.id, topic_id=topic.id, seconds_spent=0)
        session.add(progress)
    return progress


def mark_studied(session: Session, enrollment: Enrollment, topic: Topic, now: dt.datetime) -> TopicProgress:
    progress = progress_for(session, enrollment, topic, now)
    if progress.studied_at is None:
        progress.studied_at = now
    progress.last_seen_at = now
    session.flush()
    return progress


def add_time(
    session: Session, enrollment: Enrollment, topic: Topic, seconds: int, anchor: str | None, now: dt.datetime
) -> TopicProgress:
    """A beacon from the topic page: adds at most BEACON_CAP_SECONDS and remembers the lesson."""
    progress = progress_for(session, enrollment, topic, now)
    progress.seconds_spent = (progress.seconds_spent or 0) + max(0, min(int(seconds), BEACON_CAP_SECONDS))
    if anchor is not None:
        version = topic.published
        anchors = {lesson.anchor for lesson in version.lessons} if version else set()
        if anchor in anchors or anchor == "":
            progress.last_anchor = anchor or None
    progress.last_seen_at = now
    session.flush()
    return progress


@dataclasses.dataclass(frozen=True)
class NextStep:
    """Where "Học tiếp" leads on "Khóa học của tôi"."""

    topic: Topic | None = None  # None: no button (nothing opened yet, or all studied)
    anchor: str | None = None  # the lesson last read, only when going back to that same topic
    all_studied: bool = False  # every published topic of the program is studied: congratulate


def next_step(enrollment: Enrollment, progress: dict[int, TopicProgress]) -> NextStep:
    """The topic last opened, at the lesson last read, while it is not studied yet; once it is,
    the next topic of the program (in program order, then wrapping round to one skipped earlier)
    that is not studied yet. ``progress`` is the enrollment's rows by topic id; the program's
    items are already loaded (my_enrollments), so this runs no query."""
    topics = [item.topic for item in enrollment.cohort.program.items if item.topic.published]
    studied = {topic_id for topic_id, p in progress.items() if p.studied_at is not None}
    if topics and all(t.id in studied for t in topics):
        return NextStep(all_studied=True)
    opened = [p for p in progress.values() if p.last_seen_at is not None]
    if not opened:
        return NextStep()
    last = max(opened, key=lambda p: p.last_seen_at)
    position = next((i for i, t in enumerate(topics) if t.id == last.topic_id), None)
    if position is not None and last.studied_at is None:
        return NextStep(topic=topics[position], anchor=last.last_anchor)
    start = 0 if position is None else position + 1  # a topic no longer in the program: from the top
    following = next((t for t in topics[start:] + topics[:start] if t.id not in studied), None)
    return NextStep(topic=following)


def require_learner_access(session: Session, user: Any, topic: Topic) -> Enrollment | None:
    enrollment = learner_enrollment_for(session, user, topic)
    if enrollment is None:
        raise Forbidden(_("Đồng chí chưa được ghi danh vào lớp có chuyên đề này."))
    return enrollment
