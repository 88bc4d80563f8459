"""The learner's results page at phone size and on a desktop: axe-clean, Vietnamese numbers,
program names rather than codes, each result with its review link or the reason there is none."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import look
from tests.e2e.helpers import check_axe, login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Its own demo server, seeded with an entrance and an exit result of the demo learner."""
    import datetime as dt

    from sqlalchemy import select

    from lms.auth.models import User
    from lms.db import db
    from lms.org.models import CadreProfile
    from lms.results.services import record_result
    from tests.e2e.conftest import LIVE_APPS, serve_demo

    servers = serve_demo(tmp_path_factory)
    base = next(servers)
    with LIVE_APPS[base].app_context():
        session = db.new_session()
        user = session.scalar(select(User).where(User.username == "hocvien"))
        cadre = session.scalar(select(CadreProfile).where(CadreProfile.user_id == user.id))
        for n, (purpose, score, day) in enumerate((("entrance", 5, 2), ("exit", 6.83, 20))):
            record_result(
                session,
                cadre=cadre,
                kind="quiz",
                origin_id=900_000 + n,
                source_id=900_000 + n,
                source_version=1,
                source_title=f"Kiểm tra {'đầu vào' if n == 0 else 'đầu ra'} (thử)",
                purpose=purpose,
                score=score,
                passed=score >= 5,
                program_code="qn-2022-ubnd",
                finished_at=dt.datetime(2026, 3, day, 8, tzinfo=dt.UTC),
            )
        session.commit()
        session.close()
    yield base
    next(servers, None)  # the demo server's teardown


DOT_DECIMAL = re.compile(r"(?<![\d/.:])\d+\.\d+(?![\d/.:])")


def test_my_results_page_reads_right_on_a_phone_and_a_desktop(page, live_server):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    page.goto(live_server + "/results/me")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả của tôi")
    text = page.locator("main").inner_text()
    assert not DOT_DECIMAL.findall(text), DOT_DECIMAL.findall(text)
    assert "qn-2022-" not in text
    assert "Tiến bộ: +1,83 điểm" in text
    assert "Trước khi học (đầu vào): 5,00/10 → sau khi học (đầu ra): 6,83/10" in text
    for row in page.locator("ul.results > li").all():
        has_link = row.get_by_role("link").count() > 0
        assert has_link or row.locator(".muted").count() > 0, row.inner_text()
    look(page, "my-results-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    check_axe(page)
    screenshot(page, "my-results-desktop")
