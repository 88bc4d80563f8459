from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.auth.models import Role
from lms.programs import services as svc
from lms.programs.content_files import import_content
from lms.programs.models import Cohort, Enrollment, Program, Topic

DATA = Path(__file__).parent / "data" / "content"
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


@dataclasses.dataclass
class Course:
    program: Program
    cohort: Cohort
    enrollment: Enrollment
    topic: Topic  # t-chung-1 (with lessons)
    other_topic: Topic  # t-ubnd-1
    instructor: object
    other_instructor: object


@pytest.fixture()
def course(session, factory, world) -> Course:
    """The fixture content imported; a cohort in the province taught by the world's instructor,
    with the world's learner (commune A) enrolled."""
    import_content(session, DATA, now=NOW)
    program = session.scalar(select(Program).where(Program.code == "p-ubnd"))
    topics = {t.code: t for t in program.topics}
    instructor = world.users["instructor"]
    other = factory.user(Role.instructor, world.commune_b, username="gv-khac")
    cohort = svc.create_cohort(
        session,
        None,
        NOW,
        program=program,
        code="lop-thu",
        title="Lớp thử",
        unit=world.province,
        start_date=dt.date(2026, 12, 7),
        end_date=dt.date(2026, 12, 11),
        instructors=[instructor],
        schedule=[
            (dt.date(2026, 12, 7), "Ngày 1", topics["t-chung-1"]),
            (dt.date(2026, 12, 8), "Ngày 2", None),
        ],
    )
    profile = factory.profile(user=world.users["learner"], name="Nguyễn Văn Học")
    enrollment = svc.enroll(session, None, NOW, cohort, profile)
    session.commit()
    return Course(program, cohort, enrollment, topics["t-chung-1"], topics["t-ubnd-1"], instructor, other)
