"""Programs in the browser, at phone size, as each role uses them:
the learner studies a topic and comes back to it; the instructor writes a new version that the
approver publishes (and only then the learner sees it); the instructor takes attendance and
downloads the class list for Excel."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from lms.demo import _fixed_names
from tests.e2e.flows import (
    button,
    click_and_wait,
    csrf_token,
    flash,
    heading,
    look,
    nav,
    number_pair,
    phone_sessions,
)
from tests.e2e.helpers import SCREENSHOTS, login


@pytest.fixture()
def phone_pages(browser, live_server):
    """``phone_pages("duyet")``: another person, on another phone, logged in."""
    yield from phone_sessions(browser, live_server)


LEARNER_NAME = _fixed_names()["hocvien"]
UBND_COHORT = "Lớp 1 — Bồi dưỡng Chủ tịch, Phó Chủ tịch Ủy ban nhân dân cấp xã"
PROGRESS = r"Đã học (\d+)/(\d+) chuyên đề"
EDITED_TOPIC = "qn-ubnd-2"  # in the program hocvien's cohort follows; no other test touches it
NEW_SECTION = (
    "\n\n## Cập nhật năm 2027 {#cap-nhat-2027}\n\n"
    "Từ ngày 01/01/2027, xã **công khai dự toán** trên cổng thông tin điện tử trong 5 ngày làm việc:\n\n"
    "- Niêm yết tại trụ sở UBND xã và nhà văn hóa các thôn.\n"
    "- Báo cáo HĐND xã kết quả thu, chi từ đóng góp tự nguyện của nhân dân.\n"
)
NEW_SENTENCE = "xã công khai dự toán trên cổng thông tin điện tử trong 5 ngày làm việc"


def version_line(page: Page):
    """The line under the topic title: "qn-ubnd-2 · bản 2 · Chờ duyệt"."""
    return page.get_by_text(re.compile(rf"^{re.escape(EDITED_TOPIC)} · bản \d+ · "))


def _course(page: Page):
    """The section of "Khóa học của tôi" for the UBND cohort."""
    return page.locator("section").filter(
        has=page.get_by_role("heading", level=2, name=re.compile("^" + re.escape(UBND_COHORT)))
    )


def test_learner_studies_a_lesson_and_resumes(page, live_server):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    nav(page, "Khóa học của tôi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Khóa học của tôi")
    course = _course(page)
    expect(course).to_have_count(1)
    done_before, total = number_pair(course.inner_text(), PROGRESS)
    assert total == 8
    look(page, "programs-a-01-my-training")

    # the first topic of the program
    # the course lists its tests and scenarios too (entrance → topics → scenarios → exit): topics only
    topic_links = course.locator('li a[href*="/my/topics/"]').filter(has_not_text="Học tiếp")
    first_title = topic_links.first.inner_text().strip()
    click_and_wait(page, topic_links.first)
    expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
    look(page, "programs-a-02-first-topic")

    # lessons are optional: walk the "»" links to the first topic that has some
    lessons = page.get_by_role("navigation", name="Các phần")
    for _ in range(8):
        if lessons.count():
            break
        following = page.get_by_role("navigation", name="Chuyển chuyên đề").get_by_role(
            "link", name=re.compile("»$")
        )
        click_and_wait(page, following)
    expect(lessons).to_have_count(1)
    topic_title = heading(page)
    topic_url = page.url.split("?")[0].split("#")[0]
    look(page, "programs-a-03-topic-with-lessons")

    anchors = [a for a in lessons.get_by_role("link").evaluate_all("els => els.map(a => a.dataset.anchor)")]
    lesson = lessons.get_by_role("link").first
    lesson_title = lesson.inner_text().strip()
    anchor = anchors[0]
    click_and_wait(page, lesson)
    assert page.url.endswith(f"?at={anchor}#{anchor}"), page.url
    target = page.locator(f"[id='{anchor}']")
    expect(target).to_contain_text(lesson_title)
    expect(target).to_be_in_viewport()
    look(page, "programs-a-04-lesson-anchor")

    click_and_wait(page, button(page, "Đánh dấu đã học"))
    assert page.url == f"{live_server}/my/training"
    expect(flash(page)).to_have_text("Đã ghi nhận đồng chí học xong chuyên đề này.")
    course = _course(page)
    done_after, _total = number_pair(course.inner_text(), PROGRESS)
    assert done_after == done_before + 1
    studied = course.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=re.compile("^" + re.escape(topic_title)))
    )
    expect(studied).to_contain_text("✓ đã học")
    # the topic is studied: "Học tiếp" leads on to the next topic of the program not yet studied
    # (in program order, going round to one skipped at the start), at its beginning
    items = course.locator("ol.topics > li")
    texts = [t.strip() for t in items.all_inner_texts()]
    here = next(i for i, t in enumerate(texts) if t.startswith(topic_title))
    following = next(t for t in texts[here + 1 :] + texts[:here] if "✓ đã học" not in t)
    next_title = items.nth(texts.index(following)).get_by_role("link").first.inner_text().strip()
    resume = course.get_by_role("link", name=re.compile(r"^Học tiếp: "))
    expect(resume).to_have_text(f"Học tiếp: {next_title}")
    expect(resume).to_have_attribute("href", re.compile(r"/my/topics/[^/#?]+$"))
    look(page, "programs-a-05-progress-updated")

    # the studied topic itself still opens at a lesson: the one opened, or the one the reader had
    # scrolled to when leaving (programs.js reports it as the page is hidden)
    lesson_hrefs = "|".join(re.escape(a) for a in anchors)
    click_and_wait(page, studied.get_by_role("link").first)
    assert page.url.split("#")[0] == topic_url
    expect(page.get_by_role("heading", level=1)).to_have_text(topic_title)
    expect(page.get_by_text("Đồng chí đã đánh dấu học xong chuyên đề này.")).to_be_visible()
    expect(button(page, "Đánh dấu đã học")).to_have_count(0)
    again = page.get_by_role("link", name="Tiếp tục từ phần đang học")
    expect(again).to_have_attribute("href", re.compile(f"^#({lesson_hrefs})$"))
    look(page, "programs-a-06-resumed")
    where = again.get_attribute("href")[1:]
    again.click()
    expect(page).to_have_url(re.compile(f"#{re.escape(where)}$"))
    expect(page.locator(f"[id='{where}']")).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS / "programs-a-07-resumed-at-lesson.png"))


def test_topic_version_is_written_approved_and_published(phone_pages, live_server):
    author = phone_pages("giangvien")
    nav(author, "Chương trình")
    expect(author.get_by_role("heading", level=1)).to_have_text("Chương trình và chuyên đề")
    look(author, "programs-b-01-content-list")
    row = author.get_by_role("listitem").filter(has_text=EDITED_TOPIC)
    click_and_wait(author, row.get_by_role("link"))
    topic_title = heading(author)
    public_id = author.url.split("/topics/")[1].split("?")[0]
    expect(author.get_by_text("Đã công bố", exact=True).first).to_be_visible()
    look(author, "programs-b-02-topic-published")

    # the learner reads the published version
    learner = phone_pages("hocvien")
    learner.goto(f"{live_server}/my/topics/{public_id}")
    expect(learner.get_by_role("heading", level=1)).to_have_text(topic_title)
    expect(learner.get_by_text(NEW_SENTENCE)).to_have_count(0)

    click_and_wait(author, author.get_by_role("link", name="Sửa (tạo bản nháp mới)"))
    expect(author.get_by_role("heading", level=1)).to_have_text("Sửa chuyên đề")
    expect(author.get_by_text("Khi lưu, hệ thống tạo một bản nháp mới")).to_be_visible()
    body = author.get_by_label("Nội dung (Markdown)")
    body.fill(body.input_value().rstrip() + NEW_SECTION)
    look(author, "programs-b-03-edit-form")

    click_and_wait(author, button(author, "Xem trước"))
    preview = author.get_by_role("region", name="Xem trước")
    expect(preview.get_by_role("heading", name="Cập nhật năm 2027")).to_be_visible()
    expect(preview.locator("strong", has_text="công khai dự toán")).to_be_visible()
    expect(preview).to_contain_text("Niêm yết tại trụ sở UBND xã và nhà văn hóa các thôn.")
    expect(author.get_by_label("Nội dung (Markdown)")).to_have_value(re.compile("Cập nhật năm 2027"))
    preview.scroll_into_view_if_needed()
    look(author, "programs-b-04-preview")

    click_and_wait(author, button(author, "Lưu bản nháp"))
    expect(flash(author)).to_have_text("Đã lưu bản nháp.")
    expect(version_line(author)).to_have_text(re.compile(r"· Bản nháp$"))
    expect(author.get_by_role("heading", name="Cập nhật năm 2027")).to_be_visible()
    look(author, "programs-b-05-draft-saved")

    click_and_wait(author, button(author, "Gửi duyệt"))
    expect(flash(author)).to_have_text("Đã gửi duyệt.")
    expect(version_line(author)).to_have_text(re.compile(r"· Chờ duyệt$"))
    version_id = author.url.split("v=")[1]
    # the author can neither see nor use an approval button
    expect(button(author, "Duyệt")).to_have_count(0)
    expect(button(author, "Công bố")).to_have_count(0)
    refused = author.request.post(
        f"{live_server}/versions/{version_id}/approve",
        form={"csrf_token": csrf_token(author)},
        max_redirects=0,
    )
    assert refused.status == 403, refused.status
    look(author, "programs-b-06-submitted")

    # submitted is not published: the learner still reads the old version
    learner.reload()
    expect(learner.get_by_role("heading", level=1)).to_have_text(topic_title)
    expect(learner.get_by_text(NEW_SENTENCE)).to_have_count(0)

    approver = phone_pages("duyet")
    nav(approver, "Chương trình")
    click_and_wait(approver, approver.get_by_role("link", name="Chờ duyệt"))
    expect(approver.get_by_role("heading", level=1)).to_have_text("Chuyên đề chờ duyệt")
    queued = approver.get_by_role("listitem").filter(has_text=EDITED_TOPIC)
    expect(queued).to_contain_text("Chờ duyệt")
    look(approver, "programs-b-07-review-queue")
    click_and_wait(approver, queued.get_by_role("link", name=topic_title))
    expect(approver.get_by_role("heading", name="Cập nhật năm 2027")).to_be_visible()
    look(approver, "programs-b-08-review-version")

    # what the version changes in the one learners read: the new section, marked "+" line by line
    changes = approver.get_by_role("region", name="Thay đổi so với bản đang công bố")
    expect(changes).to_contain_text("So sánh bản 2 (đang xem) với bản 1 mà học viên đang đọc.")
    added = changes.locator("li.diff-added")
    expect(added.filter(has_text="## Cập nhật năm 2027 {#cap-nhat-2027}")).to_have_count(1)
    expect(added.filter(has_text="xã **công khai dự toán** trên cổng thông tin điện tử")).to_have_count(1)
    expect(added.first.locator(".diff-mark")).to_have_text("+")
    expect(changes.locator("li.diff-removed")).to_have_count(0)
    changes.scroll_into_view_if_needed()
    changes.screenshot(path=str(SCREENSHOTS / "programs-b-08b-review-changes.png"))

    click_and_wait(approver, button(approver, "Duyệt"))
    expect(flash(approver)).to_have_text("Đã duyệt.")
    expect(version_line(approver)).to_have_text(re.compile(r"· Đã duyệt, chờ công bố$"))
    look(approver, "programs-b-09-approved")

    learner.reload()  # approved is still not published
    expect(learner.get_by_text(NEW_SENTENCE)).to_have_count(0)

    click_and_wait(approver, button(approver, "Công bố"))
    expect(flash(approver)).to_have_text("Đã công bố; học viên sẽ thấy phiên bản này.")
    expect(version_line(approver)).to_have_text(re.compile(r"· Đã công bố$"))
    versions = approver.get_by_role("heading", name="Các phiên bản").locator("xpath=following-sibling::ul[1]")
    expect(versions.get_by_role("listitem").filter(has_text="Phiên bản cũ")).to_have_count(1)
    look(approver, "programs-b-10-published")

    learner.reload()
    expect(learner.get_by_role("heading", name="Cập nhật năm 2027")).to_be_visible()
    expect(learner.get_by_text(NEW_SENTENCE)).to_be_visible()
    learner.get_by_role("heading", name="Cập nhật năm 2027").scroll_into_view_if_needed()
    look(learner, "programs-b-11-learner-sees-new-version")


def test_instructor_takes_attendance_and_exports_csv(page, live_server):
    login(page, live_server, "giangvien", "GV@Truong-2026")
    nav(page, "Lớp bồi dưỡng")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lớp bồi dưỡng")
    look(page, "programs-c-01-cohorts")
    click_and_wait(page, page.get_by_role("link", name=re.compile("^" + re.escape(UBND_COHORT))))
    expect(page.get_by_role("heading", level=1)).to_contain_text(UBND_COHORT)
    look(page, "programs-c-02-cohort")

    # enroll two more cadres, so that the attendance form really is a list
    people = page.get_by_label("Cán bộ", exact=True)
    names = [label.split(" — ")[0] for label in people.locator("option").all_inner_texts()[:2]]
    assert len(names) == 2
    people.select_option(label=[o for o in people.locator("option").all_inner_texts()[:2]])
    click_and_wait(page, button(page, "Ghi danh"))
    expect(flash(page)).to_have_text("Đã ghi danh 2 cán bộ.")
    roster = [LEARNER_NAME, *names]
    progress = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Học viên"))
    for name in roster:
        expect(progress.get_by_role("rowheader", name=re.compile("^" + re.escape(name)))).to_have_count(1)

    schedule = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Ngày"))
    first_session = schedule.get_by_role("row").nth(1)
    session_title = first_session.get_by_role("cell").nth(1).inner_text().strip()
    click_and_wait(page, first_session.get_by_role("link", name="Điểm danh"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Điểm danh: {session_title}")
    statuses = dict(zip(roster, ["Có mặt", "Vắng có phép", "Có mặt"], strict=True))
    for name, status in statuses.items():
        page.get_by_label(name, exact=True).select_option(label=status)
    look(page, "programs-c-03-attendance-form")
    click_and_wait(page, button(page, "Lưu điểm danh"))
    expect(flash(page)).to_have_text(re.compile(r"^Đã lưu điểm danh \(\d+ thay đổi\)\.$"))
    first_session = schedule.get_by_role("row").nth(1)
    expect(first_session.get_by_role("cell").nth(2)).to_have_text(f"2/{len(roster)}")
    look(page, "programs-c-04-attendance-saved")

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải danh sách (CSV)").click()
    download = info.value
    assert download.suggested_filename == "qn-2022-ubnd-lop-1.csv"
    raw = open(download.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV must start with the UTF-8 BOM (for Excel)"
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    header, *lines = rows
    assert header[:3] == ["Họ và tên", "Đơn vị", "Chức danh"]
    column = next(i for i, h in enumerate(header) if h.startswith("Buổi 1 ("))
    by_name = {line[0]: line for line in lines}
    for name, status in statuses.items():
        assert name in by_name, f"{name} missing from the CSV: {sorted(by_name)}"
        assert by_name[name][column] == status
    assert by_name[LEARNER_NAME][1] == "Xã Tân Lập"
