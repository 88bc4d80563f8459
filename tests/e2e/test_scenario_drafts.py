"""A scenario's free-text answer is never lost, at phone size: the draft is saved as it is
typed; when the session ends while the cadre writes (another tab logs out), "Gửi câu trả lời"
keeps the text in the box and says what happened; after logging in again the page comes back
with the same text; offline, the state says the text stays on the phone; a 14,000-character
paste is refused with a message, not cut; the rubric and a word counter are on screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import button, click_and_wait, heading, look, nav, second_tab
from tests.e2e.helpers import login, logout
from tests.e2e.test_scenarios_flow import LAND, LAND_PATH, choice

pytestmark = pytest.mark.e2e

RESPONSE = "Giải thích trình tự tiếp theo"
FIRST = "Thưa ông Sơn, bà Nga: Hội đồng hòa giải không quyết thay hai gia đình."
MORE = " Nếu hòa giải không thành, theo khoản 1 Điều 236 Luật Đất đai 2024, Tòa án giải quyết."


def practice_to_the_answer(page: Page) -> None:
    """A fresh practice run of the land dispute, walked to its free-text step."""
    nav(page, "Tình huống")
    # the scenario's own entry (a finished run of it may be listed too, further down)
    click_and_wait(page, page.get_by_role("link", name=re.compile("^" + re.escape(LAND))).first)
    restart = (
        page.locator("section.resume-banner")
        .filter(has_text="luyện tập")
        .get_by_role("button", name="Làm lại từ đầu")
    )
    if restart.count():
        click_and_wait(page, restart)
    else:
        click_and_wait(page, button(page, "Luyện tập (không tính điểm)"))
    for _ in range(8):
        if heading(page) == RESPONSE:
            return
        title = heading(page)
        if title in LAND_PATH:
            click_and_wait(page, choice(page, LAND_PATH[title]))
        else:
            click_and_wait(page, button(page, "Tiếp tục"))
    raise AssertionError(f"never reached {RESPONSE!r} (at {heading(page)!r})")


def test_answer_survives_a_session_ending_and_a_too_long_paste(page, live_server, page_problems):
    page_problems.allow_console("400 (BAD REQUEST)")  # the refused autosave after the logout
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    practice_to_the_answer(page)
    run_url = page.url
    box = page.get_by_label("Câu trả lời của đồng chí")
    status = page.locator("#draft-status")

    # the rubric and the expected length are on screen while writing
    rubric = page.locator("details.sc-rubric-help")
    expect(rubric).to_have_attribute("open", "")
    expect(rubric).to_contain_text("Thẩm quyền và căn cứ pháp lý")
    expect(page.get_by_text("Độ dài mong đợi: 150–200 chữ.")).to_be_visible()

    box.fill(FIRST)
    expect(status).to_have_text("Đã lưu bản nháp")
    expect(page.locator("#answer-count")).to_have_text(
        re.compile(r"^15 chữ \(150–200\) · 70 / 10\.000 ký tự$")
    )
    look(page, "scenario-draft-01-writing-saved")

    # another tab logs out while the cadre is still writing
    other = second_tab(page, page_problems)
    other.goto(f"{live_server}/")
    logout(other)
    other.close()
    box.press("End")
    box.type(MORE, delay=0)
    button(page, "Gửi câu trả lời").click()
    alert = page.locator("#draft-alert")
    expect(alert).to_contain_text("Phiên đăng nhập đã hết nên chưa gửi được")
    expect(alert).to_contain_text("vẫn còn trong ô")
    assert page.url == run_url  # no error page: the text is still in the box
    expect(box).to_have_value(FIRST + MORE)
    look(page, "scenario-draft-02-session-ended")

    # "Đăng nhập lại" → the login page → back to the same step with the same text
    click_and_wait(page, alert.get_by_role("link", name="Đăng nhập lại"))
    page.get_by_label("Tên đăng nhập").fill("hocvien")
    page.get_by_label("Mật khẩu").fill("HV@TanLap-2026")
    click_and_wait(page, page.locator("main form").get_by_role("button", name="Đăng nhập"))
    assert page.url == run_url, page.url
    expect(box).to_have_value(FIRST + MORE)
    expect(page.locator("#draft-alert")).to_contain_text("Đã khôi phục phần đồng chí viết trên máy này")
    expect(status).to_have_text("Đã lưu bản nháp")  # and the restored text reached the server
    look(page, "scenario-draft-03-restored-after-login")

    # reload: the server's draft is the newest text now
    page.reload()
    expect(box).to_have_value(FIRST + MORE)

    # offline: the state says the text stays on the phone
    page.context.set_offline(True)
    box.press("End")
    box.type(" Trong thời gian chờ, giữ nguyên hiện trạng.", delay=0)
    expect(status).to_have_text("Mất kết nối — bản nháp được giữ trên máy và sẽ gửi khi có mạng")
    look(page, "scenario-draft-04-offline")
    page.context.set_offline(False)
    expect(status).to_have_text("Đã lưu bản nháp", timeout=20_000)
    kept = box.input_value()

    # a 14,000-character paste: refused with a message, nothing cut, nothing emptied
    long_text = kept + " " + "x" * (14_000 - len(kept) - 1)
    box.fill(long_text)
    expect(page.locator("#answer-count")).to_contain_text("14.000 / 10.000 ký tự")
    button(page, "Gửi câu trả lời").click()
    expect(page.locator("#draft-alert")).to_contain_text("dài hơn 10.000 ký tự nên chưa gửi")
    expect(box).to_have_value(long_text)
    assert page.url == run_url
    look(page, "scenario-draft-05-too-long")

    # cut down and send: the next step opens
    box.fill(kept)
    click_and_wait(page, button(page, "Gửi câu trả lời"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chốt kết quả")
