"""The per-field question form in the browser, at phone size, as an instructor who does not know
GIFT uses it:

a. with JavaScript: bank → "Thêm câu hỏi" → multiple response; "Thêm phương án" adds a seventh
   row; saving with no right choice gives a message; marked, it saves and opens the edit form;
   the bank's tag filter then finds the question;
b. without JavaScript: a single-choice question with the fixed six rows (no "Thêm phương án").
Every page stopped on passes axe-core and fits a 390 px phone.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import button, click_and_wait, look, nav
from tests.e2e.quiz_flow_helpers import quiz_phones


@pytest.fixture()
def phones(browser, live_server):
    yield from quiz_phones(browser, live_server)


def flash(page: Page):
    return page.locator("p.flash")


def rows(page: Page):
    return page.locator("fieldset.choice-row")


def test_instructor_adds_a_multiple_response_question_with_javascript(phones):
    page = phones.open_as("giangvien")
    nav(page, "Quản lý kiểm tra")
    click_and_wait(page, page.get_by_role("link", name="Ngân hàng câu hỏi"))
    click_and_wait(page, page.get_by_role("link", name="Thêm câu hỏi"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm câu hỏi")
    expect(page.get_by_text("Câu ghép đôi chỉ nhập được bằng GIFT")).to_be_visible()
    look(page, "question-form-a-01-types")
    click_and_wait(page, page.get_by_role("link", name="Nhiều lựa chọn đúng"))
    look(page, "question-form-a-02-empty")

    page.get_by_label("Mã câu hỏi").fill("e2e-nhieu-lua-chon")
    page.get_by_label("Nhóm câu hỏi có sẵn").select_option(index=1)
    page.get_by_label("Nhãn (cách nhau bằng dấu phẩy)").fill("e2e-nhan, hoa-giai")
    page.get_by_label("Nội dung câu hỏi").fill("Hội đồng hòa giải tranh chấp đất đai cấp xã gồm những ai?")
    texts = [
        "Chủ tịch hoặc Phó Chủ tịch UBND xã",
        "Đại diện Ủy ban MTTQ xã",
        "Công chức địa chính",
        "Chánh án Tòa án khu vực",
        "Đại diện doanh nghiệp bất động sản",
        "Trưởng Công an tỉnh",
        "Người sống lâu năm biết rõ nguồn gốc thửa đất",
    ]
    expect(rows(page)).to_have_count(6)
    button(page, "Thêm phương án").click()
    expect(rows(page)).to_have_count(7)
    expect(rows(page).nth(6).locator("legend")).to_have_text("Phương án 7")
    expect(page.locator("#choices-6-text")).to_be_focused()
    for n, text in enumerate(texts):
        rows(page).nth(n).get_by_label("Nội dung phương án").fill(text)

    click_and_wait(page, button(page, "Lưu câu hỏi"))
    expect(page.get_by_text("Đánh dấu ít nhất một phương án đúng.")).to_be_visible()
    expect(rows(page)).to_have_count(7)  # the added row came back from the server
    look(page, "question-form-a-03-no-right-choice")

    for n in (0, 1, 2, 6):
        rows(page).nth(n).get_by_label("Phương án đúng").check()
    click_and_wait(page, button(page, "Lưu câu hỏi"))
    expect(flash(page)).to_have_text("Đã thêm câu hỏi.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa câu hỏi e2e-nhieu-lua-chon")
    expect(rows(page)).to_have_count(9)  # seven choices and two empty rows
    expect(rows(page).nth(6).get_by_label("Phương án đúng")).to_be_checked()
    expect(rows(page).nth(3).get_by_label("Phương án đúng")).not_to_be_checked()
    look(page, "question-form-a-04-saved")

    click_and_wait(page, page.get_by_role("link", name="« Ngân hàng câu hỏi"))
    page.get_by_label("Nhóm câu hỏi").select_option("")
    page.get_by_label("Nhãn").select_option("e2e-nhan")
    click_and_wait(page, button(page, "Lọc"))
    found = page.locator("ul.rows > li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("e2e-nhieu-lua-chon")
    look(page, "question-form-a-05-tag-filter")


def test_instructor_adds_a_single_choice_question_without_javascript(phones):
    page = phones.open_as("giangvien", javascript=False)
    page.goto(f"{phones.base_url}/quizzes/bank/new/single")
    expect(rows(page)).to_have_count(6)
    expect(button(page, "Thêm phương án")).to_have_count(0)
    page.get_by_label("Mã câu hỏi").fill("e2e-mot-lua-chon")
    page.get_by_label("Hoặc nhóm mới").fill("Kiểm thử/Không JavaScript")
    page.get_by_label("Nội dung câu hỏi").fill("Hòa giải tranh chấp đất đai tại UBND xã có bắt buộc không?")
    rows(page).nth(0).get_by_label("Nội dung phương án").fill("Có, trước khi cơ quan khác giải quyết")
    rows(page).nth(1).get_by_label("Nội dung phương án").fill("Không, các bên tự chọn")
    rows(page).nth(0).get_by_label("Đây là phương án đúng").check()
    phones.look_without_js(page, "question-form-b-01-filled")
    click_and_wait(page, button(page, "Lưu câu hỏi"))
    expect(flash(page)).to_have_text("Đã thêm câu hỏi.")
    expect(page.get_by_label("Nhóm câu hỏi có sẵn")).to_have_value("Kiểm thử/Không JavaScript")
    expect(page.get_by_label("Đây là phương án đúng").first).to_be_checked()
    phones.look_without_js(page, "question-form-b-02-saved")
