"""Every number a learner or a board reads is written the Vietnamese way on Vietnamese pages:
no dot decimal ("8.88"), and a percentage as Unicode CLDR's Vietnamese pattern ("#,##0%") and the
users' own articles write it, the sign right after the number ("87,5%", not "87,5 %"). Dates,
times, ids and codes are not numbers in this sense and are cut out before the check."""

from __future__ import annotations

import re

from lms.evaluation import services
from lms.programs.models import Program
from tests.evaluation.helpers import result
from tests.fixtures import login

DOT_DECIMAL = re.compile(r"(?<![\w/.:-])\d+\.\d+(?![\w/.:-])")
SPACED_PERCENT = re.compile(r"\d\s%")  # \s takes the no-break space too


def visible_numbers_problems(html: str) -> list[str]:
    body = html.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)  # attributes (hrefs, ids) are not read
    text = re.sub(r"\d{1,2}:\d{2}|\d{2}/\d{2}/\d{4}", " ", text)  # times and dates
    return DOT_DECIMAL.findall(text) + SPACED_PERCENT.findall(text)


def test_learner_and_board_pages_write_numbers_the_vietnamese_way(client, world, factory, session):
    learner = world.users["learner"]
    cadre = factory.profile(user=learner, unit=world.commune_a, name="Người Học Thử")
    session.add(Program(code="p1", title="Chương trình thử", duration_days=5))
    services.ensure_scheme(session, "p1", {"weights": {"entrance": 1, "exit": 2, "scenarios": 1}})
    result(session, cadre, "entrance", 5.0)
    result(session, cadre, "exit", 8.875)
    result(session, cadre, "scenario", 7.25)
    record = services.recompute(session, cadre.id, 1)
    session.commit()

    login(client, learner)
    for path in ("/results/me", "/evaluation/me"):
        html = client.get(path).get_data(as_text=True)
        assert visible_numbers_problems(html) == [], path
    assert "8,88" in client.get("/results/me").get_data(as_text=True)
    with client.session_transaction() as signed_in:
        signed_in.clear()

    login(client, world.board_a)
    for path in (
        "/evaluation/board",
        f"/evaluation/dossier/{cadre.public_id}",
        f"/evaluation/records/{record.public_id}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert visible_numbers_problems(response.get_data(as_text=True)) == [], path
    record_page = client.get(f"/evaluation/records/{record.public_id}").get_data(as_text=True)
    assert "Chương trình thử" in record_page


def test_percentages_and_certificate_reasons_on_the_pages(client, world, factory, session, monkeypatch):
    """The record's effective weights and a refused certificate's reason (attendance and a
    component under its minimum) as a Vietnamese reader sees them: "66,7% < 80%", "4,50 < 5,00"."""
    learner = world.users["learner"]
    cadre = factory.profile(user=learner, unit=world.commune_a, name="Người Học Thử")
    session.add(Program(code="p1", title="Chương trình thử", duration_days=5))
    services.ensure_scheme(
        session, "p1", {"weights": {"entrance": 1, "exit": 2, "scenarios": 1}, "attendance_min_pct": 80}
    )
    monkeypatch.setattr(services.inputs, "attendance_for", lambda s, c, ids: {cadre.id: (2, 3)})
    result(session, cadre, "entrance", 5.0)
    result(session, cadre, "exit", 8.875)
    result(session, cadre, "scenario", 4.5)
    record = services.recompute(session, cadre.id, 1)
    session.commit()
    reason = "chuyên cần 66,7% &lt; 80% yêu cầu; xử lý tình huống 4,50 &lt; 5,00"

    login(client, learner)
    mine = client.get("/evaluation/me").get_data(as_text=True)
    assert reason in mine and visible_numbers_problems(mine) == []
    with client.session_transaction() as signed_in:
        signed_in.clear()
    login(client, world.board_a)
    page = client.get(f"/evaluation/records/{record.public_id}").get_data(as_text=True)
    assert visible_numbers_problems(page) == []
    assert "<td>50%</td>" in page and "<td>25%</td>" in page  # the effective weights
    assert reason in page
    assert reason in client.get(f"/evaluation/dossier/{cadre.public_id}").get_data(as_text=True)


def test_the_check_catches_english_numbers_and_spaced_percentages():
    assert visible_numbers_problems("<main>Điểm 8.88 · 87,5 % · 30\u00a0%</main>") == [
        "8.88",
        "5 %",
        "0\u00a0%",
    ]
    assert visible_numbers_problems("<main>08:30 02/03/2026 · 8,88 · 87,5%</main>") == []


def test_dossier_export_gains_name_the_program_in_vietnamese_format(client, world, factory, session):
    import io

    import openpyxl

    cadre = factory.profile(unit=world.commune_a, name="Người Xuất Thử")
    session.add(Program(code="qn-2022-ubnd", title="Bồi dưỡng Chủ tịch UBND cấp xã", duration_days=5))
    services.ensure_scheme(session, "qn-2022-ubnd", {"weights": {"exit": 1}})
    result(session, cadre, "entrance", 8.66, topic=None, program="qn-2022-ubnd")
    result(session, cadre, "exit", 6.83, topic=None, program="qn-2022-ubnd")
    services.recompute(session, cadre.id, 1)
    session.commit()
    login(client, world.board_a)
    response = client.get(f"/evaluation/dossier/{cadre.public_id}/export.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.data))["Kết quả đánh giá"].iter_rows(values_only=True)
    )
    gains = rows[1][rows[0].index("Tiến bộ")]
    assert gains == "Bồi dưỡng Chủ tịch UBND cấp xã: -1,83 điểm"
