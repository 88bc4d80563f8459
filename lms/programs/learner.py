"""What programs tells other features about a learner's courses (lms/events.py): the programs
they are enrolled in (with the cohort and the program's target groups) and which program codes
exist at all. Quizzes and scenarios use it to list their items inside the learner's courses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms import events
from lms.org.models import CadreProfile
from lms.programs.models import Cohort, Enrollment, Program


def enrolled_programs(session: Session, user: Any) -> dict:
    known = set(session.scalars(select(Program.code)))
    # the enrollments of the user's profile in one statement (no profile: none)
    enrollments = session.scalars(
        select(Enrollment)
        .join(Cohort)
        .join(CadreProfile, CadreProfile.id == Enrollment.profile_id)
        .where(CadreProfile.user_id == user.id)
        .options(
            selectinload(Enrollment.cohort).selectinload(Cohort.program).selectinload(Program.target_groups)
        )
        .order_by(Cohort.start_date.desc())
    )
    enrolled, seen = [], set()
    for enrollment in enrollments:
        program = enrollment.cohort.program
        if program.code in seen:  # a second cohort of the same program: its items are the same
            continue
        seen.add(program.code)
        enrolled.append(
            {
                "code": program.code,
                "title": program.title,
                "cohort_id": enrollment.cohort_id,
                "cohort_title": enrollment.cohort.title,
                "target_groups": [g.code for g in program.target_groups],
            }
        )
    return {"enrolled": enrolled, "known": known}


events.learner_program_resolvers.append(enrolled_programs)
