"""Shared steps for the multi-role browser flows (programs, scenarios).

A flow often needs two or three people at once (author, approver, learner):
``phone_sessions`` (the body of a test module's ``phone_pages`` fixture) opens each in its own
browser context with exactly the options of the ``page`` fixture, and reports what went wrong
on any of them (foreign hosts, console errors, dialogs) at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from lms.demo import DEMO_LOGINS
from tests.e2e.conftest import PageProblems
from tests.e2e.helpers import VIEWPORT, check_axe, check_phone_layout, login, screenshot

PASSWORDS = {username: password for username, password, _label in DEMO_LOGINS}
CONTEXT_OPTIONS = {
    "viewport": VIEWPORT,
    "device_scale_factor": 1,
    "locale": "vi-VN",
    "is_mobile": True,
    "has_touch": True,
}


def watch(page: Page, problems: PageProblems) -> Page:
    """Record on ``page`` what the ``page`` fixture records (same rules, same report)."""
    page.on("request", lambda request: problems.requests.append(request.url))

    def on_console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            problems.console_errors.append(f"{message.text} ({location.get('url', '')})")

    def on_dialog(dialog) -> None:
        problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    return page


def second_tab(page: Page, problems: PageProblems) -> Page:
    """Another tab of the same browser (same cookies): a learner coming back later."""
    return watch(page.context.new_page(), problems)


def phone_sessions(browser: Browser, live_server: str) -> Iterator[Callable[[str], Page]]:
    """Body of a fixture: yields ``open_as(username)``, which opens a fresh phone-sized browser
    context logged in as that demo user; at the end closes them all and fails on any problem."""
    contexts: list[BrowserContext] = []
    problems = PageProblems()

    def open_as(username: str) -> Page:
        context = browser.new_context(**CONTEXT_OPTIONS)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = watch(context.new_page(), problems)
        login(page, live_server, username, PASSWORDS[username])
        assert page.url == f"{live_server}/", f"{username} could not log in (at {page.url})"
        return page

    yield open_as
    for context in contexts:
        context.close()
    report = problems.report()
    assert not report, "\n".join(report)


def look(page: Page, name: str) -> None:
    """Every page a test stops on: fits a phone, passes axe-core, photographed as ``name``."""
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    check_phone_layout(page)
    check_axe(page)
    screenshot(page, name)


def click_and_wait(page: Page, target: Locator) -> None:
    """Click a link or a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        target.click()


def nav(page: Page, label: str) -> None:
    """Follow a link of the main navigation ("Khóa học của tôi", "Tình huống", ...). Staff menus
    are folded behind "Menu" on a phone: open it first, as a person would."""
    navigation = page.get_by_role("navigation", name="Điều hướng chính")
    link = navigation.get_by_role("link", name=label, exact=True)
    if not link.is_visible():
        navigation.get_by_text("Menu", exact=True).click()
    click_and_wait(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


def button(page: Page | Locator, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def flash(page: Page) -> Locator:
    """The flash messages at the top of <main> (other role=status lines, such as the offline-save
    status of a course, are not flashes)."""
    return page.locator("main p.flash")


def csrf_token(page: Page) -> str:
    """The CSRF token of the session, from any form of the page (the footer's logout form)."""
    return page.locator("input[name=csrf_token]").first.input_value()


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def number_pair(text: str, pattern: str) -> tuple[int, int]:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text!r}"
    return int(match.group(1)), int(match.group(2))
