"""The pages authors, approvers and graders work in every day, at 390×844 and on a desktop:
the scenario graph (Graphviz, nodes are links, choice labels on edges), the approver's review
queue, and the gradebook."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lms.demo import _fixed_names
from tests.e2e.flows import PASSWORDS, button, click_and_wait, look, phone_sessions
from tests.e2e.helpers import SCREENSHOTS, check_axe, login, screenshot

WIDE = {"width": 1280, "height": 900}
BOARD = "bantochuc"
LEARNER = _fixed_names()["hocvien"]
DISCIPLINE = "Xem xét kỷ luật đảng viên là trưởng thôn thu tiền đóng góp sai quy định"


@pytest.fixture()
def phone_pages(browser, live_server):
    yield from phone_sessions(browser, live_server)


@pytest.fixture()
def desktop(browser, live_server):
    """``desktop("giangvien")``: the same person on a wide screen."""
    contexts = []

    def open_as(username: str) -> Page:
        context = browser.new_context(viewport=WIDE, locale="vi-VN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        login(page, live_server, username, PASSWORDS[username])
        return page

    yield open_as
    for context in contexts:
        context.close()


def wide_look(page: Page, name: str) -> None:
    check_axe(page)
    screenshot(page, name)


def test_scenario_graph_is_drawn_by_graphviz_and_its_nodes_open_the_editor(phone_pages, desktop, live_server):
    author = phone_pages("giangvien")
    author.goto(f"{live_server}/scenarios/manage?status=published")
    click_and_wait(author, author.get_by_role("row").filter(has_text=DISCIPLINE).get_by_role("link").first)
    graph = author.locator("svg.scenario-graph")
    expect(graph).to_be_visible()
    # names, not codes, in the metadata
    facts = author.locator("dl.facts")
    expect(facts).to_contain_text("Kiểm tra, giám sát")
    expect(facts).not_to_contain_text("kiem-tra-giam-sat")
    # every node is a link with its full title; choice labels are on the edges
    nodes = graph.locator("a")
    assert nodes.count() >= 5
    first = nodes.first
    expect(first).to_have_attribute("href", "#sg-node-" + first.get_attribute("href").split("sg-node-", 1)[1])
    assert graph.locator("g.edge text").count() >= 3
    look(author, "authors-a-01-graph-published")

    # a new version: the editor's graph links every node to its form
    click_and_wait(author, button(author, "Sửa (tạo phiên bản mới)"))
    click_and_wait(author, author.get_by_role("link", name="Soạn bằng biểu mẫu thay vì YAML"))
    graph = author.locator("svg.scenario-graph")
    expect(graph).to_be_visible()
    look(author, "authors-a-02-graph-editor")
    link = graph.locator("a").nth(1)
    label = link.get_attribute("aria-label")
    node_id = label.split(" · ", 1)[0]
    click_and_wait(author, link)
    expect(author.get_by_role("heading", level=1)).to_contain_text(f"Nút {node_id}")
    look(author, "authors-a-03-node-from-graph")

    wide = desktop("giangvien")
    wide.goto(author.url.rsplit("/nodes/", 1)[0])
    expect(wide.locator("svg.scenario-graph")).to_be_visible()
    wide_look(wide, "authors-a-04-graph-editor-desktop")
    wide.locator("svg.scenario-graph a").first.focus()
    wide_look(wide, "authors-a-05-graph-focus-desktop")


SPEECH = "Phát ngôn thiếu chuẩn mực của lãnh đạo xã bị quay clip lan truyền"


def test_approver_finds_the_waiting_scenario_from_home_and_reads_its_diff(phone_pages, desktop, live_server):
    author = phone_pages("giangvien")
    author.goto(f"{live_server}/scenarios/manage?status=published")
    click_and_wait(author, author.get_by_role("row").filter(has_text=SPEECH).get_by_role("link").first)
    click_and_wait(author, button(author, "Sửa (tạo phiên bản mới)"))
    source = author.get_by_label("Nội dung tình huống (YAML theo content/FORMATS.md)")
    yaml_text = source.input_value()
    assert "title: Những giờ đầu\n" in yaml_text
    source.fill(
        yaml_text.replace("title: Những giờ đầu\n", "title: Những giờ đầu tiên sau khi clip lan truyền\n", 1)
    )
    click_and_wait(author, button(author, "Kiểm tra và lưu"))
    click_and_wait(author, author.get_by_role("link", name=re.compile("^« ")).first)
    click_and_wait(author, button(author, "Gửi duyệt"))

    approver = phone_pages("duyet")
    card = approver.get_by_role("link", name=re.compile(r"^Chờ duyệt: [1-9]"))
    expect(card).to_be_visible()
    look(approver, "authors-b-01-home-approver")
    click_and_wait(approver, card)
    expect(approver.get_by_role("heading", level=1)).to_have_text("Hàng chờ duyệt")
    item = approver.get_by_role("listitem").filter(has_text=SPEECH)
    expect(item).to_contain_text("Bước tiếp: duyệt hoặc trả lại")
    look(approver, "authors-b-02-review-queue")
    click_and_wait(approver, item.get_by_role("link"))
    changes = approver.locator("section.changes")
    expect(changes).to_contain_text("Thay đổi so với bản 1")
    expect(changes.locator("ins mark")).to_contain_text("tiên sau khi clip lan truyền")
    look(approver, "authors-b-03-scenario-diff")

    # the approver's "Quản lý tình huống" lists it too
    approver.goto(f"{live_server}/scenarios/manage?status=submitted")
    expect(approver.get_by_role("row").filter(has_text=SPEECH)).to_have_count(1)
    look(approver, "authors-b-04-manage-approver")

    wide = desktop("duyet")
    wide.goto(f"{live_server}/review/")
    wide_look(wide, "authors-b-05-review-queue-desktop")
    click_and_wait(wide, wide.get_by_role("listitem").filter(has_text=SPEECH).get_by_role("link"))
    wide_look(wide, "authors-b-06-scenario-diff-desktop")


def test_grader_sees_word_count_and_radios_by_their_labels_learner_sees_levels(
    page, phone_pages, desktop, live_server
):
    from tests.e2e.test_scenarios_flow import ANSWER, LAND, play_land_dispute

    login(page, live_server, "hocvien", PASSWORDS["hocvien"])
    play_land_dispute(page)
    summary_url = page.url
    grader = phone_pages("giangvien")
    grader.goto(f"{live_server}/scenarios/grading")
    click_and_wait(grader, grader.get_by_role("listitem").filter(has_text=LAND).first.get_by_role("link"))
    expect(grader.get_by_text(f"Số từ: {len(ANSWER.split())}")).to_be_visible()
    radio = grader.locator("input[type=radio]").first
    label = grader.locator("label.sc-grade-level").first
    r = radio.bounding_box()
    text = label.locator("span").bounding_box()
    # small, and beside its text (same line), not a big circle on a line of its own
    assert r["width"] < 30 and text["x"] > r["x"] + r["width"] and abs(text["y"] - r["y"]) < 12, (r, text)
    look(grader, "authors-c-01-grade-form")
    grader.locator("fieldset.sc-rubric").first.screenshot(path=str(SCREENSHOTS / "authors-c-01b-rubric.png"))
    wide = desktop("giangvien")
    wide.goto(grader.url)
    wide_look(wide, "authors-c-02-grade-form-desktop")
    for group in grader.locator("fieldset.sc-rubric").all():
        group.locator("input[type=radio]").last.check()
    click_and_wait(grader, button(grader, "Lưu điểm"))

    page.goto(summary_url)
    levels = page.get_by_role("list", name="Điểm theo từng tiêu chí")
    expect(levels.get_by_role("listitem")).to_have_count(3)
    look(page, "authors-c-03-learner-levels")
    wide_learner = desktop("hocvien")
    wide_learner.goto(summary_url)
    wide_look(wide_learner, "authors-c-04-learner-levels-desktop")


def test_board_reads_the_cohort_gradebook(phone_pages, desktop, live_server):
    board = phone_pages(BOARD)
    # the demo cohort with learners (hocvien is in the UBND one)
    for cohort_id in range(1, 10):
        board.goto(f"{live_server}/evaluation/cohorts/{cohort_id}/gradebook")
        if board.locator("table.gradebook tbody th[scope=row]").count():
            break
    board.goto(f"{live_server}/evaluation/cohorts/{cohort_id}")
    click_and_wait(board, board.get_by_role("link", name="Bảng điểm (mọi thành phần)"))
    expect(board.get_by_role("heading", level=1)).to_contain_text("Bảng điểm lớp")
    table = board.locator("table.gradebook")
    expect(table.get_by_role("columnheader", name="Kiểm tra đầu vào")).to_be_visible()
    expect(table.get_by_role("rowheader").filter(has_text=LEARNER)).to_have_count(1)
    look(board, "authors-d-01-gradebook")
    with board.expect_download() as download:
        board.get_by_role("link", name="Tải CSV").click()
    assert download.value.suggested_filename.endswith("-bang-diem.csv")
    wide = desktop(BOARD)
    wide.goto(board.url)
    wide_look(wide, "authors-d-02-gradebook-desktop")
