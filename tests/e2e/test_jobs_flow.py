"""A board member asks for the province report from /evaluation/reports, follows the "Đang
tạo…" page (a progress bar: JS polling, or a meta refresh without JS) and downloads the file;
a commune's board member cannot open it. The live server runs the job in its own worker thread."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import LIVE_APPS
from tests.e2e.flows import CONTEXT_OPTIONS, PASSWORDS, click_and_wait, look, watch
from tests.e2e.helpers import check_axe, login, screenshot

WIDE = {**CONTEXT_OPTIONS, "viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False}


def _seed_running_job(live_server: str) -> str:
    """A report job as a worker shows it mid-way (no worker claims a running job)."""
    from lms.auth.models import User
    from lms.db import db, utcnow
    from lms.jobs.models import Job, JobStatus

    app = LIVE_APPS[live_server]
    session = db.new_session(app)
    try:
        board = session.scalar(select(User).where(User.username == "bantochuc"))
        job = Job(
            kind="report",
            params=json.dumps({"fmt": "xlsx", "unit_id": board.unit_id, "year_from": 2022, "year_to": 2026}),
            owner_id=board.id,
            unit_id=board.unit_id,
            status=JobStatus.running,
            progress=40,
            step="Đang tính tỷ lệ đạt",
            attempts=1,
            max_attempts=3,
            heartbeat_at=utcnow(),
            started_at=utcnow(),
        )
        session.add(job)
        session.commit()
        return job.public_id
    finally:
        session.close()


def _update(live_server: str, public_id: str, **values) -> None:
    from sqlalchemy import update

    from lms.db import db
    from lms.jobs.models import Job

    session = db.new_session(LIVE_APPS[live_server])
    try:
        session.execute(update(Job).where(Job.public_id == public_id).values(**values))
        session.commit()
    finally:
        session.close()


def test_progress_page_polls_with_js_refreshes_without_and_ends_with_a_link(page, live_server, browser):
    from lms.jobs.models import JobStatus

    login(page, live_server, "bantochuc", PASSWORDS["bantochuc"])
    public_id = _seed_running_job(live_server)
    page.goto(f"{live_server}/jobs/{public_id}")
    expect(page.get_by_role("heading", name="Đang tạo…")).to_be_visible()
    expect(page.locator("#job-progress")).to_have_attribute("value", "40")
    look(page, "jobs-progress-phone")

    # with JS the page polls the JSON status: progress moves without a reload
    _update(live_server, public_id, progress=70, step="Đang tính số lần bồi dưỡng")
    expect(page.locator("#job-percent")).to_have_text("70", timeout=10_000)
    expect(page.locator("#job-step")).to_have_text("Đang tính số lần bồi dưỡng")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0  # JS took over

    # without JS: the same page refreshes itself every 5 s
    context = browser.new_context(**CONTEXT_OPTIONS, java_script_enabled=False)
    try:
        plain = context.new_page()
        login(plain, live_server, "bantochuc", PASSWORDS["bantochuc"])
        plain.goto(f"{live_server}/jobs/{public_id}")
        assert plain.locator('meta[http-equiv="refresh"]').get_attribute("content") == "5"
        expect(plain.locator("progress")).to_have_attribute("value", "70")
    finally:
        context.close()

    # desktop width
    wide = browser.new_context(**WIDE)
    try:
        desk = wide.new_page()
        login(desk, live_server, "bantochuc", PASSWORDS["bantochuc"])
        desk.goto(f"{live_server}/jobs/{public_id}")
        check_axe(desk)
        screenshot(desk, "jobs-progress-desktop")
    finally:
        wide.close()

    # hand it back to the queue as a killed worker's job would be: the server's worker runs it
    # and the polling page reloads itself onto the link
    _update(live_server, public_id, status=JobStatus.queued, attempts=0)
    from lms.jobs.queue import enqueue

    enqueue(LIVE_APPS[live_server], _job_id(live_server, public_id))
    expect(page.get_by_role("heading", name="Đã xong")).to_be_visible(timeout=30_000)
    expect(page.locator("#job-download")).to_be_visible()


def _job_id(live_server: str, public_id: str) -> int:
    from lms.db import db
    from lms.jobs.models import Job

    session = db.new_session(LIVE_APPS[live_server])
    try:
        return session.scalar(select(Job.id).where(Job.public_id == public_id))
    finally:
        session.close()


def test_board_asks_for_the_province_report_and_downloads_it(page, live_server, browser, page_problems):
    login(page, live_server, "bantochuc", PASSWORDS["bantochuc"])
    page.goto(f"{live_server}/evaluation/reports")
    expect(page.get_by_role("heading", name="Tạo báo cáo Excel cho toàn bộ phạm vi")).to_be_visible()
    look(page, "jobs-reports-request-phone")
    click_and_wait(page, page.get_by_role("button", name="Tạo báo cáo Excel (XLSX)", exact=True))
    assert "/jobs/" in page.url
    expect(page.get_by_role("heading", name="Đã xong")).to_be_visible(timeout=30_000)
    look(page, "jobs-done-phone")
    with page.expect_download() as info:
        page.locator("#job-download").click()
    download = info.value
    assert download.suggested_filename.startswith("bao-cao-") and download.suggested_filename.endswith(
        ".xlsx"
    )
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert "Số cán bộ" in book.sheetnames
    job_url = page.url

    wide = browser.new_context(**WIDE)
    try:
        desk = wide.new_page()
        login(desk, live_server, "bantochuc", PASSWORDS["bantochuc"])
        desk.goto(f"{live_server}/evaluation/reports")
        check_axe(desk)
        screenshot(desk, "jobs-reports-request-desktop")
        desk.goto(job_url)
        check_axe(desk)
        screenshot(desk, "jobs-done-desktop")
    finally:
        wide.close()

    # the commune's board member gets 403 for the province's file (and its page)
    other = watch(browser.new_context(**CONTEXT_OPTIONS).new_page(), page_problems)
    page_problems.allow_console("403")
    try:
        login(other, live_server, "bantochucxa", PASSWORDS["bantochucxa"])
        assert other.goto(job_url).status == 403
        assert other.request.get(job_url + "/download").status == 403
    finally:
        other.context.close()


def test_admin_sees_the_job_list(page, live_server):
    login(page, live_server, "quantri", PASSWORDS["quantri"])
    page.goto(f"{live_server}/admin/jobs")
    expect(page.get_by_role("heading", name="Công việc nền")).to_be_visible()
    look(page, "jobs-admin-phone")
