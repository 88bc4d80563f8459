"""Question-bank files in the browser, as an instructor moving a bank from Moodle:

a. phone (390×844): bank → "Nhập từ tệp"; a GIFT file missing a } shows the problem at its line
   and offers no import; a Moodle XML file with a description and an image previews all 11;
   a good GIFT file previews, "Nhập" imports it, the bank lists it;
b. desktop: the same pages wide, and "Xuất câu hỏi ra tệp" downloads the category as Moodle XML.
Every page stopped on passes axe-core (and fits the phone in a).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PageProblems
from tests.e2e.flows import CONTEXT_OPTIONS, PASSWORDS, button, click_and_wait, look, nav, watch
from tests.e2e.helpers import ROOT, check_axe, login, screenshot
from tests.e2e.quiz_flow_helpers import quiz_phones

DATA = ROOT / "tests" / "quizzes" / "data"
WIDE = {"width": 1280, "height": 800}
GOOD = """$CATEGORY: E2E nhập tệp

Cơ quan nào bầu Chủ tịch UBND xã?{~Đảng ủy =Hội đồng nhân dân ~Nhân dân}

::Trùng tên::Nhiệm kỳ HĐND là 5 năm.{T}

::Trùng tên::Hai nhân một bằng?{#=2:0 =%50%2:1 ~#Xem lại phép nhân.}
"""
BROKEN = "::a::Câu tốt{T}\n\n::b::Câu thiếu ngoặc{\n=x\n~y\n\n::c::Câu sau{=z ~w}\n"


@pytest.fixture()
def phones(browser, live_server):
    yield from quiz_phones(browser, live_server)


def test_instructor_imports_files_on_a_phone(phones, tmp_path):
    page = phones.open_as("giangvien")
    nav(page, "Quản lý kiểm tra")
    click_and_wait(page, page.get_by_role("link", name="Ngân hàng câu hỏi"))
    click_and_wait(page, page.get_by_role("link", name="Nhập từ tệp (GIFT, Moodle XML, Aiken)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập câu hỏi từ tệp")
    look(page, "bank-files-a-01-form")

    broken = tmp_path / "hong.gift"
    broken.write_text(BROKEN, encoding="utf-8")
    page.get_by_label("Tệp câu hỏi").set_input_files(str(broken))
    click_and_wait(page, button(page, "Kiểm tra tệp"))
    expect(page.get_by_text("hong.gift:3: khối đáp án chưa đóng: thiếu }")).to_be_visible()
    expect(page.get_by_text("1 lỗi: chưa nhập câu hỏi nào")).to_be_visible()
    expect(page.get_by_role("button", name="Nhập", exact=False).filter(has_text="câu hỏi")).to_have_count(0)
    look(page, "bank-files-a-02-broken")

    page.get_by_label("Tệp câu hỏi").set_input_files(str(DATA / "moodle.xml"))
    click_and_wait(page, button(page, "Kiểm tra tệp"))  # its description and its image are read too
    expect(button(page, "Nhập 11 câu hỏi")).to_be_visible()
    look(page, "bank-files-a-03-xml-preview")

    good = tmp_path / "tu-moodle.txt"
    good.write_text(GOOD, encoding="utf-8")
    page.get_by_label("Tệp câu hỏi").set_input_files(str(good))
    click_and_wait(page, button(page, "Kiểm tra tệp"))
    expect(page.get_by_text("E2E nhập tệp: 3")).to_be_visible()
    click_and_wait(page, button(page, "Nhập 3 câu hỏi"))
    expect(page.get_by_text("Đã nhập 3 câu hỏi (3 mới).")).to_be_visible()
    page.get_by_label("Nhóm câu hỏi", exact=True).select_option("E2E nhập tệp")
    click_and_wait(page, button(page, "Lọc"))
    expect(page.get_by_text("3 câu hỏi", exact=True)).to_be_visible()
    look(page, "bank-files-a-04-imported")
    report = phones.problems.report()
    assert not report, "\n".join(report)


def test_bank_files_on_a_desktop_and_export(browser, live_server, tmp_path):
    problems = PageProblems()
    context = browser.new_context(
        **dict(CONTEXT_OPTIONS, viewport=WIDE, is_mobile=False, has_touch=False), accept_downloads=True
    )
    context.set_default_timeout(15_000)
    try:
        page = watch(context.new_page(), problems)
        login(page, live_server, "giangvien", PASSWORDS["giangvien"])
        page.goto(f"{live_server}/quizzes/bank")
        page.get_by_text("Xuất câu hỏi ra tệp").click()
        page.get_by_label("Phạm vi xuất (nhóm hoặc bài kiểm tra)").select_option(index=0)
        page.get_by_label("Định dạng", exact=True).select_option("xml")
        check_axe(page)
        screenshot(page, "bank-files-b-01-bank-wide")
        with page.expect_download() as info:
            button(page, "Tải tệp về").click()
        download = info.value
        assert download.suggested_filename.endswith(".xml")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        text = saved.read_text("utf-8")
        assert (
            text.startswith('<?xml version="1.0" encoding="UTF-8"?>') and '<question type="category">' in text
        )
        page.goto(f"{live_server}/quizzes/bank/import")
        page.get_by_label("Tệp câu hỏi").set_input_files(str(saved))
        click_and_wait(page, button(page, "Kiểm tra tệp"))
        expect(page.get_by_text("Kết quả kiểm tra:")).to_be_visible()
        expect(page.locator("button[value=import]")).to_have_text(
            re.compile(r"^Nhập \d+ câu hỏi$")
        )  # imports cleanly
        check_axe(page)
        screenshot(page, "bank-files-b-02-preview-wide")
    finally:
        context.close()
    report = problems.report()
    assert not report, "\n".join(report)
