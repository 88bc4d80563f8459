"""Case scenarios in the browser, at phone size: a learner plays an assessed scenario to the
end, leaves another one half-way and comes back to the same node, and an instructor grades
the free-text answer so that the learner's result stops being "pending"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lms.demo import _fixed_names
from tests.e2e.conftest import serve_demo
from tests.e2e.flows import (
    button,
    click_and_wait,
    flash,
    heading,
    look,
    nav,
    phone_sessions,
    second_tab,
)
from tests.e2e.helpers import login


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """This journey's own demo: other modules use the learner's one entrance attempt and the
    land-dispute run of the shared demo."""
    yield from serve_demo(tmp_path_factory)


@pytest.fixture()
def phone_pages(browser, live_server):
    """``phone_pages("duyet")``: another person, on another phone, logged in."""
    yield from phone_sessions(browser, live_server)


LEARNER_NAME = _fixed_names()["hocvien"]
LAND = "Tranh chấp ranh giới đất vườn giữa hai hộ liền kề ở thôn Đồng Sầm"
BUILDING = "Xây nhà trái phép trên đất trồng lúa ở cánh đồng Bãi Sậy"
ANSWER = (
    "Thưa ông Sơn, bà Nga: Hội đồng hòa giải không quyết thay hai gia đình. Nếu hai bên thống nhất, "
    "Hội đồng lập biên bản hòa giải thành, hai nhà làm thủ tục đăng ký biến động trong 30 ngày theo "
    "Điều 235 Luật Đất đai 2024. Nếu không thống nhất, Hội đồng lập biên bản hòa giải không thành; "
    "vì ông Sơn đã có Giấy chứng nhận nên theo khoản 1 Điều 236, Tòa án nhân dân giải quyết, "
    "Chủ tịch UBND xã không có thẩm quyền. Trong thời gian chờ, đề nghị hai nhà giữ nguyên hiện trạng."
)
# the best path of tranh-chap-dat-dai: node title -> the choice taken there
LAND_PATH = {
    "Tiếp nhận đơn": "Thụ lý; ra quyết định thành lập Hội đồng hòa giải",
    "Điều hành phiên hòa giải": "Để từng bên trình bày, công bố số liệu",
    "Chốt kết quả": "Cho ông Sơn và bà Nga ký biên bản hòa giải thành",
}
LAND_ENDING = "Hòa giải thành, ranh giới được xác lập"


def choice(page: Page, starts_with: str):
    """The big answer button of a decision whose label starts with ``starts_with``."""
    return page.get_by_role("button", name=re.compile("^" + re.escape(starts_with)))


def open_scenario(page: Page, title: str) -> None:
    """From anywhere: "Tình huống" → the scenario (its intro page, or the open run)."""
    nav(page, "Tình huống")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xử lý tình huống")
    click_and_wait(page, page.get_by_role("link", name=re.compile("^" + re.escape(title))))


def start_assessed(page: Page, title: str) -> None:
    open_scenario(page, title)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    click_and_wait(page, button(page, "Làm bài tính điểm"))
    expect(page.get_by_text("Bài tính điểm", exact=False).first).to_be_visible()


def play_land_dispute(page: Page, shots: str | None = None) -> None:
    """Play tranh-chap-dat-dai assessed along its best path, writing ANSWER; ends on the summary.
    With ``shots``, every node is checked and photographed as ``{shots}-NN-<what>``."""
    counter = iter(range(2, 100))

    def shot(what: str) -> None:
        if shots:
            look(page, f"{shots}-{next(counter):02d}-{what}")

    start_assessed(page, LAND)
    # situation: read it, then "Tiếp tục"
    expect(page.get_by_role("heading", level=1)).to_have_text("Tình huống và mục tiêu xử lý")
    expect(page.get_by_text("Mục tiêu xử lý của đồng chí")).to_be_visible()
    shot("situation")
    click_and_wait(page, button(page, "Tiếp tục"))

    for number, (node_title, label) in enumerate(LAND_PATH.items(), start=1):
        if node_title == "Chốt kết quả":
            # the free-text node comes before the last decision
            expect(page.get_by_role("heading", level=1)).to_have_text("Giải thích trình tự tiếp theo")
            answer = page.get_by_label("Câu trả lời của đồng chí")
            expect(answer).to_be_visible()
            answer.fill(ANSWER)
            shot("response")
            click_and_wait(page, button(page, "Gửi câu trả lời"))
        expect(page.get_by_role("heading", level=1)).to_have_text(node_title)
        expect(page.get_by_text("Lưu ý: quyết định đã đưa ra không thể rút lại.")).to_be_visible()
        shot(f"decision-{number}")
        click_and_wait(page, choice(page, label))
        # the feedback of the choice opens the next page
        feedback = page.get_by_role("region", name=re.compile("^Đồng chí đã chọn"))
        if node_title != "Chốt kết quả":
            expect(feedback).to_contain_text(label)
            expect(feedback).to_contain_text("Nhận xét của chuyên gia")
            expect(feedback).to_contain_text("Diễn biến tiếp theo")
            shot(f"feedback-{number}")
            if heading(page) == "Kết quả xác minh và phân tích":  # a situation after the decision
                click_and_wait(page, button(page, "Tiếp tục"))


def test_learner_plays_an_assessed_scenario_to_the_end(page, live_server):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    nav(page, "Tình huống")
    expect(page.get_by_role("link", name=re.compile("^" + re.escape(LAND)))).to_be_visible()
    look(page, "scenarios-a-00-list")
    open_scenario(page, LAND)
    expect(page.get_by_role("heading", level=1)).to_have_text(LAND)
    expect(button(page, "Làm bài tính điểm")).to_be_visible()
    look(page, "scenarios-a-01-intro")

    play_land_dispute(page, shots="scenarios-a")

    # the ending: outcome, the path with points, the answer waiting for the instructor
    expect(page.get_by_role("heading", level=1)).to_have_text(LAND_ENDING)
    expect(page.get_by_text("tạm tính, phần tự luận đang chờ chấm")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Điểm đường đi: 10(,0+)?/10"))).to_be_visible()
    path = page.get_by_role("heading", name="Đường đi của đồng chí").locator("xpath=following-sibling::ol[1]")
    expect(path.get_by_role("listitem")).to_have_count(len(LAND_PATH))
    for number, (node_title, label) in enumerate(LAND_PATH.items()):
        item = path.get_by_role("listitem").nth(number)
        expect(item).to_contain_text(node_title)
        expect(item).to_contain_text(label)
        expect(item).to_contain_text("3 điểm")
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.get_by_text("Đang chờ giảng viên chấm")).to_be_visible()
    expect(page.get_by_text("Bình luận của chuyên gia")).to_be_visible()
    look(page, "scenarios-a-20-summary")

    nav(page, "Kết quả của tôi")
    row = page.get_by_role("listitem").filter(has_text=LAND)
    expect(row.first).to_contain_text("đang chờ chấm phần tự luận")
    look(page, "scenarios-a-21-results-pending")


def test_learner_leaves_half_way_and_resumes_at_the_same_node(page, live_server, page_problems):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    start_assessed(page, BUILDING)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tình huống và mục tiêu xử lý")
    click_and_wait(page, button(page, "Tiếp tục"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Phản ứng ban đầu")
    click_and_wait(page, choice(page, "Giao Phòng Kinh tế, Công an xã, trưởng thôn"))
    node = heading(page)
    assert node == "Người vi phạm không hợp tác"
    run_url = page.url
    look(page, "scenarios-b-01-left-here")

    # later, in a new tab: the list says "Tiếp tục", and it opens the same node
    later = second_tab(page, page_problems)
    later.goto(f"{live_server}/")
    nav(later, "Tình huống")
    open_run = later.get_by_role("link", name=re.compile("^" + re.escape(BUILDING)))
    expect(open_run).to_contain_text("Tiếp tục")
    look(later, "scenarios-b-02-list-continue")
    click_and_wait(later, open_run)
    assert later.url == run_url
    expect(later.get_by_role("heading", level=1)).to_have_text(node)
    expect(later.get_by_role("region", name=re.compile("^Đồng chí đã chọn"))).to_contain_text(
        "Giao Phòng Kinh tế, Công an xã, trưởng thôn"
    )
    look(later, "scenarios-b-03-resumed")

    taken = "Hoàn tất biên bản có người chứng kiến"
    click_and_wait(later, choice(later, taken))
    expect(later.get_by_role("heading", level=1)).to_have_text("Phân tích nguyên nhân")

    # the old tab still shows the earlier node: a tap there changes nothing (stale step)
    click_and_wait(page, choice(page, "Chờ ông Toàn ký biên bản"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Phân tích nguyên nhân")
    expect(page.get_by_role("region", name=re.compile("^Đồng chí đã chọn"))).to_contain_text(taken)
    look(page, "scenarios-b-04-old-tab-unchanged")
    later.close()


def test_instructor_grades_the_answer_and_the_result_is_final(page, live_server, phone_pages):
    grader = phone_pages("giangvien")
    nav(grader, "Chấm tình huống")
    expect(grader.get_by_role("heading", level=1)).to_have_text("Chấm tự luận tình huống")
    waiting = grader.get_by_role("listitem").filter(has_text=LAND).filter(has_text=LEARNER_NAME)
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    if waiting.count() == 0:  # run on its own: the learner first plays the scenario
        play_land_dispute(page)
        grader.reload()
    expect(waiting.first).to_contain_text("chưa chấm")
    look(grader, "scenarios-c-01-grading-queue")

    # grade every waiting answer of this learner to this scenario (the "highest" policy keeps
    # the result pending while any run has an ungraded answer)
    graded = 0
    while waiting.count():
        click_and_wait(grader, waiting.first.get_by_role("link"))
        expect(grader.get_by_role("heading", level=1)).to_have_text("Giải thích trình tự tiếp theo")
        expect(grader.get_by_text(ANSWER)).to_be_visible()
        expect(grader.get_by_text("Đáp án gợi ý")).to_be_visible()
        for criterion, level in [
            ("Trình tự sau hòa giải thành và không thành", "Đúng cả hai, có đăng ký biến động"),
            ("Thẩm quyền và căn cứ pháp lý", "Đúng Tòa án, đúng Điều 235, 236 và lý do"),
            ("Ngôn ngữ trung lập, giữ hòa khí", "Trung lập, giữ nguyên hiện trạng"),
        ]:
            group = grader.get_by_role("group", name=criterion)
            group.get_by_role("radio", name=re.compile("^" + re.escape(level))).check()
        grader.get_by_label("Nhận xét cho học viên").fill(
            "Nêu đúng trình tự và thẩm quyền của Tòa án; lời lẽ trung lập, dễ hiểu với bà con."
        )
        if graded == 0:
            look(grader, "scenarios-c-02-grade-form")
        click_and_wait(grader, button(grader, "Lưu điểm"))
        expect(flash(grader)).to_have_text("Đã lưu điểm chấm.")
        graded += 1
    assert graded >= 1
    expect(grader.get_by_role("listitem").filter(has_text=LAND).filter(has_text=LEARNER_NAME)).to_have_count(
        0
    )
    look(grader, "scenarios-c-03-queue-done")

    # the learner sees the grade on the summary of the run ...
    nav(page, "Tình huống")
    finished = page.get_by_role("heading", name="Đã hoàn thành").locator("xpath=following-sibling::ul[1]")
    done = finished.get_by_role("listitem").filter(has_text=LAND).filter(has_text="Tính điểm").first
    expect(done).not_to_contain_text("chờ chấm")
    click_and_wait(page, done.get_by_role("link"))
    expect(page.get_by_role("heading", level=1)).to_have_text(LAND_ENDING)
    expect(page.get_by_text(re.compile(r"^Điểm chấm: 7(,0+)?/7(,0+)?$"))).to_be_visible()
    expect(page.get_by_text("Nêu đúng trình tự và thẩm quyền của Tòa án")).to_be_visible()
    expect(page.get_by_text("Đang chờ giảng viên chấm")).to_have_count(0)
    score = page.get_by_role("paragraph").filter(has_text=re.compile(r"^\s*Điểm: 10(,0+)?/10\s+—\s+Đạt\s*$"))
    expect(score).to_be_visible()
    look(page, "scenarios-c-04-learner-sees-grade")

    # ... and "Kết quả của tôi" shows a final score
    nav(page, "Kết quả của tôi")
    row = page.get_by_role("listitem").filter(has_text=LAND)
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("đang chờ chấm")
    expect(row).to_contain_text(re.compile(r"Điểm: 10(,0+)?/10 — Đạt"))
    look(page, "scenarios-c-05-results-final")
