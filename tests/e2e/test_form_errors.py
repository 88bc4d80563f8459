"""Issue #14 items 8–9 in a browser: a refused decision on a phone shows the error summary in
the viewport with focus on it (no success look); the board picks cohorts from a list; the
account import offers its template. Phone 390×844 and desktop, axe-clean."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LIVE_APPS, PageProblems, serve_demo
from tests.e2e.flows import CONTEXT_OPTIONS, PASSWORDS, click_and_wait, look, watch
from tests.e2e.helpers import SCREENSHOTS, check_axe, login, screenshot

WIDE = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """This module's own demo: it adds an exit-test result in a real cohort (the demo's records
    belong to no cohort), which other modules' boards must not see."""
    for base in serve_demo(tmp_path_factory):
        _seed_a_cohort_record(LIVE_APPS[base])
        yield base


def _seed_a_cohort_record(app) -> None:
    from sqlalchemy import select

    from lms.db import db
    from lms.evaluation import services
    from lms.org.models import CadreProfile
    from lms.programs.models import Enrollment
    from lms.results.services import record_result

    with app.app_context():
        session = db.new_session()
        try:
            enrollment = session.scalars(select(Enrollment).order_by(Enrollment.id)).first()
            cadre = session.get(CadreProfile, enrollment.profile_id)
            record_result(
                session,
                cadre=cadre,
                kind="quiz",
                origin_id=990_001,
                source_id=990_001,
                source_version=1,
                source_title="Kiểm tra đầu ra (e2e)",
                purpose="exit",
                score=8.5,
                passed=True,
                finished_at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
                cohort_id=enrollment.cohort_id,
            )
            services.recompute(session, cadre.id, enrollment.cohort_id)
            session.commit()
        finally:
            session.close()
IN_VIEWPORT = """el => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight && r.bottom > 0; }"""


def _open_first_dossier(page, base: str) -> None:
    page.goto(f"{base}/evaluation/board")
    click_and_wait(page, page.locator("table.board tbody a").first)
    expect(page.locator("form.decision-form")).to_be_visible()


def _submit_decision_without_reason(page) -> None:
    form = page.locator("form.decision-form")
    form.get_by_label("Lý do (bắt buộc)").fill("")
    form.scroll_into_view_if_needed()  # where a person is when they press the button
    with page.expect_navigation():
        form.get_by_role("button", name="Ghi quyết định").click()


REFUSED = "status of 400"  # the browser logs the refused post's status: expected here


def test_refused_decision_on_a_phone_is_announced_at_the_top(page, live_server, page_problems):
    page_problems.allow_console(REFUSED)
    login(page, live_server, "bantochuc", PASSWORDS["bantochuc"])
    _open_first_dossier(page, live_server)
    with page.expect_response(lambda r: r.url.endswith("/decide")) as answer:
        _submit_decision_without_reason(page)
    assert answer.value.status == 400
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert summary.evaluate(IN_VIEWPORT), "the error summary must be on the phone's screen"
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("Cần ghi lý do.")
    assert page.locator(".flash-success").count() == 0
    assert "Đã ghi quyết định" not in page.locator("main").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "decision-refused-phone-screen.png"))  # what the eye sees
    look(page, "decision-refused-phone")
    # the summary's link leads to the field, whose message is tied to it
    click = summary.get_by_role("link", name="Lý do (bắt buộc): Cần ghi lý do.")
    click.click()
    reason = page.locator("#reason")
    expect(reason).to_have_attribute("aria-describedby", "reason-hint reason-error")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reason-error")).to_have_text("Cần ghi lý do.")


def test_board_picks_a_cohort_by_name_on_a_phone(page, live_server):
    login(page, live_server, "bantochuc", PASSWORDS["bantochuc"])
    page.goto(f"{live_server}/evaluation/board")
    cohort = page.get_by_label("Lớp (đợt)")
    expect(cohort).to_have_js_property("tagName", "SELECT")
    options = cohort.locator("option").all_inner_texts()
    print(f"board cohort options: {options}")
    assert options[0] == "— Tất cả —" and len(options) > 1
    assert all(" · " in text for text in options[1:])
    cohort.select_option(index=1)
    click_and_wait(page, page.get_by_role("button", name="Lọc"))
    assert "cohort_id=" in page.url
    rows = page.locator("table.board tbody a").count()
    print(f"board filtered by the first cohort: {rows} cadres")
    assert rows >= 1  # every listed cohort holds someone's record
    look(page, "board-cohort-filter-phone")


def test_desktop_refused_decision_and_import_page(browser, live_server):
    problems = PageProblems()
    problems.allow_console(REFUSED)
    context = browser.new_context(**dict(CONTEXT_OPTIONS, viewport=WIDE, is_mobile=False, has_touch=False))
    context.set_default_timeout(15_000)
    try:
        page = watch(context.new_page(), problems)
        login(page, live_server, "bantochuc", PASSWORDS["bantochuc"])
        _open_first_dossier(page, live_server)
        _submit_decision_without_reason(page)
        expect(page.locator("#error-summary")).to_be_focused()
        assert page.locator("#error-summary").evaluate(IN_VIEWPORT)
        check_axe(page)
        screenshot(page, "decision-refused-wide")
        page.screenshot(path=str(SCREENSHOTS / "decision-refused-wide-screen.png"))
        context.clear_cookies()
        login(page, live_server, "quantri", PASSWORDS["quantri"])
        page.goto(f"{live_server}/admin/users/import")
        expect(page.get_by_role("link", name="Tải tệp mẫu (CSV, mở được bằng Excel)")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải tệp mẫu (CSV, mở được bằng Excel)").click()
        data = open(download.value.path(), "rb").read()
        assert data.startswith(b"\xef\xbb\xbfusername,full_name,role,unit,")
        check_axe(page)
        screenshot(page, "users-import-wide")
        page.goto(f"{live_server}/units")
        expect(page.locator("ul.tree code").first).to_be_visible()
        check_axe(page)
        screenshot(page, "units-wide")
    finally:
        context.close()
    report = problems.report()
    assert not report, "\n".join(report)


def test_import_page_and_units_on_a_phone(page, live_server, page_problems):
    page_problems.allow_console(REFUSED)
    login(page, live_server, "quantri", PASSWORDS["quantri"])
    page.goto(f"{live_server}/admin/users/import")
    look(page, "users-import-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="Nhập dữ liệu").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.locator("#error-summary").evaluate(IN_VIEWPORT)
    look(page, "users-import-refused-phone")
    page.goto(f"{live_server}/units")
    look(page, "units-phone")
