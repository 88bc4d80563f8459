"""The cohort gradebook: every learner × every component with its state, read from the record
(or computed from the results when there is none), scoped like the cohort page, CSV neutralised."""

from __future__ import annotations

import csv
import html
import io

from lms.evaluation import services
from lms.programs import services as psvc
from tests.evaluation.helpers import result
from tests.programs.conftest import NOW, course  # noqa: F401  (the fixture)


def _book(course, factory, session, world):  # noqa: F811
    hostile = factory.profile(unit=world.commune_a, name='=HYPERLINK("http://x")')
    far = factory.profile(unit=world.commune_b, name="Cán Bộ Xã Bê")
    for profile in (hostile, far):
        psvc.enroll(session, None, NOW, course.cohort, profile)
    learner = course.enrollment.profile
    cohort_id = course.cohort.id
    result(session, learner, "exit", 8.0, cohort_id=cohort_id, program=course.program.code)
    result(session, learner, "scenario", 6.5, cohort_id=cohort_id, program=course.program.code, pending=True)
    services.recompute(session, learner.id, cohort_id)
    session.commit()
    return learner, hostile, far


def test_gradebook_lists_every_component_scoped(client, login_as, world, factory, session, course):  # noqa: F811
    learner, hostile, far = _book(course, factory, session, world)
    login_as(world.board_a)
    response = client.get(f"/evaluation/cohorts/{course.cohort.id}/gradebook")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert learner.full_name in page and hostile.full_name in page
    assert far.full_name not in page  # commune B is outside board A's subtree
    row = page.split(learner.full_name, 1)[1].split("</tr>", 1)[0]
    assert "8,00" in row and "chờ chấm" in row and "còn thiếu" in row
    other = page.split(hostile.full_name, 1)[1].split("</tr>", 1)[0]
    assert "chưa có hồ sơ" in other and "còn thiếu" in other  # computed now: no results yet
    for heading in (
        "Kiểm tra đầu vào",
        "Kiểm tra đầu ra",
        "Xử lý tình huống",
        "Đánh giá của giảng viên",
        "Chuyên cần",
    ):
        assert heading in page


def test_gradebook_csv_neutralises_formulas(client, login_as, world, factory, session, course):  # noqa: F811
    learner, hostile, far = _book(course, factory, session, world)
    login_as(world.users["admin"])
    response = client.get(f"/evaluation/cohorts/{course.cohort.id}/gradebook.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Họ và tên", "Đơn vị", "Kiểm tra đầu vào"]
    names = [r[0] for r in rows[1:]]
    assert "'" + hostile.full_name in names and hostile.full_name not in names
    assert far.full_name in names  # admin sees every unit
    mine = next(r for r in rows if r[0] == learner.full_name)
    assert "8,00" in mine and any("chờ chấm" in cell for cell in mine)


def test_gradebook_is_refused_to_learners_and_unknown_cohorts(client, login_as, world, session, course):  # noqa: F811
    login_as(world.users["learner"])
    assert client.get(f"/evaluation/cohorts/{course.cohort.id}/gradebook").status_code == 403
    client.post("/logout", data={"csrf_token": _token(client)})
    login_as(world.users["admin"])
    assert client.get("/evaluation/cohorts/99999/gradebook").status_code == 404
    assert client.get("/evaluation/cohorts/99999/gradebook.csv").status_code == 404


def _token(client):
    from tests.fixtures import csrf_token

    return csrf_token(client, "/")
