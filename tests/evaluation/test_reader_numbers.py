"""Numbers in the evaluation pages' messages and texts in the reader's locale: "10,5" on a
Vietnamese page, "10.5" on an English one; the same message outside a request (the CLI) keeps
Python's "10.5"; the monthly rubric's summary stored with "4.5" and shown the reader's way."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from sqlalchemy import select

from lms.errors import LmsError
from lms.evaluation import services
from lms.evaluation.models import Assessment
from lms.programs.models import Cohort, Enrollment, Program
from tests.fixtures import csrf_token

SCHEME = {
    "pass_mark": "5",
    "component_min": "5",
    "attendance_min_pct": "90",
    "bands": "Xuất sắc | 10,5\nĐạt | 5\nKhông đạt | 0",
    "rules": "",
    "note": "Thử",
    "w_entrance": "0",
    "w_exit": "0.6",
    "w_scenarios": "0.4",
    "w_assessment": "0",
    "w_attendance": "0",
    "w_reflection": "0",
}


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("vi", "Mức “Xuất sắc” phải nằm trong khoảng 0–10 (đang là 10,5)."),
        ("en", "Band “Xuất sắc” must be between 0 and 10 (it is 10.5)."),
    ],
)
def test_scheme_form_message_writes_the_number_the_readers_way(client, world, login_as, lang, message):
    login_as(world.users["admin"])
    if lang == "en":
        with client.session_transaction() as s:
            s["lang"] = "en"
    url = "/evaluation/schemes/p9/edit"
    response = client.post(url, data=dict(SCHEME, csrf_token=csrf_token(client, url)))
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))


def test_the_message_outside_a_request_keeps_pythons_numbers(app, session):
    block = {"bands": [["Xuất sắc", 10.5], ["Không đạt", 0]]}
    with app.app_context(), pytest.raises(LmsError) as caught:
        services.ensure_scheme(session, "p9", block)
    assert caught.value.message == "Mức “Xuất sắc” phải nằm trong khoảng 0–10 (đang là 10.5)."


HALF_RUBRIC = {
    "assessor": "Người hướng dẫn của sở",
    "frequency": "Hằng tháng",
    "criteria": [
        {"criterion": "Chuyên cần", "levels": [["Vắng nhiều", 0], ["Đủ buổi", 4.5]]},
        {"criterion": "Thực hành", "levels": [["Sai nhiều", 0], ["Làm tốt", 5.5]]},
    ],
}


@pytest.mark.parametrize(("lang", "shown"), [("vi", ("4,5", "5,5")), ("en", ("4.5", "5.5"))])
def test_rubric_summary_shows_its_points_the_readers_way(
    client, world, factory, session, login_as, lang, shown
):
    cadre = factory.profile(unit=world.commune_a, name="Công Chức Tư Pháp")
    program = Program(
        code="bg-nua",
        title="Tại chỗ",
        duration_days=60,
        delivery=json.dumps({"months": 3, "mentoring_unit": "Sở Tư pháp", "assessment": HALF_RUBRIC}),
    )
    cohort = Cohort(
        code="bg-nua-1",
        title="Đợt 1",
        program=program,
        unit=world.province,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 5, 31),
    )
    session.add_all([program, cohort])
    session.flush()
    session.add(Enrollment(cohort_id=cohort.id, profile_id=cadre.id))
    session.commit()
    login_as(world.users["instructor"])
    url = f"/evaluation/assess/{cadre.public_id}"
    data = {"cohort_id": str(cohort.id), "kind": "monthly", "month": "2026-03", "comment": "Tiến bộ"}
    data |= {"rubric-0": "1", "rubric-1": "1", "csrf_token": csrf_token(client, f"{url}?cohort={cohort.id}")}
    assert client.post(url, data=data).status_code == 302
    row = session.scalar(select(Assessment).where(Assessment.cadre_id == cadre.id))
    assert row.comment == "Chuyên cần: Đủ buổi (4.5); Thực hành: Làm tốt (5.5)\nTiến bộ"  # stored as data
    record = services.recompute(session, cadre.id, cohort.id)
    session.commit()
    summary = f"Chuyên cần: Đủ buổi ({shown[0]}); Thực hành: Làm tốt ({shown[1]})\nTiến bộ"
    for role, page in (("instructor", url), ("admin", f"/evaluation/records/{record.public_id}")):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        login_as(world.users[role])
        if lang == "en":
            with client.session_transaction() as s:
                s["lang"] = "en"
        response = client.get(page)
        assert response.status_code == 200, page
        assert summary in html.unescape(response.get_data(as_text=True)), page


def test_a_comment_that_is_not_the_rubrics_summary_is_shown_as_stored(app):
    from lms.evaluation.assess_views import comment_text

    with app.test_request_context():
        assert comment_text("Chuyên cần: Đủ buổi (4.5); Thực hành: Làm tốt (5.5)") == (
            "Chuyên cần: Đủ buổi (4,5); Thực hành: Làm tốt (5,5)"
        )
        for stored in ("Tốt, điểm 4.5", "Chuyên cần: Đủ (4.5); khá", "", None):
            assert comment_text(stored) == (stored or "")
