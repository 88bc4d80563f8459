"""Studying offline at phone size: a learner opens a topic, saves it, loses the connection,
reloads and still reads it; /offline lists what this device keeps and removes it; a page not
saved opens the offline page instead of the browser's error; logout empties the store."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import click_and_wait, look, nav
from tests.e2e.helpers import login, screenshot

pytestmark = pytest.mark.e2e


def _cached_urls(page) -> list[str]:
    return page.evaluate(
        "() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
        ".then(c => c.keys())))).then(all => all.flat().map(r => r.url))"
    )


def test_a_saved_topic_reads_offline_and_logout_forgets_it(page, live_server):
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    nav(page, "Khóa học của tôi")
    expect(
        page.get_by_role("button", name="Lưu cả chương trình để đọc khi không có mạng").first
    ).to_be_visible()
    topic_link = page.locator("ol.topics a[href^='/my/topics/']").first
    click_and_wait(page, topic_link)
    title = page.get_by_role("heading", level=1).inner_text()
    page.evaluate("() => navigator.serviceWorker.ready")
    page.get_by_role("button", name="Lưu để đọc khi không có mạng").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu")).to_be_visible()
    look(page, "offline-01-topic-saved")
    topic_url = page.url.split("?")[0].split("#")[0]
    assert topic_url in _cached_urls(page)

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".topic-body")).not_to_be_empty()
    screenshot(page, "offline-02-topic-read-offline")

    page.goto(f"{live_server}/offline")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đọc khi không có mạng")
    saved = page.locator("#offline-list li")
    expect(saved.filter(has_text=title)).to_have_count(1)
    # each saved topic is one row: its title (a link), what it is, its size, when it was saved,
    # and a remove button a finger can hit; a sentence says what this phone keeps
    row = saved.filter(has_text=title)
    expect(row.get_by_role("link", name=title)).to_have_attribute("href", topic_url)
    expect(row.locator(".saved-meta")).to_have_text(
        re.compile(r"^Chuyên đề · \d+(,\d)?\u00a0(KB|MB) · lưu lúc \d\d:\d\d \d\d/\d\d/\d{4}$")
    )
    remove = row.get_by_role("button", name=f"Xóa khỏi máy: {title}")
    box = remove.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    expect(page.locator("#offline-summary")).to_have_text(
        re.compile(
            r"^Máy này đang giữ 1 chuyên đề (và \d+ tài liệu kèm theo )?\(tổng \d+(,\d)?\u00a0(KB|MB)\)"
        )
    )
    look(page, "offline-03-saved-list")

    page.goto(f"{live_server}/quizzes")  # never saved: the offline page, not the browser's error
    expect(page.get_by_role("heading", level=1)).to_have_text("Đọc khi không có mạng")
    expect(page.locator("#offline-now")).to_be_visible()
    screenshot(page, "offline-04-fallback")

    page.context.set_offline(False)
    page.goto(f"{live_server}/offline")
    expect(saved.filter(has_text=title)).to_have_count(1)
    page.get_by_role("button", name=f"Xóa khỏi máy: {title}").click()
    expect(saved.filter(has_text=title)).to_have_count(0)
    assert topic_url not in _cached_urls(page)

    page.goto(topic_url)
    assert topic_url in _cached_urls(page)  # opened online: kept network-first
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    personal = [u for u in _cached_urls(page) if "/my/" in u or "/attachments/" in u]
    assert personal == []  # CSS, icons and the anonymous offline page may stay
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.set_offline(True)  # the fallback survives the logout, with nothing personal
    page.goto(f"{live_server}/quizzes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đọc khi không có mạng")
    expect(page.get_by_text("Nguyễn Văn Thắng")).to_have_count(0)
    expect(page.locator("#offline-empty")).to_be_visible()
    screenshot(page, "offline-05-after-logout-desktop")
    page.context.set_offline(False)


def test_the_answer_journal_moves_from_local_storage_to_indexeddb(page, live_server):
    """An entry an older page left in localStorage is moved into IndexedDB and restored."""
    from tests.e2e.quiz_flow_helpers import journal_entries

    login(page, live_server, "hocvien", "HV@TanLap-2026")
    page.goto(f"{live_server}/offline")
    page.add_script_tag(url=f"{live_server}/static/js/journal.js")
    entry = {"fields": {"q1": ["2"]}, "seq": 7}
    restored = page.evaluate(
        """entry => {
          localStorage.setItem("quiz:legacy", JSON.stringify({"1": entry}));
          const journal = new window.LmsJournal({key: "quiz:legacy", url: "/nowhere", csrf: "",
            body: sent => sent, onState: () => {}, onClosed: () => {}});
          return journal.ready.then(j => new Promise(r => setTimeout(() => r(j.get("1")), 300)));
        }""",
        entry,
    )
    assert restored == entry
    assert page.evaluate("() => localStorage.getItem('quiz:legacy')") is None
    assert journal_entries(page, "quiz:legacy") == {"1": entry}
