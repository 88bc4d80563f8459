"""Cohorts: creating them, enrolment, the roster and its CSV, which cohort a result belongs to
(registered with lms/events.py on import), the cohorts a staff member may open.

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from lms import audit, events
from lms.db import get_by_public_id
from lms.errors import Conflict, LmsError
from lms.org.models import CadreProfile, Unit
from lms.programs.attendance import attendance_map
from lms.programs.models import (
    ATTENDANCE_LABELS,
    Cohort,
    CohortSession,
    Enrollment,
    Program,
    ProgramTopic,
    Topic,
    TopicProgress,
)
from lms.spreadsheet import safe_row

# --- cohorts --------------------------------------------------------------------------------


def get_cohort(session: Session, public_id: str) -> Cohort:
    return get_by_public_id(
        session,
        Cohort,
        public_id,
        _("Không tìm thấy lớp bồi dưỡng."),
        selectinload(Cohort.sessions),
        selectinload(Cohort.instructors),
        selectinload(Cohort.program)
        .selectinload(Program.items)
        .selectinload(ProgramTopic.topic)
        .selectinload(Topic.versions),
    )


def create_cohort(
    session: Session,
    actor: Any,
    now: dt.datetime,
    *,
    program: Program,
    code: str,
    title: str,
    unit: Unit,
    start_date: dt.date,
    end_date: dt.date,
    instructors: Iterable[Any] = (),
    schedule: Iterable[tuple[dt.date, str, Topic | None]] = (),
) -> Cohort:
    if end_date < start_date:
        raise LmsError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if session.scalar(select(Cohort.id).where(Cohort.code == code)) is not None:
        raise Conflict(_("Mã lớp “%(code)s” đã có.", code=code))
    cohort = Cohort(
        program=program,
        code=code,
        title=title,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
        created_at=now,
        instructors=list(instructors),
    )
    cohort.sessions = [
        CohortSession(position=i, date=day, title=name, topic=topic)
        for i, (day, name, topic) in enumerate(schedule)
    ]
    session.add(cohort)
    session.flush()
    audit.record(session, actor, "cohort.create", "cohort", cohort.id, after={"code": code}, now=now)
    return cohort


def enroll(
    session: Session, actor: Any, now: dt.datetime, cohort: Cohort, profile: CadreProfile
) -> Enrollment:
    existing = session.scalar(
        select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.profile_id == profile.id)
    )
    if existing is not None:
        return existing
    enrollment = Enrollment(cohort=cohort, profile=profile, enrolled_at=now)
    session.add(enrollment)
    session.flush()
    audit.record(
        session, actor, "cohort.enroll", "cohort", cohort.id, after={"profile": profile.public_id}, now=now
    )
    return enrollment


def roster(session: Session, cohort: Cohort) -> list[Enrollment]:
    return list(
        session.scalars(
            select(Enrollment)
            .join(CadreProfile)
            .where(Enrollment.cohort_id == cohort.id)
            .options(
                selectinload(Enrollment.profile).selectinload(CadreProfile.title),
                selectinload(Enrollment.profile).selectinload(CadreProfile.unit),
            )
            .order_by(CadreProfile.name_key)
        )
    )


def cohort_for_result(session: Session, cadre_id: int, program_code: str | None, finished_at) -> int | None:
    """The cohort a result belongs to: the cadre's cohort of that program (any cohort when the
    result names no program, e.g. a scenario) that was running or still to come when the result
    was made (entrance tests come before the first session); else the one that ended last."""
    query = (
        select(Cohort.id, Cohort.start_date, Cohort.end_date)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.profile_id == cadre_id)
    )
    if program_code:
        query = query.join(Program, Program.id == Cohort.program_id).where(Program.code == program_code)
    rows = session.execute(query).all()
    if not rows:
        return None
    day = finished_at.date()
    current = sorted((r for r in rows if r.end_date >= day), key=lambda r: r.start_date)
    if current:
        return current[0].id
    return max(rows, key=lambda r: r.end_date).id


events.cohort_resolvers.append(cohort_for_result)


def progress_map(session: Session, cohort: Cohort) -> dict[tuple[int, int], TopicProgress]:
    rows = session.scalars(select(TopicProgress).join(Enrollment).where(Enrollment.cohort_id == cohort.id))
    return {(p.enrollment_id, p.topic_id): p for p in rows}


def cohort_csv(session: Session, cohort: Cohort) -> str:
    """Roster with attendance and progress; UTF-8 with BOM so Excel shows Vietnamese."""
    topics = cohort.program.topics
    sessions = cohort.sessions
    attendance = attendance_map(session, cohort)
    progress = progress_map(session, cohort)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        safe_row(["Họ và tên", "Đơn vị", "Chức danh"])
        + [f"Buổi {s.position + 1} ({s.date:%d/%m/%Y})" for s in sessions]
        + [f"{t.code} (đã học)" for t in topics]
        + [f"{t.code} (phút)" for t in topics]
    )
    for enrollment in roster(session, cohort):
        profile = enrollment.profile
        row = [profile.full_name, profile.unit.name, profile.title.name if profile.title else ""]
        for s in sessions:
            status = attendance.get((enrollment.id, s.id))
            row.append(ATTENDANCE_LABELS[status] if status else "")
        for t in topics:
            p = progress.get((enrollment.id, t.id))
            row.append("x" if p and p.studied_at else "")
        for t in topics:
            p = progress.get((enrollment.id, t.id))
            row.append(str(round((p.seconds_spent if p else 0) / 60)))
        writer.writerow(safe_row(row))
    return "\ufeff" + out.getvalue()


def cohorts_for(session: Session, user: Any, scope: ColumnElement[bool], role: str) -> list[Cohort]:
    """Cohorts a staff member may open: all (admin), their own (instructor), their subtree (board)."""
    query = select(Cohort).join(Unit, Unit.id == Cohort.unit_id).order_by(Cohort.start_date.desc())
    if role == "instructor":
        query = query.where(Cohort.instructors.any(id=user.id))
    elif role != "admin":
        query = query.where(scope)
    return list(session.scalars(query.options(selectinload(Cohort.program))))
