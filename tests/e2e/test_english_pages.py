"""Staff pages in English at phone size and on a desktop: the reports page body, the board's
bands, a quiz's statistics and the question types read in English, fit a phone and pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import check_axe, check_phone_layout, login, screenshot
from tests.test_every_page_both_languages import leftovers

pytestmark = pytest.mark.e2e


def _to_english(page) -> None:
    with page.expect_navigation():
        page.locator("footer.site").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _look(page, name: str, heading: str, phrases: list[str]) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    text = page.locator("main").inner_text()
    for phrase in phrases:
        assert phrase in text, phrase
    assert leftovers(page.content(), "en") == []
    check_phone_layout(page)
    check_axe(page)
    screenshot(page, f"{name}-en-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    check_axe(page)
    screenshot(page, f"{name}-en-desktop")
    page.set_viewport_size({"width": 390, "height": 844})


def test_board_pages_in_english(page, live_server):
    login(page, live_server, "bantochucxa", "BTC@TanLap-2026")
    _to_english(page)
    page.goto(live_server + "/evaluation/reports")
    _look(
        page,
        "reports",
        "Training statistics report",
        ["Cadres in scope", "Pass rate and average score by topic", "Total", "None yet"],
    )
    assert "Số cán bộ" not in page.locator("main").inner_text()


def test_instructor_pages_in_english(page, live_server):
    login(page, live_server, "giangvien", "GV@Truong-2026")
    _to_english(page)
    page.goto(live_server + "/quizzes/bank/new")
    text = page.locator("main").inner_text()
    assert "Single choice" in text and "True/False" in text and "Một lựa chọn đúng" not in text
    check_axe(page)
    screenshot(page, "question-types-en-phone")
