"""The quiz builder in the browser (issue #14 item 5), at phone (390x844) and desktop size:

the instructor opens "Quản lý kiểm tra" → "Tạo bài kiểm tra", fills the settings (a wrong close
time first: a message, what was typed kept), adds two questions from the bank and a random
draw of two (one row), moves the draw to the top, changes the points of a question, previews a question
("Kiểm tra" grades it, nothing stored) and the quiz "as the learner sees it"; then the learner
finds the quiz and starts it, and the builder shows the questions locked.
Every page stopped on passes axe-core (and fits a phone at phone size) and is photographed.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PageProblems, serve_demo
from tests.e2e.flows import CONTEXT_OPTIONS, PASSWORDS, button, click_and_wait, flash, nav, watch
from tests.e2e.helpers import check_axe, check_phone_layout, login, screenshot

BANK = "Xây dựng Đảng/Sinh hoạt chi bộ"
DRAW = "Xây dựng Đảng/Kiểm tra giám sát kỷ luật"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1, "locale": "vi-VN"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Its own demo: the quizzes made here must not show in other modules' learner lists."""
    yield from serve_demo(tmp_path_factory)


@pytest.fixture()
def open_as(browser: Browser, live_server: str):
    contexts, problems = [], PageProblems()
    problems.allow_console("status of 400 (BAD REQUEST)")  # a refused form is answered 400

    def open_page(username: str, size: str) -> Page:
        context = browser.new_context(**(CONTEXT_OPTIONS if size == "phone" else DESKTOP))
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = watch(context.new_page(), problems)
        login(page, live_server, username, PASSWORDS[username])
        assert page.url == f"{live_server}/"
        return page

    yield open_page
    for context in contexts:
        context.close()
    report = problems.report()
    assert not report, "\n".join(report)


def look(page: Page, size: str, name: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    if size == "phone":
        check_phone_layout(page)
    check_axe(page)
    screenshot(page, f"quiz-builder-{size}-{name}")


def slot_rows(page: Page):
    return page.locator("ol.slots > li")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_instructor_builds_a_quiz_and_a_learner_starts_it(open_as, size):
    title = f"Kiểm tra nhanh sinh hoạt chi bộ ({'điện thoại' if size == 'phone' else 'máy tính'})"
    page = open_as("giangvien", size)
    nav(page, "Quản lý kiểm tra")
    click_and_wait(page, page.get_by_role("link", name="Tạo bài kiểm tra").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo bài kiểm tra")
    look(page, size, "01-settings-empty")

    page.get_by_label("Tên bài kiểm tra").fill(title)
    page.get_by_label("Mục đích").select_option("practice")
    page.get_by_label("Số lần làm bài (0 = không giới hạn)").fill("0")
    page.get_by_label("Điểm đạt (thang 10)").fill("6,5")
    page.get_by_label("Thời gian làm bài (phút, 0 hoặc để trống = không giới hạn)").fill("20")
    page.get_by_label("Mở lúc (giờ Việt Nam)").fill("2026-01-10T08:00")
    page.get_by_label("Đóng lúc (giờ Việt Nam)").fill("2026-01-09T08:00")
    page.get_by_label("Đáp án đúng — Sau khi đóng").check()
    click_and_wait(page, button(page, "Tạo bài kiểm tra"))
    expect(page.locator("#closes_at-error")).to_have_text("Thời điểm đóng phải sau thời điểm mở.")
    expect(page.get_by_label("Tên bài kiểm tra")).to_have_value(title)
    expect(page.get_by_label("Đáp án đúng — Sau khi đóng")).to_be_checked()
    look(page, size, "02-settings-refused")

    page.get_by_label("Đóng lúc (giờ Việt Nam)").fill("2036-01-10T08:00")
    click_and_wait(page, button(page, "Tạo bài kiểm tra"))
    expect(flash(page)).to_have_text("Đã tạo bài kiểm tra. Bây giờ đồng chí thêm câu hỏi.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Câu hỏi của bài kiểm tra")
    expect(page.get_by_text("Bài kiểm tra chưa có câu hỏi; học viên chưa làm được.")).to_be_visible()

    # two questions from the bank
    page.get_by_label("Nhóm câu hỏi", exact=True).select_option(BANK)
    click_and_wait(page, button(page, "Xem câu hỏi"))
    picks = page.locator("ul.pick input[type=checkbox]")
    expect(picks.first).to_be_visible()
    picks.nth(0).check()
    picks.nth(1).check()
    look(page, size, "03-pick-from-bank")
    click_and_wait(page, button(page, "Thêm các câu đã chọn"))
    expect(flash(page)).to_have_text("Đã thêm 2 câu hỏi.")
    expect(slot_rows(page)).to_have_count(2)

    # a random draw, too many first
    page.get_by_label("Nhóm câu hỏi (gồm nhóm con)").select_option(DRAW)
    page.get_by_label("Số câu rút ngẫu nhiên").fill("500")
    click_and_wait(page, button(page, "Thêm câu ngẫu nhiên"))
    expect(page.locator("#count-error")).to_contain_text("Số câu là số từ 1 đến 200.")
    page.get_by_label("Số câu rút ngẫu nhiên").fill("2")
    page.get_by_label("Điểm mỗi câu").fill("2")
    click_and_wait(page, button(page, "Thêm câu ngẫu nhiên"))
    expect(flash(page)).to_have_text("Đã thêm 2 câu ngẫu nhiên.")
    expect(slot_rows(page)).to_have_count(3)  # the two draws are one row
    expect(slot_rows(page).nth(2)).to_contain_text(f"Câu 3–4. Ngẫu nhiên 2 câu từ «{DRAW}»")

    # the draw to the top, two moves up
    click_and_wait(page, button(page, "Lên câu 3–4"))
    click_and_wait(page, button(page, "Lên câu 2–3"))
    expect(flash(page)).to_have_text("Đã đổi thứ tự.")
    expect(slot_rows(page).nth(0)).to_contain_text(f"Câu 1–2. Ngẫu nhiên 2 câu từ «{DRAW}»")

    # points: a refused value stays typed, then a good one
    page.get_by_label("Điểm câu 3").fill("0")
    click_and_wait(page, button(page, "Lưu điểm câu 3"))
    expect(page.locator("ol.slots .error")).to_contain_text("lớn hơn 0")
    expect(page.get_by_label("Điểm câu 3")).to_have_value("0")
    page.get_by_label("Điểm câu 3").fill("1,5")
    click_and_wait(page, button(page, "Lưu điểm câu 3"))
    expect(flash(page)).to_have_text("Đã lưu điểm.")
    expect(page.locator("p.total")).to_have_text("4 câu · tổng 6,50 điểm")
    look(page, size, "04-questions")

    # preview one question as the learner sees it, and check an answer
    click_and_wait(page, slot_rows(page).nth(1).get_by_role("link", name="Xem trước"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xem trước câu hỏi")
    page.locator("fieldset.question input").first.check()
    click_and_wait(page, button(page, "Kiểm tra"))
    expect(page.get_by_role("heading", name="Kết quả chấm thử")).to_be_visible()
    expect(page.locator(".preview-result .verdict")).to_be_visible()
    look(page, size, "05-question-preview")
    click_and_wait(page, page.get_by_role("link", name="« Câu hỏi của bài kiểm tra"))

    # the quiz as the learner sees it: three questions, nothing stored
    click_and_wait(page, page.get_by_role("link", name="Xem trước như học viên"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("fieldset.question")).to_have_count(4)
    expect(page.locator("fieldset.question legend").first).to_contain_text("(2,00 điểm)")
    expect(page.locator("fieldset.question legend").nth(2)).to_contain_text("(1,50 điểm)")
    look(page, size, "06-quiz-preview")

    if size != "phone":
        return
    learner = open_as("hocvien", size)
    learner.goto(page.url.split("/quizzes/")[0] + "/quizzes")
    click_and_wait(learner, learner.get_by_role("link", name=title, exact=True))
    click_and_wait(learner, button(learner, "Bắt đầu làm bài"))
    expect(learner.locator("fieldset.question")).to_have_count(4)
    look(learner, size, "07-learner-attempt")

    page.goto(page.url.replace("/preview", "/questions"))
    expect(page.get_by_text("Bài kiểm tra đã có bài làm nên các câu hỏi bị khóa")).to_be_visible()
    expect(button(page, "Lên câu 3")).to_have_count(0)
    look(page, size, "08-questions-locked")

    # a setting that decides recorded grades is refused now; the rest still saves (new version)
    click_and_wait(page, page.get_by_role("link", name="Sửa cài đặt"))
    expect(page.get_by_text("Bài kiểm tra đã có bài làm: mã, mục đích")).to_be_visible()
    page.get_by_label("Điểm đạt (thang 10)").fill("8")
    click_and_wait(page, button(page, "Lưu cài đặt"))
    expect(page.locator("#pass_mark-error")).to_contain_text("Bài kiểm tra đã có bài làm")
    look(page, size, "09-settings-locked")
    page.get_by_label("Điểm đạt (thang 10)").fill("6,5")
    page.get_by_label("Thời gian làm bài (phút, 0 hoặc để trống = không giới hạn)").fill("25")
    click_and_wait(page, button(page, "Lưu cài đặt"))
    expect(flash(page)).to_have_text("Đã lưu cài đặt.")
    expect(page.get_by_text("phiên bản 2")).to_be_visible()
