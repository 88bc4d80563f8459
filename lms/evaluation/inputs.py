"""Every read of data owned by other packages, in one place.

Results come from ``lms.results`` (the one table quizzes and scenarios write); cohorts,
enrollments and attendance from ``lms.programs``. Evaluation reads nothing else of theirs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.programs.models import Attendance, AttendanceStatus, Cohort, CohortSession, Enrollment, Program
from lms.results.models import Result


def results_for(
    session: Session,
    cadre_ids: Iterable[int],
    cohort_id: int | None = None,
    program_code: str | None = None,
) -> list[Result]:
    query = select(Result).where(Result.cadre_id.in_(list(cadre_ids)))
    if cohort_id is not None:
        query = query.where(Result.cohort_id == cohort_id)
    if program_code is not None:
        query = query.where(Result.program_code == program_code)
    return list(session.scalars(query.order_by(Result.finished_at, Result.id)))


def attendance_for(session: Session, cohort_id: int, cadre_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """cadre_id -> (sessions attended, sessions required); "excused" does not count as present."""
    ids = list(cadre_ids)
    if not ids:
        return {}
    total = session.scalar(select(func.count(CohortSession.id)).where(CohortSession.cohort_id == cohort_id))
    if not total:
        return {}
    present = func.count(Attendance.id)
    rows = session.execute(
        select(Enrollment.profile_id, present)
        .outerjoin(
            Attendance,
            (Attendance.enrollment_id == Enrollment.id) & (Attendance.status == AttendanceStatus.present),
        )
        .where(Enrollment.cohort_id == cohort_id, Enrollment.profile_id.in_(ids))
        .group_by(Enrollment.profile_id)
    )
    return {int(cadre): (int(attended), int(total)) for cadre, attended in rows}


def cohort_info(session: Session, cohort_id: int) -> dict | None:
    """{id, code, title, program_code, unit_id, start_date, end_date} or None when unknown."""
    row = session.execute(
        select(
            Cohort.id,
            Cohort.code,
            Cohort.title,
            Program.code,
            Cohort.unit_id,
            Cohort.start_date,
            Cohort.end_date,
        )
        .join(Program, Program.id == Cohort.program_id)
        .where(Cohort.id == cohort_id)
    ).first()
    if row is None:
        return None
    keys = ("id", "code", "title", "program_code", "unit_id", "start_date", "end_date")
    return dict(zip(keys, row, strict=True))


def rubric_for_cohort(session: Session, cohort_id: int) -> dict | None:
    """The monthly assessment rubric of the cohort's program (``delivery.assessment``), if any."""
    delivery = session.scalar(
        select(Program.delivery).join(Cohort, Cohort.program_id == Program.id).where(Cohort.id == cohort_id)
    )
    return (json.loads(delivery).get("assessment") or None) if delivery else None


def cohorts_of(session: Session, cadre_id: int) -> list[tuple[int, str, bool]]:
    """(cohort id, title, has a rubric) of every cohort the cadre is enrolled in, newest first."""
    rows = session.execute(
        select(Cohort.id, Cohort.title, Program.delivery)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .join(Program, Program.id == Cohort.program_id)
        .where(Enrollment.profile_id == cadre_id)
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())
    )
    return [(i, title, bool(d and json.loads(d).get("assessment"))) for i, title, d in rows]


def cohort_rows(session: Session, condition) -> list[tuple[int, str, str, Any, Any]]:
    """(id, program title, cohort title, start, end) of the cohorts whose id satisfies
    ``condition(Cohort.id)``, newest first: what a person picks a cohort by instead of its id."""
    return [
        tuple(row)
        for row in session.execute(
            select(Cohort.id, Program.title, Cohort.title, Cohort.start_date, Cohort.end_date)
            .join(Program, Program.id == Cohort.program_id)
            .where(condition(Cohort.id))
            .order_by(Cohort.start_date.desc(), Cohort.id.desc())
        )
    ]


def enrolled_in(cadre_id: int):
    """``cohort_rows`` condition: the cohorts the cadre is enrolled in."""
    return lambda cohort_id: cohort_id.in_(
        select(Enrollment.cohort_id).where(Enrollment.profile_id == cadre_id)
    )


def names_for(
    session: Session, *, cohort_ids: set[int], program_codes: set[str], user_ids: set[int]
) -> dict[str, dict]:
    """What a board reads instead of ids and codes: cohort titles, program titles, who decided."""
    from lms.auth.models import User

    def pairs(query) -> dict:
        return dict(session.execute(query).all())

    return {
        "cohorts": pairs(select(Cohort.id, Cohort.title).where(Cohort.id.in_(cohort_ids))),
        "programs": pairs(select(Program.code, Program.title).where(Program.code.in_(program_codes))),
        "users": pairs(select(User.id, User.display_name).where(User.id.in_(user_ids))),
    }


def is_enrolled(session: Session, cohort_id: int, cadre_id: int) -> bool:
    return (
        session.scalar(
            select(Enrollment.id).where(Enrollment.cohort_id == cohort_id, Enrollment.profile_id == cadre_id)
        )
        is not None
    )


def enrolled_cadres(session: Session, cohort_id: int) -> list[int]:
    return list(session.scalars(select(Enrollment.profile_id).where(Enrollment.cohort_id == cohort_id)))
