"""The admin audit log in a browser: filter with the GET form (no JS needed), read the changed
fields, open the full data, page through; phone and wide screen, axe-clean."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import PageProblems
from tests.e2e.flows import CONTEXT_OPTIONS, PASSWORDS, click_and_wait, look, watch
from tests.e2e.helpers import check_axe, login, screenshot

WIDE = {"width": 1280, "height": 800}


def test_audit_log_on_a_phone(page, live_server):
    login(page, live_server, "quantri", PASSWORDS["quantri"])
    page.goto(f"{live_server}/admin/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký thao tác")
    expect(page.locator("p.count")).to_contain_text("Tìm thấy")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"audit page, phone, first page: {height}px high")
    look(page, "audit-phone")

    page.get_by_label("Hành động").select_option(label="Tạo tài khoản")
    click_and_wait(page, page.get_by_role("button", name="Lọc"))
    assert "action=user.create" in page.url
    cells = page.locator('td[data-label="Hành động"]')
    assert cells.count() > 0
    for text in cells.all_inner_texts():
        assert text == "Tạo tài khoản"
    assert '{"' not in page.locator("main").inner_text()  # no raw JSON until asked for
    page.locator("details.raw summary").first.click()
    expect(page.locator("details.raw pre").first).to_be_visible()
    look(page, "audit-phone-filtered")

    page.goto(f"{live_server}/admin/audit?date_from=2026-13-45&actor=" + "9" * 30)
    expect(page.locator("p.error").first).to_be_visible()
    look(page, "audit-phone-bad-filter")


def test_audit_log_on_a_wide_screen(browser, live_server):
    problems = PageProblems()
    context = browser.new_context(**dict(CONTEXT_OPTIONS, viewport=WIDE, is_mobile=False, has_touch=False))
    context.set_default_timeout(15_000)
    try:
        page = watch(context.new_page(), problems)
        login(page, live_server, "quantri", PASSWORDS["quantri"])
        page.goto(f"{live_server}/admin/audit")
        height = page.evaluate("() => document.documentElement.scrollHeight")
        print(f"audit page, wide, first page: {height}px high")
        check_axe(page)
        screenshot(page, "audit-wide")
        pager = page.get_by_role("navigation", name="Phân trang")
        if pager.count():
            click_and_wait(page, pager.get_by_role("link", name="Trang sau »"))
            assert "page=2" in page.url
            check_axe(page)
    finally:
        context.close()
    report = problems.report()
    assert not report, "\n".join(report)
