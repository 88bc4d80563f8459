"""The learner's way through a program, at phone size: "Khóa học của tôi" lists the course's own
tests and scenarios in order (entrance → topics → scenarios → exit); "Bài kiểm tra" shows only
the programs the learner is enrolled in, grouped; a test opens on an intro page that explains
the rules before its "Bắt đầu làm bài" button starts the timer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import click_and_wait, look, nav
from tests.e2e.helpers import login, screenshot

pytestmark = pytest.mark.e2e

ENTRANCE = "Kiểm tra đầu vào — Chủ tịch, Phó Chủ tịch UBND cấp xã"


def test_course_lists_its_tests_in_order_and_a_test_opens_on_its_intro(page, live_server):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    nav(page, "Khóa học của tôi")
    course = page.locator("section.course").first
    headings = course.get_by_role("heading", level=3).all_inner_texts()
    wanted = ["1. Kiểm tra đầu vào", "2. Các chuyên đề", "3. Xử lý tình huống", "4. Kiểm tra cuối khóa"]
    assert [h for h in headings if h in wanted] == wanted, headings
    entrance = course.get_by_role("list", name="1. Kiểm tra đầu vào")
    expect(entrance.get_by_role("link")).to_have_count(1)
    expect(entrance.get_by_role("link")).to_have_text(ENTRANCE)
    expect(course.get_by_role("list", name="3. Xử lý tình huống").get_by_role("link").first).to_be_visible()
    look(page, "learner-way-01-course")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "learner-way-01-course-desktop")
    page.set_viewport_size({"width": 390, "height": 844})

    # "Bài kiểm tra": only the UBND program, entrance before exit, no start button on the list
    nav(page, "Bài kiểm tra")
    groups = page.locator("section.quiz-group")
    expect(groups).to_have_count(1)
    titles = groups.locator("li strong").all_inner_texts()
    assert len(titles) == 2 and "đầu vào" in titles[0].lower() and "đầu ra" in titles[1].lower(), titles
    expect(page.locator("main").get_by_role("button")).to_have_count(0)
    look(page, "learner-way-02-quiz-list")

    # the intro page: time limit, attempts, what happens at time-up; the POST button after it
    # the title opens the intro page, whatever the state (the quiz flow may have used the attempt)
    row = groups.locator("li").filter(has_text=ENTRANCE)
    click_and_wait(page, row.get_by_role("link", name=ENTRANCE, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(ENTRANCE)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("15 phút, tính từ lúc bấm “Bắt đầu làm bài”")
    expect(facts).to_contain_text(re.compile("1 lần; đồng chí còn [01] lần"))
    expect(page.get_by_text("Khi hết giờ, bài được nộp tự động")).to_be_visible()
    expect(page.get_by_text("Mỗi lần bấm “Bắt đầu làm bài” dùng một lượt làm")).to_be_visible()
    start = page.get_by_role("button", name="Bắt đầu làm bài")
    used = page.get_by_text("Đồng chí đã làm hết số lần được phép.")
    expect(start.or_(used).or_(page.get_by_role("link", name="Tiếp tục làm bài"))).to_be_visible()
    assert "/quizzes/attempts/" not in page.url
    look(page, "learner-way-03-quiz-intro")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "learner-way-03-quiz-intro-desktop")
