"""Issue #14 items 8–9 on the board's pages: cohorts are picked by name, never typed as ids, and
a refused form shows an error summary first in main (linked to the fields), not a success."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lms.auth.models import Role
from lms.evaluation import services
from lms.programs.models import Cohort, Enrollment, Program
from tests.evaluation.helpers import result
from tests.fixtures import csrf_token


def _cohort(session, program, code, title, unit, start):
    cohort = Cohort(
        code=code,
        title=title,
        program_id=program.id,
        unit_id=unit.id,
        start_date=start,
        end_date=start + dt.timedelta(days=4),
    )
    session.add(cohort)
    session.flush()
    return cohort


@pytest.fixture()
def cohorts(session, world, factory):
    program = Program(code="p-forms", title="Bồi dưỡng kỹ năng", duration_days=5)
    session.add(program)
    session.flush()
    in_a = _cohort(session, program, "lop-a", "Lớp xã An đợt 1", world.commune_a, dt.date(2026, 3, 2))
    in_b = _cohort(session, program, "lop-b", "Lớp xã Bình đợt 1", world.commune_b, dt.date(2026, 4, 6))
    cadre = factory.profile(unit=world.commune_a, name="Cán Bộ Xã An")
    session.add(Enrollment(cohort_id=in_a.id, profile_id=cadre.id))
    result(session, cadre, "exit", 8.0, cohort_id=in_a.id, details=None)
    record = services.recompute(session, cadre.id, in_a.id)
    assert record.cohort_id == in_a.id
    session.commit()
    return in_a, in_b, cadre


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', html, re.S)
    assert match, f"no select named {name}"
    return match.group(0)


def test_board_filter_lists_scoped_cohorts_by_name(client, world, cohorts, login_as):
    in_a, in_b, _cadre = cohorts
    login_as(world.board_a)
    html = client.get("/evaluation/board").get_data(as_text=True)
    select = _select(html, "cohort_id")
    assert 'type="number"' not in select and "— Tất cả —" in select
    assert f'value="{in_a.id}">Bồi dưỡng kỹ năng · Lớp xã An đợt 1 · 02/03/2026–06/03/2026</option>' in select
    assert "Lớp xã Bình" not in html  # run in commune B, no record of A's cadres: not listed


def test_board_cohort_link_keeps_working_and_is_selected(client, world, cohorts, login_as):
    in_a, _in_b, _cadre = cohorts
    login_as(world.board_a)
    html = client.get(f"/evaluation/board?cohort_id={in_a.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{in_a.id}">|<option value="{in_a.id}" selected>', html)
    assert "Cán Bộ Xã An" in html


def test_board_cohort_outside_scope_gets_the_same_answer_as_before(client, world, cohorts, login_as):
    _in_a, in_b, _cadre = cohorts
    login_as(world.board_a)
    response = client.get(f"/evaluation/board?cohort_id={in_b.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Không có cán bộ phù hợp." in html and "Cán Bộ Xã An" not in html  # the filter still applies
    assert "Lớp xã Bình" not in html  # nothing about the other commune's cohort leaks
    assert 'id="error-summary"' not in html


def test_board_lists_cohorts_with_records_admin_sees_all(
    client, world, cohorts, session, factory, login_as
):
    _in_a, in_b, _cadre = cohorts
    login_as(world.users["admin"])
    select = _select(client.get("/evaluation/board").get_data(as_text=True), "cohort_id")
    assert "Lớp xã An đợt 1" in select
    assert "Lớp xã Bình đợt 1" not in select  # no one evaluated in it yet: the filter finds no one
    in_b_cadre = factory.profile(unit=world.commune_b, name="Cán Bộ Xã Bình")
    result(session, in_b_cadre, "exit", 7.0, cohort_id=in_b.id, details=None)
    services.recompute(session, in_b_cadre.id, in_b.id)
    session.commit()
    select = _select(client.get("/evaluation/board").get_data(as_text=True), "cohort_id")
    assert "Lớp xã An đợt 1" in select and "Lớp xã Bình đợt 1" in select
    client.post("/logout", data={"csrf_token": csrf_token(client, "/evaluation/board")})
    login_as(world.board_a)
    select = _select(client.get("/evaluation/board").get_data(as_text=True), "cohort_id")
    assert "Lớp xã Bình đợt 1" not in select  # a record outside the member's scope does not list it


def test_assess_picks_the_cadres_cohorts_and_refuses_none(client, world, cohorts, session, factory, login_as):
    in_a, _in_b, cadre = cohorts
    instructor = factory.user(Role.instructor, world.commune_a, username="gv-forms")
    session.commit()
    login_as(instructor)
    page = f"/evaluation/assess/{cadre.public_id}"
    select = _select(client.get(page).get_data(as_text=True), "cohort_id")
    assert "— Chọn lớp —" in select and "Bồi dưỡng kỹ năng · Lớp xã An đợt 1" in select
    assert "Lớp xã Bình" not in select
    token = csrf_token(client, page)
    response = client.post(
        page,
        data={"csrf_token": token, "cohort_id": "", "kind": "monthly", "month": "2026-03", "points": "8"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'href="#cohort_id"' in summary and "Cần chọn lớp." in summary
    assert "Đã lưu đánh giá" not in html
    response = client.post(
        page,
        data={
            "csrf_token": token,
            "cohort_id": str(in_a.id),
            "kind": "monthly",
            "month": "2026-03",
            "points": "8",
        },
    )
    assert response.status_code == 302


def test_refused_decision_shows_summary_first_and_no_success(client, world, cohorts, login_as):
    _in_a, _in_b, cadre = cohorts
    login_as(world.board_a)
    page = f"/evaluation/dossier/{cadre.public_id}"
    assert 'id="error-summary"' not in client.get(page).get_data(as_text=True)
    token = csrf_token(client, page)
    response = client.post(f"{page}/decide", data={"csrf_token": token, "decision": "include", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    main = html[html.index('<main id="main">') :]
    assert main.index('id="error-summary"') < main.index("<h1")  # first in main, above the dossier
    assert 'role="alert"' in main[: main.index("<h1")]
    assert '<a href="#reason">' in main and "Cần ghi lý do." in main
    assert 'aria-describedby="reason-hint reason-error"' in html and 'id="reason-error"' in html
    assert "Đã ghi quyết định" not in html
    assert "js/forms.js" in html


def test_cohort_label_does_not_repeat_the_program():
    from lms.formfields import cohort_label

    start, end = dt.date(2026, 12, 7), dt.date(2026, 12, 11)
    assert cohort_label("Bồi dưỡng A", "Lớp 1", start, end) == "Bồi dưỡng A · Lớp 1 · 07/12/2026–11/12/2026"
    repeated = cohort_label("Bồi dưỡng A", "Lớp 1 — Bồi dưỡng A", start, end)
    assert repeated == "Lớp 1 — Bồi dưỡng A · 07/12/2026–11/12/2026"


@pytest.mark.parametrize("value", ["abc", "99999999999", "-3"])
def test_board_bad_cohort_value_is_a_field_error_not_a_500(client, world, cohorts, login_as, value):
    login_as(world.board_a)
    response = client.get(f"/evaluation/board?cohort_id={value}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#cohort_id"' in html and 'id="cohort_id-error"' in html
    assert "Cán Bộ Xã An" in html  # the bad filter is ignored, as before
