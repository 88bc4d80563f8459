"""inputs.py reads cohorts, enrollments and attendance from lms.programs; attendance feeds records."""

from lms.evaluation import inputs, services
from lms.programs import services as programs
from tests.evaluation.helpers import result
from tests.programs.conftest import NOW, course  # noqa: F401  (fixture)


def test_inputs_read_the_programs_models(session, world, factory, course):  # noqa: F811
    cohort = course.cohort
    learner = course.enrollment.profile
    other = factory.profile(unit=world.commune_a, name="Người Khác")
    other_enrollment = programs.enroll(session, None, NOW, cohort, other)
    first, second = cohort.sessions
    programs.record_attendance(
        session,
        course.instructor,
        NOW,
        cohort,
        first,
        {course.enrollment.id: "present", other_enrollment.id: "excused"},
    )
    programs.record_attendance(
        session, course.instructor, NOW, cohort, second, {course.enrollment.id: "present"}
    )

    info = inputs.cohort_info(session, cohort.id)
    assert info["program_code"] == course.program.code and info["start_date"] == cohort.start_date
    assert inputs.attendance_for(session, cohort.id, [learner.id, other.id]) == {
        learner.id: (2, 2),
        other.id: (0, 2),
    }
    assert inputs.is_enrolled(session, cohort.id, learner.id)
    assert not inputs.is_enrolled(session, cohort.id + 999, learner.id)
    assert inputs.cohort_info(session, cohort.id + 999) is None
    assert set(inputs.enrolled_cadres(session, cohort.id)) == {learner.id, other.id}

    result(session, learner, "exit", 8.0, cohort_id=cohort.id, program=course.program.code)
    record = services.recompute(session, learner.id, cohort.id)
    assert record.program_code == course.program.code
    assert {c for c, _ in services.pairs_to_evaluate(session, cohort.id)} == {learner.id, other.id}
