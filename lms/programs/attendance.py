"""Attendance of a cohort's sessions: the recorded statuses, recording them (one by one or
"Có mặt tất cả") and the attended/scheduled summary other features read.

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import audit, events
from lms.errors import LmsError, NotFound
from lms.programs.models import Attendance, AttendanceStatus, Cohort, CohortSession, Enrollment


def attendance_map(session: Session, cohort: Cohort) -> dict[tuple[int, int], AttendanceStatus]:
    rows = session.execute(
        select(Attendance.enrollment_id, Attendance.session_id, Attendance.status)
        .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
        .where(Enrollment.cohort_id == cohort.id)
    )
    return {(e, s): status for e, s, status in rows}


def record_attendance(
    session: Session,
    actor: Any,
    now: dt.datetime,
    cohort: Cohort,
    cohort_session: CohortSession,
    statuses: dict[int, str],
    *,
    how: str = "form",
) -> int:
    """Upsert one status per enrollment for one session; returns how many changed.
    ``how`` names the button in the audit entry ("form" or "all_present")."""
    if cohort_session.cohort_id != cohort.id:
        raise NotFound(_("Buổi học không thuộc lớp này."))
    enrollments = {e.id for e in cohort.enrollments}
    existing = {
        a.enrollment_id: a
        for a in session.scalars(select(Attendance).where(Attendance.session_id == cohort_session.id))
    }
    changed = 0
    for enrollment_id, value in statuses.items():
        if enrollment_id not in enrollments:
            raise LmsError(_("Danh sách điểm danh có học viên không thuộc lớp này."))
        if not value:
            continue
        try:
            status = AttendanceStatus(value)
        except ValueError:
            raise LmsError(_("Trạng thái điểm danh không hợp lệ.")) from None
        row = existing.get(enrollment_id)
        if row is None:
            session.add(
                Attendance(
                    enrollment_id=enrollment_id,
                    session_id=cohort_session.id,
                    status=status,
                    recorded_by_id=actor.id,
                    recorded_at=now,
                )
            )
            changed += 1
        elif row.status is not status:
            row.status, row.recorded_by_id, row.recorded_at = status, actor.id, now
            changed += 1
    session.flush()
    audit.record(
        session,
        actor,
        "cohort.attendance",
        "cohort_session",
        cohort_session.id,
        after={"changed": changed, "how": how},
        now=now,
    )
    if changed:
        events.attendance_changed.send(session, cohort_id=cohort.id)
    return changed


def record_all_present(
    session: Session,
    actor: Any,
    now: dt.datetime,
    cohort: Cohort,
    cohort_session: CohortSession,
    statuses: dict[int, str],
) -> tuple[int, int]:
    """The "Có mặt tất cả" button: what the form chose is saved as it is, and every learner with nothing
    recorded for this session and nothing chosen is recorded present. A status already recorded
    (an absence above all) is never overwritten by the button: the monitor marks the few absent
    learners, then everybody else in one tap. Returns (learners marked present, changes)."""
    recorded = set(
        session.scalars(select(Attendance.enrollment_id).where(Attendance.session_id == cohort_session.id))
    )
    filled = dict(statuses)
    for enrollment_id, value in statuses.items():
        if not value and enrollment_id not in recorded:
            filled[enrollment_id] = AttendanceStatus.present.value
    marked = sum(1 for e, v in filled.items() if v != statuses[e])
    changed = record_attendance(session, actor, now, cohort, cohort_session, filled, how="all_present")
    return marked, changed


def attendance_summary(session: Session, enrollment: Enrollment) -> tuple[int, int]:
    """(sessions attended, sessions scheduled) for one enrollment; "excused" is not attended.

    For other features (evaluation: "attend the whole program")."""
    scheduled = session.scalar(
        select(func.count(CohortSession.id)).where(CohortSession.cohort_id == enrollment.cohort_id)
    )
    present = session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.enrollment_id == enrollment.id, Attendance.status == AttendanceStatus.present
        )
    )
    return int(present or 0), int(scheduled or 0)
