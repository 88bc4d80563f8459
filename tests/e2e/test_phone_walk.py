"""The demo learner's whole journey on a 390×844 phone, as an older cadre reads it: home, course,
topic, entrance test (intro, attempt, summary, review), an assessed scenario with a free-text
answer, results, evaluation and the offline page. Each stop fits the phone and passes axe-core
(``look``); on top of that no text in <main> is under 16 px, the "back" links and checkboxes are
big enough to tap, and numbers read the Vietnamese way ("8,88"; "30%", no space before the sign,
as Unicode CLDR and the users write it)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import serve_demo
from tests.e2e.flows import button, click_and_wait, look, nav
from tests.e2e.helpers import login
from tests.e2e.quiz_flow_helpers import answer, questions

pytestmark = pytest.mark.e2e

SPACED_PERCENT = re.compile(r"\d\s%")  # "30 %" or "30\u00a0%": CLDR's Vietnamese "#,##0%" has no space
DOT_DECIMAL = re.compile(r"(?<![\d/.:\w])\d+\.\d{1,2}(?![\d/.:\w])")  # "10.000" is a thousand
LAND = "Tranh chấp ranh giới đất vườn giữa hai hộ liền kề ở thôn Đồng Sầm"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Its own demo: the walk uses the learner's one entrance attempt and a land-dispute run."""
    yield from serve_demo(tmp_path_factory)


def small_text(page: Page) -> list[str]:
    """Elements in <main> that show text of their own in a font under 16 px."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(el => {
              const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
              const box = el.getBoundingClientRect();
              return own && box.width > 0 && parseFloat(getComputedStyle(el).fontSize) < 16;
            }).map(el => `${el.tagName.toLowerCase()}.${el.className} ${getComputedStyle(el).fontSize}`
                          + ` "${el.textContent.trim().slice(0, 40)}"`)"""
    )


AUTHORED = ".topic-body, .prose, .qtext, .choice, .feedback, .sc-feedback, .sc-expert, blockquote"


def ui_text(page: Page) -> str:
    """The text of <main> that the app writes (figures it formats), without what authors wrote
    in topics, questions and scenarios (content files, checked apart)."""
    return page.evaluate(
        """(authored) => { const main = document.querySelector('main').cloneNode(true);
              main.querySelectorAll(authored).forEach(el => el.remove());
              return main.innerText || main.textContent; }""",
        AUTHORED,
    )


def stop(page: Page, name: str) -> str:
    """``look`` plus the older reader's checks; returns the visible text of <main>."""
    look(page, name)
    assert not small_text(page), small_text(page)
    text = page.locator("main").inner_text()
    ui = ui_text(page)
    assert not SPACED_PERCENT.findall(ui), (name, SPACED_PERCENT.findall(ui))
    assert not DOT_DECIMAL.findall(ui), (name, DOT_DECIMAL.findall(ui))
    assert not re.search(r"\bbạn\b", text, re.IGNORECASE), name
    return text


def tappable(target: Locator, minimum: int = 44) -> None:
    box = target.bounding_box()
    assert box and box["height"] >= minimum, (target, box)


def test_the_learner_walks_the_whole_journey_on_a_phone(page, live_server):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    stop(page, "walk-01-home")

    nav(page, "Khóa học của tôi")
    stop(page, "walk-02-course")
    course_url = page.url
    topic = page.locator("ol.topics a[href^='/my/topics/']").first
    # the list number sits beside the first line of a long title, not its last
    marker_top = topic.evaluate("a => a.getBoundingClientRect().top")
    assert abs(topic.evaluate("a => a.parentElement.getBoundingClientRect().top") - marker_top) < 20
    click_and_wait(page, topic)
    stop(page, "walk-03-topic")
    tappable(page.get_by_role("link", name="← Khóa học của tôi"))
    expect(page.get_by_text("Chuyên đề tiếp theo:")).to_be_visible()
    cells = page.locator(".topic-body td")
    if cells.count():  # a narrow column keeps "HĐND" whole instead of "HĐN / D"
        assert cells.first.evaluate("td => getComputedStyle(td).overflowWrap") == "normal"

    page.goto(course_url)
    entrance = page.locator("section.course").first.get_by_role("list", name="1. Kiểm tra đầu vào")
    click_and_wait(page, entrance.get_by_role("link").first)
    stop(page, "walk-04-quiz-intro")
    tappable(page.locator("main a.back"))
    click_and_wait(page, button(page, "Bắt đầu làm bài"))
    for number in range(questions(page).count()):
        answer(questions(page).nth(number), number)
    flag = page.locator("label.flag input").first
    assert flag.bounding_box()["height"] >= 20, flag.bounding_box()
    stop(page, "walk-05-quiz-attempt")
    page.goto(page.url.split("?")[0] + "/summary")
    stop(page, "walk-06-quiz-summary")
    page.on("dialog", lambda dialog: dialog.accept())
    click_and_wait(page, button(page, "Nộp bài"))
    stop(page, "walk-07-quiz-review")
    first = page.locator("section.question.review").first
    gap = first.evaluate(
        "s => s.querySelector('h2').getBoundingClientRect().top - s.getBoundingClientRect().top"
    )
    assert gap < 30, f"an empty band of {gap}px above the question number"
    back = page.get_by_role("link", name="« Danh sách bài kiểm tra")
    expect(back).to_have_attribute("href", "/quizzes")
    tappable(back)

    nav(page, "Tình huống")
    click_and_wait(page, page.get_by_role("link", name=re.compile("^" + re.escape(LAND))).first)
    stop(page, "walk-08-scenario-intro")
    tappable(page.get_by_role("link", name="« Danh sách tình huống"))
    click_and_wait(page, button(page, "Làm bài tính điểm"))
    click_and_wait(page, button(page, "Tiếp tục"))
    for label in (
        "Thụ lý; ra quyết định thành lập Hội đồng hòa giải",
        "Để từng bên trình bày, công bố số liệu",
    ):
        stop(page, "walk-09-scenario-decision")
        click_and_wait(page, page.get_by_role("button", name=re.compile("^" + re.escape(label))))
        if page.get_by_role("heading", level=1).inner_text() == "Kết quả xác minh và phân tích":
            click_and_wait(page, button(page, "Tiếp tục"))
    page.get_by_label("Câu trả lời của đồng chí").fill(
        "Hội đồng hòa giải lập biên bản; nếu không thành thì hướng dẫn hai bên gửi đơn đến Tòa án "
        "nhân dân theo Điều 236 Luật Đất đai 2024, giữ nguyên hiện trạng trong thời gian chờ."
    )
    stop(page, "walk-10-scenario-free-text")
    click_and_wait(page, button(page, "Gửi câu trả lời"))
    click_and_wait(page, page.get_by_role("button", name=re.compile("^Cho ông Sơn và bà Nga ký")))
    text = stop(page, "walk-11-scenario-summary")
    assert re.search(r"trọng số \d+%", text), text

    nav(page, "Kết quả của tôi")
    text = stop(page, "walk-12-results")
    assert "Mức tiến bộ so sánh điểm của đồng chí trước và sau khi học" in text
    assert "chưa có kết quả bài kiểm tra đầu ra (làm sau khi học)" in text
    nav(page, "Đánh giá của tôi")
    text = stop(page, "walk-13-evaluation")
    assert "\n.\n" not in text and not re.search(r"^\s*\.\s*$", text, re.MULTILINE)
    tappable(page.get_by_role("link", name="Gửi phiếu khảo sát").first)

    page.goto(course_url)
    click_and_wait(page, page.locator("ol.topics a[href^='/my/topics/']").first)
    title = page.get_by_role("heading", level=1).inner_text()
    page.evaluate("() => navigator.serviceWorker.ready")
    page.get_by_role("button", name="Lưu để đọc khi không có mạng").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu")).to_be_visible()
    page.goto(f"{live_server}/offline")
    row = page.locator("#offline-list li").filter(has_text=title)
    expect(row.locator(".saved-meta")).to_contain_text("lưu lúc")
    expect(page.locator("#offline-summary")).to_contain_text("Máy này đang giữ 1 chuyên đề")
    stop(page, "walk-14-offline")
    tappable(row.get_by_role("button", name=f"Xóa khỏi máy: {title}"))
