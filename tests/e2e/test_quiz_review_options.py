"""Review options by time in the browser: the shipped entrance test shows the score and the
feedback at once, and says when the right answers come (when the quiz closes); once it has
closed the same review shows them. Phone 390x844 and desktop, axe-clean, JavaScript off for the
attempt (no confirm dialog to answer)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from tests.e2e.conftest import serve_demo
from tests.e2e.flows import button, click_and_wait
from tests.e2e.helpers import screenshot
from tests.e2e.quiz_flow_helpers import answer, live_app, questions, quiz_phones, quiz_row, quiz_title

ENTRANCE = quiz_title("qn-ubnd-dau-vao")
WIDE = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Its own demo: the learner's one entrance attempt is used here."""
    yield from serve_demo(tmp_path_factory)


@pytest.fixture()
def phones(browser, live_server):
    yield from quiz_phones(browser, live_server)


def set_entrance_close(closes_at: dt.datetime) -> None:
    from lms.db import db
    from lms.quizzes.models import Quiz

    app = live_app()
    assert app is not None, "the live server's app is not reachable"
    with app.app_context():
        db.session.execute(update(Quiz).where(Quiz.code == "qn-ubnd-dau-vao").values(closes_at=closes_at))
        db.session.commit()


def test_entrance_review_teaches_now_and_shows_right_answers_after_close(phones, live_server):
    set_entrance_close(dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    page = phones.open_as("hocvien", javascript=False)
    page.goto(f"{live_server}/quizzes")
    click_and_wait(page, quiz_row(page, ENTRANCE).get_by_role("link", name=re.compile("^Bắt đầu làm bài")))
    click_and_wait(page, button(page, "Bắt đầu làm bài"))
    fieldsets = questions(page)
    count = fieldsets.count()
    assert count == 10
    for index in range(count):
        answer(fieldsets.nth(index), index)
    click_and_wait(page, button(page, "Nộp bài"))
    expect(page).to_have_url(re.compile(r"/review$"))
    review_url = page.url

    notice = page.locator("div.review-later")
    expect(notice).to_contain_text("Đáp án đúng sẽ hiện sau khi bài kiểm tra đóng lúc")
    expect(page.locator("p.right-answer")).to_have_count(0)
    expect(page.locator(".verdict")).to_have_count(count)
    assert page.locator(".feedback").count() >= 1  # general feedback of the shipped questions
    phones.look_without_js(page, "quiz-review-options-phone-before-close")
    page.set_viewport_size(WIDE)
    screenshot(page, "quiz-review-options-desktop-before-close")  # same DOM as the axe-checked phone page

    set_entrance_close(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(review_url)
    expect(page.locator("div.review-later")).to_have_count(0)
    expect(page.locator("p.right-answer")).to_have_count(count)
    phones.look_without_js(page, "quiz-review-options-phone-after-close")
    page.set_viewport_size(WIDE)
    screenshot(page, "quiz-review-options-desktop-after-close")
