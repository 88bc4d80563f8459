"""Where the learner stands during an attempt, at phone size: the question panel follows the
answers and flags as they are made (JS), offline says the answers stay on the phone, the summary
before submit lists the unanswered and flagged questions, and the review says when time ran out."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import button, click_and_wait, look
from tests.e2e.helpers import login, screenshot
from tests.e2e.quiz_flow_helpers import answer, live_app, questions, quiz_public_id, quiz_title, save_status

pytestmark = pytest.mark.e2e

QUIZ = quiz_title("qn-mttq-dau-vao")  # not listed to hocvien (UBND only); opened by its link
OFFLINE = "Mất kết nối — câu trả lời được giữ trên máy và sẽ gửi khi có mạng"


def _expire(public_id: str) -> None:
    from sqlalchemy import update

    from lms.db import db
    from lms.quizzes.models import Attempt

    app = live_app()
    with app.app_context():
        session = db.new_session(app)
        try:
            session.execute(
                update(Attempt)
                .where(Attempt.public_id == public_id)
                .values(deadline=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5))
            )
            session.commit()
        finally:
            session.close()


def test_panel_flags_offline_summary_and_time_up(page, live_server, page_problems):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    page.goto(f"{live_server}/quizzes/{quiz_public_id(QUIZ)}")
    click_and_wait(page, button(page, "Bắt đầu làm bài"))
    public_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    panel = page.get_by_role("navigation", name="Các câu hỏi")
    count = questions(page).count()
    expect(panel.get_by_role("link")).to_have_count(count)
    expect(page.locator("#quiz-answered")).to_have_text(f"Đã trả lời 0/{count} câu")

    # answering question 1 marks it in the panel at once, flagging question 2 too
    answer(questions(page).nth(0), 0)
    expect(page.locator("#nav-1")).to_have_class("qnav-item answered")
    expect(page.locator("#quiz-answered")).to_have_text(f"Đã trả lời 1/{count} câu")
    with page.expect_response(lambda r: r.url.endswith("/flag")):
        questions(page).nth(1).get_by_label("Đánh dấu để xem lại").check()
    expect(page.locator("#nav-2")).to_have_class("qnav-item flagged")
    expect(page.locator("#nav-2")).to_contain_text("chưa trả lời, đã đánh dấu")
    look(page, "quiz-state-01-panel")

    # offline: the state explains itself
    page.context.set_offline(True)
    answer(questions(page).nth(2), 1)
    expect(save_status(page)).to_have_text(OFFLINE)
    expect(page.locator("#nav-3")).to_have_class("qnav-item answered")
    look(page, "quiz-state-02-offline")
    page.context.set_offline(False)
    expect(save_status(page)).to_have_text("Đã lưu", timeout=20_000)

    # the summary before submit: unanswered and flagged questions, each a link back
    click_and_wait(page, button(page, "Xem lại trước khi nộp"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Trước khi nộp bài")
    blanks = count - 2
    expect(page.get_by_role("alert")).to_contain_text(f"Còn {blanks} câu chưa trả lời:")
    flagged = page.get_by_role("region", name="Câu đã đánh dấu để xem lại")
    expect(flagged.get_by_role("link")).to_have_text(["Câu 2"])
    look(page, "quiz-state-03-summary")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "quiz-state-03-summary-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    click_and_wait(page, flagged.get_by_role("link", name="Câu 2"))
    expect(page.locator("#slot-2")).to_be_visible()

    # time runs out: the review says so
    _expire(public_id)
    page.reload()
    expect(page).to_have_url(f"{live_server}/quizzes/attempts/{public_id}/review")
    expect(page.get_by_text("Hết giờ: bài được nộp tự động lúc")).to_be_visible()
    look(page, "quiz-state-04-review-time-up")
