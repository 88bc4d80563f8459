"""The main navigation on a phone and on a wide screen. Staff menus (up to 20 links) are folded
behind "Menu" on a 390 px phone, a <details> that works without JS and with the keyboard; on a
wide screen the same menu is unfolded; the learners' short menu is never folded."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.flows import CONTEXT_OPTIONS, PASSWORDS, click_and_wait, look, watch
from tests.e2e.helpers import check_axe, login, screenshot

WIDE = {"width": 1280, "height": 800}
# the phone's first screen is 844 px high: the header must leave most of it to the page
HEADER_MAX_PX = 200


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Điều hướng chính")


def header_height(page: Page) -> float:
    return page.locator("header.site").bounding_box()["height"]


@pytest.mark.parametrize("username", ["giangvien", "bantochuc", "quantri"])
def test_staff_menu_is_folded_on_a_phone_and_opens_with_the_keyboard(page, live_server, username):
    login(page, live_server, username, PASSWORDS[username])
    nav = main_nav(page)
    toggle = nav.locator("summary")
    expect(toggle).to_have_text("Menu")
    expect(nav.get_by_role("link", name="Trang chủ")).to_be_hidden()
    assert header_height(page) <= HEADER_MAX_PX, f"header {header_height(page)}px high on a phone"
    assert toggle.bounding_box()["height"] >= 44  # a finger-sized target
    look(page, f"nav-{username}-phone-folded")

    # keyboard only: Tab reaches "Menu" (right after the skip link and the site name), Enter opens
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(nav.locator("details")).to_have_attribute("open", "")
    links = nav.get_by_role("link")
    assert links.count() >= 8
    expect(links.first).to_be_visible()
    expect(links.last).to_be_visible()
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    look(page, f"nav-{username}-phone-open")
    toggle.focus()
    page.keyboard.press("Space")
    expect(nav.get_by_role("link", name="Trang chủ")).to_be_hidden()


def test_folded_menu_keeps_the_current_page_marked(page, live_server):
    login(page, live_server, "giangvien", PASSWORDS["giangvien"])
    nav = main_nav(page)
    nav.locator("summary").click()
    click_and_wait(page, nav.get_by_role("link", name="Lớp bồi dưỡng", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lớp bồi dưỡng")
    nav = main_nav(page)
    expect(nav.locator("details")).not_to_have_attribute("open", "")  # a new page starts folded
    nav.locator("summary").click()
    current = nav.locator("a[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("Lớp bồi dưỡng")
    expect(current).to_be_visible()
    check_axe(page)
    screenshot(page, "nav-giangvien-phone-current")


def test_learner_menu_is_never_folded(page, live_server):
    login(page, live_server, "hocvien", PASSWORDS["hocvien"])
    nav = main_nav(page)
    expect(nav.locator("summary")).to_have_count(0)
    expect(nav.get_by_role("link", name="Khóa học của tôi")).to_be_visible()
    expect(nav.get_by_role("link", name="Trang chủ")).to_have_attribute("aria-current", "page")
    assert header_height(page) <= 260, f"learner header {header_height(page)}px high"
    look(page, "nav-hocvien-phone")


def test_staff_menu_is_unfolded_on_a_wide_screen(browser, live_server):
    problems = PageProblems()
    context = browser.new_context(**dict(CONTEXT_OPTIONS, viewport=WIDE, is_mobile=False, has_touch=False))
    context.set_default_timeout(15_000)
    try:
        page = watch(context.new_page(), problems)
        login(page, live_server, "quantri", PASSWORDS["quantri"])
        nav = main_nav(page)
        expect(nav.locator("summary")).to_be_hidden()
        links = nav.get_by_role("link")
        assert links.count() >= 15
        for index in range(links.count()):
            expect(links.nth(index)).to_be_visible()
        # reachable with the keyboard without opening anything: skip link, site name, first link
        for _ in range(3):
            page.keyboard.press("Tab")
        expect(links.first).to_be_focused()
        click_and_wait(page, nav.get_by_role("link", name="Tài khoản", exact=True))
        expect(nav.locator("a[aria-current=page]")).to_have_text("Tài khoản")
        check_axe(page)
        screenshot(page, "nav-quantri-wide")
    finally:
        context.close()
    report = problems.report()
    assert not report, "\n".join(report)
