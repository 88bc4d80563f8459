"""Every demo account logs in on a phone, sees a Vietnamese, accessible home page and main
navigation, and logs out; a wrong password gets the Vietnamese error message."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.demo import DEMO_LOGINS, _fixed_names
from tests.e2e.helpers import (
    LOGIN_ERROR,
    axe_problems,
    check_axe,
    check_phone_layout,
    check_vietnamese,
    layout_problems,
    login,
    logout,
    main_nav_links,
    path_slug,
    screenshot,
)

DISPLAY_NAMES = _fixed_names()


def test_login_page_is_vietnamese_accessible_and_fits_a_phone(page, live_server):
    page.goto(f"{live_server}/login")
    check_vietnamese(page, "Đăng nhập")
    expect(page).to_have_title("Đăng nhập · Bồi dưỡng cán bộ cấp xã")
    check_phone_layout(page)
    check_axe(page)
    screenshot(page, "login")


def test_wrong_password_shows_the_vietnamese_message(page, live_server, page_problems):
    page_problems.allow_console(f"status of 401 (UNAUTHORIZED) ({live_server}/login)")  # on purpose
    login(page, live_server, "hocvien", "sai-mat-khau-123")
    assert page.url == f"{live_server}/login"
    check_vietnamese(page, "Đăng nhập")
    error = page.get_by_role("alert")  # the page's error summary, focused, linking to the field
    expect(error).to_contain_text(LOGIN_ERROR)
    expect(error).to_be_focused()
    expect(page.locator("#password-error")).to_have_text(LOGIN_ERROR)
    password = page.get_by_label("Mật khẩu")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_value("")  # never echoed back
    check_phone_layout(page)
    check_axe(page)
    screenshot(page, "login-error")


@pytest.mark.parametrize(
    ("username", "password"), [(u, p) for u, p, _ in DEMO_LOGINS], ids=[u for u, _, _ in DEMO_LOGINS]
)
def test_demo_account_logs_in_browses_and_logs_out(page, live_server, username, password):
    login(page, live_server, username, password)
    assert page.url == f"{live_server}/", f"{username} landed on {page.url}"
    check_vietnamese(page, f"Xin chào, {DISPLAY_NAMES[username]}")
    check_phone_layout(page)
    check_axe(page)
    screenshot(page, f"login-{username}")

    links = main_nav_links(page)
    assert links, "no main navigation after login"
    assert tuple(links[0]) == ("Trang chủ", f"{live_server}/")
    problems = []  # every page is visited and photographed; the problems are reported together
    for text, href in links[1:]:
        assert href.startswith(live_server), f"navigation link {text!r} leaves the site: {href}"
        response = page.goto(href)
        assert response is not None and response.status == 200, f"{text!r} {href}: {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        screenshot(page, f"{username}-{path_slug(href)}")
        problems += layout_problems(page) + axe_problems(page)

    logout(page)
    assert page.url == f"{live_server}/login"
    check_vietnamese(page, "Đăng nhập")
    expect(page.get_by_role("status")).to_have_text("Đồng chí đã đăng xuất.")
    expect(page.locator("footer.site").get_by_role("button", name="Đăng xuất")).to_have_count(0)
    # the session is really gone: the home page sends us back to the login form
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    assert not problems, "\n".join(problems)
