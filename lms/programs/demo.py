"""Demo: import /content (programs and topics, published), then one cohort per Quảng Ninh
program in the province unit, taught by ``giangvien``; ``hocvien`` enrolled in the UBND one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.db import utcnow
from lms.org.models import CadreProfile
from lms.org.services import unit_by_code
from lms.paths import content_dir
from lms.programs.content_files import import_content
from lms.programs.models import Cohort, Program
from lms.programs.services import create_cohort, enroll

CONTENT = content_dir()
LEARNER_PROGRAM = "qn-2022-ubnd"
FIRST_DAY = dt.date(2026, 12, 7)


def load_content(session: Session) -> str:
    if not (CONTENT / "programs").is_dir() or not (CONTENT / "topics").is_dir():
        return (
            f"programs: no content files in {CONTENT} (programs/, topics/); nothing imported; "
            "set LMS_CONTENT_DIR to a content/ folder"
        )
    now = utcnow()
    summary = import_content(session, CONTENT, now=now)
    unit = unit_by_code(session, "qn")
    instructor = session.scalar(select(User).where(User.username == "giangvien"))
    if unit is None:
        return summary.line() + "; no unit 'qn', no demo cohorts"
    created = 0
    programs = session.scalars(select(Program).where(Program.code.like("qn-%")).order_by(Program.code))
    for program in programs:
        code = f"{program.code}-lop-1"
        cohort = session.scalar(select(Cohort).where(Cohort.code == code))
        if cohort is None:
            cohort = _cohort(session, program, code, unit, instructor, now)
            created += 1
        if program.code == LEARNER_PROGRAM:
            learner = session.scalar(
                select(CadreProfile)
                .join(User, User.id == CadreProfile.user_id)
                .where(User.username == "hocvien")
            )
            if learner is not None:
                enroll(session, None, now, cohort, learner)
    session.flush()
    return f"{summary.line()}; demo cohorts: {created} created"


def _cohort(session, program, code, unit, instructor, now) -> Cohort:
    topics = program.topics
    days = max(program.duration_days, 1)
    schedule = []
    for day in range(days):
        # spread the topics over the days, in program order
        share = topics[day * len(topics) // days : (day + 1) * len(topics) // days] or [None]
        for topic in share:
            title = topic.published.title if topic and topic.published else f"Ngày {day + 1}"
            schedule.append((FIRST_DAY + dt.timedelta(days=day), title, topic))
    return create_cohort(
        session,
        None,
        now,
        program=program,
        code=code,
        title=f"Lớp 1 — {program.title}",
        unit=unit,
        start_date=FIRST_DAY,
        end_date=FIRST_DAY + dt.timedelta(days=days - 1),
        instructors=[instructor] if instructor else [],
        schedule=schedule,
    )
