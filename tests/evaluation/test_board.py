"""Board review: scope (commune A never sees commune B), dossiers, decisions, exports, audit."""

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import select

from lms.audit import AuditEntry
from lms.evaluation import services
from lms.evaluation.models import PlanningDecision
from lms.org.models import PlanningStatus
from tests.evaluation.helpers import result
from tests.fixtures import csrf_token

REASON = "Kết quả bồi dưỡng xuất sắc, đủ tiêu chuẩn chức danh, đề nghị đưa vào quy hoạch."


@pytest.fixture()
def cadres(world, factory, session):
    in_a = factory.profile(unit=world.commune_a, name="Người Xã An")
    in_b = factory.profile(unit=world.commune_b, name="Người Xã Bình")
    services.ensure_scheme(session, "p1", {"weights": {"exit": 1}})  # the exit test is the whole record
    for cadre, score in ((in_a, 9.5), (in_b, 3.0)):
        result(session, cadre, "exit", score, details=None)
        services.recompute(session, cadre.id, 1)
    session.commit()
    return in_a, in_b


def test_board_list_is_scoped_and_shows_recommendations(client, world, cadres, login_as):
    login_as(world.board_a)
    html = client.get("/evaluation/board").get_data(as_text=True)
    assert "Người Xã An" in html and "Người Xã Bình" not in html
    assert "Đề nghị xem xét bổ nhiệm" in html  # the default policy's suggestion for 9.5
    # filters cannot widen the scope
    html = client.get(f"/evaluation/board?unit_id={world.commune_b.id}").get_data(as_text=True)
    assert "Người Xã Bình" not in html


def test_a_provisional_total_says_so_everywhere(client, world, factory, session, login_as):
    """One scenario re-weighted to 100 % is not a final score: no band, no suggestion, and
    the list, dossier, record page and XLSX name what is missing."""
    cadre = factory.profile(unit=world.commune_a, name="Người Tạm Tính")
    result(session, cadre, "scenario", 8.88)
    record = services.recompute(session, cadre.id, 1)
    session.commit()
    assert record.provisional and record.missing_list == ["exit", "assessment"]
    assert record.recommendation is None  # 8,88 alone never suggests anything
    login_as(world.board_a)
    html = client.get("/evaluation/board").get_data(as_text=True)
    row = html[html.index("Người Tạm Tính") :].split("</tr>")[0]
    assert "8,88" in row and "Tạm tính" in row and "Kiểm tra đầu ra" in row
    assert record.band not in row
    html = client.get(f"/evaluation/dossier/{cadre.public_id}").get_data(as_text=True)
    assert "Tạm tính" in html and "Còn thiếu: Kiểm tra đầu ra, Đánh giá của giảng viên" in html
    html = client.get(f"/evaluation/records/{record.public_id}").get_data(as_text=True)
    assert "Điểm tạm tính" in html
    response = client.get(f"/evaluation/dossier/{cadre.public_id}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(book["Kết quả đánh giá"].iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    status = first[header.index("Tình trạng điểm")]
    assert status.startswith("Tạm tính") and "kiểm tra đầu ra" in status
    assert first[header.index("Xếp loại")] in (None, "")


def test_board_filters(client, world, cadres, login_as):
    login_as(world.users["board"])  # province: sees both
    html = client.get("/evaluation/board").get_data(as_text=True)
    assert "Người Xã An" in html and "Người Xã Bình" in html
    html = client.get("/evaluation/board?band=Không+đạt").get_data(as_text=True)
    assert "Người Xã Bình" in html and "Người Xã An" not in html
    html = client.get(f"/evaluation/board?unit_id={world.commune_a.id}&year=2026").get_data(as_text=True)
    assert "Người Xã An" in html and "Người Xã Bình" not in html
    html = client.get("/evaluation/board?year=1999").get_data(as_text=True)  # invalid: ignored, no 500
    assert "Người Xã An" in html
    assert client.get("/evaluation/board?gap=overdue&cohort_id=1&page=2").status_code == 200


def test_board_gap_filter(client, world, factory, session, login_as):
    factory.profile(unit=world.commune_a, name="Thiếu Chuẩn", title="bi-thu-dang-uy")
    factory.profile(unit=world.commune_a, name="Không Chức Danh", title=None)
    session.commit()
    login_as(world.board_a)
    html = client.get("/evaluation/board?gap=gap").get_data(as_text=True)
    assert "Thiếu Chuẩn" in html and "Không Chức Danh" not in html


def test_board_list_query_count_does_not_grow(client, world, factory, session, login_as, app):
    from sqlalchemy import event

    from lms.db import db

    login_as(world.board_a)
    counts = []
    for extra in (1, 6):
        for n in range(extra):
            cadre = factory.profile(unit=world.commune_a, name=f"Cán Bộ {extra}-{n}")
            result(session, cadre, "exit", 7.0)
            services.recompute(session, cadre.id, 1)
        session.commit()
        statements: list[str] = []
        engine = db.state(app).engine

        def listener(*args, statements=statements):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/evaluation/board").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_dossier_scope_and_audit(client, world, cadres, session, login_as):
    in_a, in_b = cadres
    login_as(world.board_a)
    assert client.get(f"/evaluation/dossier/{in_b.public_id}").status_code == 403
    assert client.get(f"/evaluation/dossier/{in_b.public_id}/export.xlsx").status_code == 403
    response = client.get(f"/evaluation/dossier/{in_a.public_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Người Xã An" in html and "Gợi ý của hệ thống" in html
    reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier.view")).all()
    assert [r.object_id for r in reads] == [str(in_a.id)] and reads[0].actor_id == world.board_a.id
    assert client.get("/evaluation/dossier/khong-co").status_code == 404


def test_dossier_export_opens_in_excel(client, world, cadres, session, login_as):
    in_a, _ = cadres
    login_as(world.board_a)
    response = client.get(f"/evaluation/dossier/{in_a.public_id}/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "Hồ sơ",
        "Quá trình bồi dưỡng",
        "Kết quả đánh giá",
        "Kết quả chi tiết",
        "Quy hoạch",
    ]
    profile_sheet = {row[0]: row[1] for row in book["Hồ sơ"].iter_rows(min_row=2, values_only=True)}
    assert profile_sheet["Họ và tên"] == "Người Xã An"
    records = list(book["Kết quả đánh giá"].iter_rows(values_only=True))
    assert records[0][:6] == ("Năm", "Chương trình", "Lớp", "Điểm tổng hợp", "Tình trạng điểm", "Xếp loại")
    assert records[1][3] == 9.5 and records[1][4] == "Đủ thành phần" and records[1][5] == "Xuất sắc"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "dossier.export")) is not None


def test_reads_view_for_admin_only(client, world, cadres, login_as):
    in_a, _ = cadres
    login_as(world.board_a)
    client.get(f"/evaluation/dossier/{in_a.public_id}")
    assert client.get(f"/evaluation/dossier/{in_a.public_id}/reads").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as(world.users["admin"])
    html = client.get(f"/evaluation/dossier/{in_a.public_id}/reads").get_data(as_text=True)
    assert "board-a" in html


def _decide(client, cadre, **data):
    token = csrf_token(client, f"/evaluation/dossier/{cadre.public_id}")
    return client.post(f"/evaluation/dossier/{cadre.public_id}/decide", data={"csrf_token": token, **data})


def test_decision_without_reason_is_a_form_error(client, world, cadres, session, login_as):
    in_a, _ = cadres
    login_as(world.board_a)
    response = _decide(client, in_a, decision="include", reason="ngắn quá", policy_reference="")
    assert response.status_code == 400
    assert "ít nhất 20 ký tự" in response.get_data(as_text=True)
    response = _decide(client, in_a, decision="include", reason=" " * 30)
    assert response.status_code == 400
    assert session.scalar(select(PlanningDecision)) is None
    session.refresh(in_a)
    assert in_a.planning_status == PlanningStatus.none


def test_decision_updates_status_and_timeline(client, world, cadres, session, login_as):
    in_a, in_b = cadres
    login_as(world.board_a)
    response = _decide(client, in_a, decision="include", reason=REASON, policy_reference="QĐ 377-QĐ/TW")
    assert response.status_code == 302
    session.refresh(in_a)
    assert in_a.planning_status == PlanningStatus.in_pool
    html = client.get(f"/evaluation/dossier/{in_a.public_id}").get_data(as_text=True)
    assert "Đưa vào quy hoạch" in html and REASON in html
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "profile.update")) is not None
    assert _decide(client, in_b, decision="include", reason=REASON).status_code == 403
    assert _decide(client, in_a, decision="bogus", reason=REASON).status_code == 400


def test_decisions_are_append_only(session, world, cadres):
    in_a, _ = cadres
    row = services.decide(session, world.board_a, in_a, "include", REASON)
    row.reason = "đổi lý do sau khi đã ghi để che giấu"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()


def test_planning_limit_warning(session, world, factory):
    cadres = [factory.profile(unit=world.commune_a, name=f"Quy Hoạch {n}") for n in range(4)]
    rows = [services.decide(session, world.board_a, c, "include", REASON) for c in cadres]
    assert rows[2].limit_warning is None
    assert "vượt giới hạn 3" in rows[3].limit_warning and "377-QĐ/TW" in rows[3].limit_warning


def test_learner_and_instructor_cannot_use_the_board(client, world, cadres, login_as):
    in_a, _ = cadres
    login_as(world.users["learner"])
    assert client.get("/evaluation/board").status_code == 403
    assert client.get(f"/evaluation/dossier/{in_a.public_id}").status_code == 403


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"band": "Xuất sắc"},
        {"band": "Giỏi"},
        {"year": 2026, "cohort_id": 1},
        {"gap": "gap"},
        {"cohort_id": 2},
    ],
)
def test_board_count_matches_rows(session, world, cadres, filters):
    import datetime as dt

    from sqlalchemy import true

    from lms.evaluation.board import BoardFilters, board_count, board_query

    chosen = BoardFilters(**filters)
    today = dt.date(2026, 11, 23)
    rows = session.execute(board_query(true(), chosen, today)).all()
    assert session.scalar(board_count(true(), chosen, today)) == len(rows)
    if "band" in filters:
        assert all(row.band == filters["band"] for row in rows)


def test_the_dossier_reads_in_words_not_ids(client, world, cadres, session, login_as):
    """Scenario choices by their words, who decided, dates that are dates in local time."""
    in_a, _ = cadres
    steps = [
        {
            "node": "d1",
            "title": "Tiếp nhận đơn",
            "choice": 2,
            "label": "Thụ lý và lập hội đồng",
            "points": 3.0,
        },
        {"node": "d2", "title": "Hạ nhiệt", "choice": 1, "label": "Gặp riêng từng bên", "points": 2.0},
    ]
    result(session, in_a, "scenario", 8.0, details={"decisions": steps})
    session.commit()
    login_as(world.board_a)
    assert (
        _decide(client, in_a, decision="include", reason=REASON, policy_reference="QĐ 377").status_code == 302
    )
    html = client.get(f"/evaluation/dossier/{in_a.public_id}").get_data(as_text=True)
    assert "Tiếp nhận đơn:</strong> Thụ lý và lập hội đồng" in html and "2 → 1" not in html
    assert "(3 điểm)" in html  # a decision's points as the scenario summary writes them
    assert f"người quyết định: {world.board_a.display_name}" in html
    assert 'class="panel print-open"' in html and "js/print.js" in html
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/evaluation/dossier/{in_a.public_id}/export.xlsx").data)
    )
    decisions = list(book["Quy hoạch"].iter_rows(values_only=True))
    assert decisions[0][:2] == ("Thời điểm", "Người quyết định")
    assert isinstance(decisions[1][0], dt.datetime) and decisions[1][1] == world.board_a.display_name
    details = list(book["Kết quả chi tiết"].iter_rows(values_only=True))
    assert isinstance(details[1][0], dt.datetime)  # a real date cell (openpyxl reads dates back as datetimes)


def test_dossier_and_its_export_in_english(client, world, cadres, login_as):
    """The band, the sheets and headers of the export follow the reader's language; names stay."""
    in_a, _in_b = cadres
    login_as(world.board_a)
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    html = client.get(f"/evaluation/dossier/{in_a.public_id}").get_data(as_text=True)
    assert "Người Xã An" in html and "Excellent" in html and "Xuất sắc" not in html
    response = client.get(f"/evaluation/dossier/{in_a.public_id}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Training history" in book.sheetnames and "Quá trình bồi dưỡng" not in book.sheetnames
    rows = list(book["Evaluation result"].iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    assert first[header.index("Rating")] == "Excellent"
