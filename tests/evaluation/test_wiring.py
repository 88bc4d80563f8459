"""Records follow their inputs without anyone calling evaluation: results find their cohort,
attendance changes and program imports reach evaluation through lms.events."""

import datetime as dt

from sqlalchemy import select

from lms.evaluation.models import EvaluationRecord, EvaluationScheme
from lms.programs import services as programs
from tests.evaluation.helpers import result
from tests.programs.conftest import NOW, course  # noqa: F401  (fixture)


def test_quiz_result_of_an_enrolled_cadre_lands_in_the_cohort_record(session, course):  # noqa: F811
    learner = course.enrollment.profile
    entrance = result(
        session,
        learner,
        "entrance",
        4.0,
        cohort_id=None,
        program=course.program.code,
        when=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    assert entrance.cohort_id == course.cohort.id  # taken before the first session: still this cohort
    result(
        session,
        learner,
        "exit",
        9.0,
        cohort_id=None,
        program=course.program.code,
        when=dt.datetime(2026, 12, 11, tzinfo=dt.UTC),
    )
    record = session.scalar(select(EvaluationRecord).where(EvaluationRecord.cadre_id == learner.id))
    assert record is not None and record.cohort_id == course.cohort.id
    other_program = result(session, learner, "exit", 9.0, cohort_id=None, program="khong-co")
    assert other_program.cohort_id is None


def test_attendance_change_recomputes_the_certificate(session, course):  # noqa: F811
    learner = course.enrollment.profile
    result(
        session,
        learner,
        "exit",
        9.0,
        cohort_id=None,
        program=course.program.code,
        when=dt.datetime(2026, 12, 11, tzinfo=dt.UTC),
    )
    record = session.scalar(select(EvaluationRecord).where(EvaluationRecord.cadre_id == learner.id))
    assert not record.certificate  # no attendance yet
    for cohort_session in course.cohort.sessions:
        programs.record_attendance(
            session, course.instructor, NOW, course.cohort, cohort_session, {course.enrollment.id: "present"}
        )
    session.refresh(record)
    assert record.certificate, record.certificate_reason


def test_program_import_keeps_the_scheme_in_step(session, course):  # noqa: F811
    schemes = session.scalars(
        select(EvaluationScheme).where(EvaluationScheme.program_code == course.program.code)
    ).all()
    assert schemes, "the imported program's evaluation block made no scheme"
