"""Sequential cohort ids are scoped like every other object: a board member outside the
cohort's unit (and with no cadre of their own in it) gets a 404 that shows nothing, not the
cohort's title. The other ``<int:...>`` routes are checked for the same fault."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.auth.models import Role
from lms.evaluation import services
from lms.programs.models import Cohort, Program
from tests.evaluation.helpers import result

SECRET = "Lớp bí mật của xã An"


@pytest.fixture()
def cohort_a(session, world, factory):
    program = Program(code="p-scope", title="Chương trình phạm vi", duration_days=5)
    session.add(program)
    session.flush()
    cohort = Cohort(
        code="lop-scope-a",
        title=SECRET,
        program_id=program.id,
        unit_id=world.commune_a.id,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 5),
    )
    session.add(cohort)
    session.flush()
    cadre = factory.profile(unit=world.commune_a, name="Cán Bộ Lớp An")
    result(session, cadre, "exit", 8.0, details=None)
    services.recompute(session, cadre.id, cohort.id)
    session.commit()
    return cohort


def test_board_outside_the_cohort_gets_404(client, world, factory, session, login_as, cohort_a):
    board_b = factory.user(Role.board, world.commune_b, username="board-b-scope")
    session.commit()
    login_as(board_b)
    response = client.get(f"/evaluation/cohorts/{cohort_a.id}")
    assert response.status_code == 404
    assert SECRET not in response.get_data(as_text=True)
    assert client.get("/evaluation/cohorts/2147483000").status_code == 404  # unknown: same answer


def test_board_inside_sees_the_cohort(client, world, login_as, cohort_a):
    login_as(world.board_a)
    response = client.get(f"/evaluation/cohorts/{cohort_a.id}")
    assert response.status_code == 200 and SECRET in response.get_data(as_text=True)


def test_admin_sees_the_cohort(client, world, login_as, cohort_a):
    login_as(world.users["admin"])
    assert SECRET in client.get(f"/evaluation/cohorts/{cohort_a.id}").get_data(as_text=True)


def test_survey_of_a_cohort_one_is_not_in_is_refused(client, world, login_as, cohort_a):
    login_as(world.users["learner"])
    response = client.get(f"/evaluation/survey/{cohort_a.id}")
    assert response.status_code in (403, 404)
    assert SECRET not in response.get_data(as_text=True)
