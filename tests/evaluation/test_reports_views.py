"""Reports (scope, SQL aggregates, exports), survey, schemes form, assessments, records pages."""

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from lms.evaluation import services
from lms.evaluation.models import Assessment, EvaluationScheme, SurveyResponse
from tests.evaluation.helpers import result
from tests.fixtures import csrf_token


@pytest.fixture()
def data(world, factory, session):
    a1 = factory.profile(
        unit=world.commune_a,
        name="Cán Bộ Một",
        qualifications=[
            ("professional", "dai-hoc"),
            ("professional", "trung-cap"),
            ("political", "trung-cap"),
        ],
    )
    a2 = factory.profile(unit=world.commune_a, name="Cán Bộ Hai", user=world.users["learner"])
    b1 = factory.profile(unit=world.commune_b, name="Cán Bộ Ba", qualifications=[("professional", "thac-si")])
    result(session, a1, "exit", 8.0, topic="t1")
    result(session, a1, "entrance", 4.0, topic="t1")
    result(session, a2, "exit", 4.0, topic="t1")
    result(session, b1, "exit", 9.0, topic="t2")
    session.commit()
    return a1, a2, b1


def test_report_counts_for_commune_a(client, world, data, login_as):
    login_as(world.board_a)
    response = client.get("/evaluation/reports?year_from=2022&year_to=2026")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html and "<title" in html and "<desc" in html and "style=" not in html
    assert "Thạc sĩ" not in html  # commune B's cadre is not counted
    assert "Cán bộ đã được bồi dưỡng" in html or "Số cán bộ đã được bồi dưỡng" in html


def test_report_page_writes_rates_and_average_scores_the_readers_way(client, world, data, login_as):
    """The tables keep plain numbers for the exports; the page writes them in the reader's locale:
    an average score with two decimals as every score ("6,00", not "6.0"), a rate without trailing
    zeros ("50", "50%" on the chart, not "50.0")."""
    from tests.results.test_vietnamese_numbers import visible_numbers_problems

    login_as(world.board_a)
    html = client.get("/evaluation/reports?year_from=2022&year_to=2026").get_data(as_text=True)
    assert visible_numbers_problems(html) == []
    assert "<td>t1</td><td>2</td><td>1</td><td>50</td><td>6,00</td>" in html
    assert "<td>Tổng số</td><td>2</td><td>100</td>" in html
    assert "t1: 50%" in html and ">50%</text>" in html
    assert "<td>2026</td>" in html  # a year is not a number to format
    with client.session_transaction() as signed_in:
        signed_in["lang"] = "en"
    html = client.get("/evaluation/reports?year_from=2022&year_to=2026").get_data(as_text=True)
    assert "<td>t1</td><td>2</td><td>1</td><td>50</td><td>6.00</td>" in html


def test_report_scope_is_enforced(client, world, data, login_as):
    login_as(world.board_a)
    assert client.get(f"/evaluation/reports?unit_id={world.commune_b.id}").status_code == 403
    assert client.get(f"/evaluation/reports/export.xlsx?unit_id={world.commune_b.id}").status_code == 403
    assert client.get(f"/evaluation/reports/export.csv?unit_id={world.province.id}").status_code == 403
    assert client.get("/evaluation/reports/export.pdf").status_code == 404
    assert client.get("/evaluation/reports?year_from=abc").status_code == 200


def test_report_xlsx_and_csv(client, world, data, login_as):
    login_as(world.board_a)
    response = client.get("/evaluation/reports/export.xlsx?year_from=2022&year_to=2026")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Thông tin"
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    participation = next(rows for name, rows in sheets.items() if name == "Lượt người")
    assert participation[1] == ("Chương trình", "Năm", "Lượt người")
    assert participation[2] == ("p1", 2026, 2)
    pro = next(rows for name, rows in sheets.items() if name == "Trình độ chuyên môn")
    counts = {row[0]: row[1] for row in pro[2:]}
    assert counts == {"Đại học": 1, "Chưa có": 1, "Tổng số": 2}  # highest level only, one per cadre
    pass_topic = next(rows for name, rows in sheets.items() if name == "Tỷ lệ đạt theo chuyên đề")
    assert pass_topic[2] == ("t1", 2, 1, 50.0, 6.0)
    response = client.get("/evaluation/reports/export.csv?year_from=2022&year_to=2026")
    assert response.data.startswith("\ufeff".encode())
    text = response.data.decode("utf-8-sig")
    assert "Lượt người" in text and "Cán Bộ Ba" not in text


def test_survey_only_for_participants_once(client, world, data, session, login_as):
    login_as(world.users["learner"])
    assert client.get("/evaluation/survey/99").status_code == 403
    assert client.get("/evaluation/survey/1").status_code == 200
    token = csrf_token(client, "/evaluation/survey/1")
    assert client.post("/evaluation/survey/1", data={"csrf_token": token}).status_code == 400
    response = client.post(
        "/evaluation/survey/1",
        data={"csrf_token": token, "improvement": "kha_tich_cuc", "needs_update": "y", "comment": "Hữu ích"},
    )
    assert response.status_code == 302
    row = session.scalar(select(SurveyResponse))
    assert row.improvement == "kha_tich_cuc" and row.needs_update and row.program_code == "p1"
    client.post("/evaluation/survey/1", data={"csrf_token": token, "improvement": "tich_cuc"})
    assert session.query(SurveyResponse).count() == 1
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as(world.board_a)
    html = client.get("/evaluation/reports?year_from=2022&year_to=2030").get_data(as_text=True)
    assert "Tự đánh giá sau bồi dưỡng (1 phiếu)" in html


def test_scheme_form_creates_a_new_version(client, world, session, login_as):
    login_as(world.users["admin"])
    assert client.get("/evaluation/schemes").status_code == 200
    page = client.get("/evaluation/schemes/p9/edit")
    assert page.status_code == 200
    token = csrf_token(client, "/evaluation/schemes/p9/edit")
    form = {
        "csrf_token": token,
        "pass_mark": "5",
        "component_min": "5",
        "attendance_min_pct": "90",
        "bands": "Xuất sắc | 9\nĐạt | 5\nKhông đạt | 0",
        "rules": "total_below | 5 | propose_removal | Dưới 5 điểm | Nghị quyết tỉnh số 1",
        "note": "Theo kế hoạch năm 2026",
        "w_entrance": "0",
        "w_exit": "0.6",
        "w_scenarios": "0.4",
        "w_assessment": "0",
        "w_attendance": "0",
        "w_reflection": "0",
    }
    assert client.post("/evaluation/schemes/p9/edit", data=form).status_code == 302
    scheme = session.scalar(select(EvaluationScheme).where(EvaluationScheme.program_code == "p9"))
    assert scheme.version == 1 and scheme.attendance_min_pct == 90 and scheme.rules_data[0]["value"] == 5.0
    bad = dict(form, rules="total_below | 5 | fire_them | x | y")
    response = client.post("/evaluation/schemes/p9/edit", data=bad)
    assert response.status_code == 200 and "fire_them" in response.get_data(as_text=True)
    bad = dict(form, bands="Xuất sắc nine")
    assert "Dòng 1" in client.post("/evaluation/schemes/p9/edit", data=bad).get_data(as_text=True)


def test_board_cannot_edit_schemes(client, world, login_as):
    login_as(world.board_a)
    assert client.get("/evaluation/schemes").status_code == 403


def test_instructor_assessment_in_scope(client, world, data, session, login_as):
    a1, _, b1 = data
    instructor = world.users["instructor"]  # at the province: both communes in scope
    login_as(instructor)
    token = csrf_token(client, f"/evaluation/assess/{a1.public_id}")
    response = client.post(
        f"/evaluation/assess/{a1.public_id}",
        data={"csrf_token": token, "cohort_id": "1", "kind": "monthly", "month": "2026-03", "points": "7,5"},
    )
    assert response.status_code in (302, 400)
    response = client.post(
        f"/evaluation/assess/{a1.public_id}",
        data={"csrf_token": token, "cohort_id": "1", "kind": "monthly", "month": "2026-03", "points": "7.5"},
    )
    assert response.status_code == 302
    assert session.scalar(select(Assessment)).points == 7.5
    record = services.recompute(session, a1.id, 1)
    assert record.components_data["assessment"]["score"] == "7.50"
    response = client.post(
        f"/evaluation/assess/{a1.public_id}",
        data={"csrf_token": token, "cohort_id": "1", "kind": "monthly", "month": "3/2026", "points": "11"},
    )
    assert response.status_code == 400


def test_record_page_finalize_and_correct(client, world, data, session, login_as):
    a1, _, _ = data
    record = services.recompute(session, a1.id, 1)
    session.commit()
    login_as(world.users["admin"])
    html = client.get(f"/evaluation/records/{record.public_id}").get_data(as_text=True)
    assert "chia lại" in html  # only exit and entrance present
    token = csrf_token(client, "/evaluation/cohorts/1")
    assert client.post("/evaluation/cohorts/1/finalize", data={"csrf_token": token}).status_code == 302
    html = client.get(f"/evaluation/records/{record.public_id}").get_data(as_text=True)
    assert "Đã chốt" in html
    response = client.post(f"/evaluation/records/{record.public_id}/correct", data={"csrf_token": token})
    assert response.status_code == 400  # refused in place: the summary, no success flash
    refused = response.get_data(as_text=True)
    assert 'id="error-summary"' in refused and 'href="#reason"' in refused
    assert "Đã lưu bản đính chính" not in refused
    response = client.post(
        f"/evaluation/records/{record.public_id}/correct",
        data={"csrf_token": token, "reason": "Phúc khảo bài kiểm tra đầu ra"},
    )
    assert response.status_code == 302
    assert "Phúc khảo" in client.get(f"/evaluation/records/{record.public_id}").get_data(as_text=True)


def test_board_b_cannot_open_records_of_commune_a(client, world, data, session, factory, login_as):
    from lms.auth.models import Role

    a1, _, _ = data
    record = services.recompute(session, a1.id, 1)
    board_b = factory.user(Role.board, world.commune_b, username="board-b")
    session.commit()
    login_as(board_b)
    assert client.get(f"/evaluation/records/{record.public_id}").status_code == 403
    html = client.get("/evaluation/cohorts/1").get_data(as_text=True)
    assert "Cán Bộ Một" not in html


def test_my_evaluation_page(client, world, data, session, login_as):
    _, a2, _ = data
    services.recompute(session, a2.id, 1)
    session.commit()
    login_as(world.users["learner"])
    html = client.get("/evaluation/me").get_data(as_text=True)
    assert "Tạm tính" in html and "/evaluation/survey/1" in html  # an exit test alone is not final
    assert "Gợi ý" not in html and "quy hoạch" not in html.lower().split("<main")[1]


@pytest.mark.parametrize(
    "url",
    [
        "/evaluation/board?page=abc&cohort_id=99999999999&year=x&unit_id=zz",
        "/evaluation/reports?unit_id=999999&year_from=1&year_to=99999",
        "/evaluation/cohorts/99999999999",
        "/evaluation/survey/99999999999",
        "/evaluation/schemes/" + "x" * 90 + "/edit",
        "/evaluation/records/khong-co",
        "/evaluation/assess/khong-co",
    ],
)
def test_bad_urls_never_500(client, world, login_as, url):
    login_as(world.users["admin"])
    assert client.get(url).status_code in (200, 400, 403, 404)


def test_bad_assessment_cohort_is_a_form_error(client, world, data, login_as):
    a1, _, _ = data
    login_as(world.users["admin"])
    token = csrf_token(client, f"/evaluation/assess/{a1.public_id}")
    response = client.post(
        f"/evaluation/assess/{a1.public_id}",
        data={
            "csrf_token": token,
            "cohort_id": "99999999999",
            "kind": "monthly",
            "month": "2026-03",
            "points": "5",
        },
    )
    assert response.status_code == 400


@pytest.mark.parametrize("year_from", [2020, 2026])
def test_times_trained_whatever_the_period(session, world, data, year_from):
    from lms.evaluation import reports

    a1, _, _ = data
    result(session, a1, "exit", 7.0, program="p2", when=datetime(2023, 5, 1, tzinfo=UTC))
    tables = {t.key: t for t in reports.build(session, world.commune_a, year_from, 2026)}
    times = dict(tables["times"].rows)
    # commune A: 2 cadres; a1 trained in p1 (2026) and p2 (2023), a2 in p1 (2026)
    assert times == {
        "Tổng số cán bộ": 2,
        "Số cán bộ đã được bồi dưỡng": 2,
        "Tổng lượt người": 3,
        "Bình quân lượt/cán bộ": 1.5,
    }


def test_levels_by_title(session, world, data):
    from lms.evaluation import reports

    tables = {t.key: t for t in reports.build(session, world.commune_a, 2022, 2026)}
    table = tables["title-professional"]
    assert table.headers == ["Chức danh", "Đại học", "Chưa có", "Tổng số"]
    assert table.rows == [["Chủ tịch Ủy ban nhân dân", 1, 1, 2], ["Tổng số", 1, 1, 2]]
