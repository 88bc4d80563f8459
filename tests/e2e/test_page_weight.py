"""Light pages for exam day: the learner's quiz attempt page is less than 60 KB (HTML + CSS + JS,
uncompressed, cache off). A topic page's CSS and JS stay under 35 KB uncompressed and the whole
page under 80 KB: most of it is the lesson text the learner came for (2,600–4,400 words). On the
wire (bytes Chromium received, compression as the app serves it by default and nginx in
production) both pages transfer less than 60 KB. Neither page requests anything outside the app.

Also measured, never asserted (no timed assertions): the time until the quiz page is usable
(DOMContentLoaded and the first question visible) on an emulated slow 3G line (400 ms latency,
400 kbit/s each way). The figure is printed (`pytest -s`) and recorded in bench/README.md.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LOCAL_HOST, VIEWPORT
from tests.e2e.helpers import login
from tests.e2e.quiz_flow_helpers import quiz_public_id, quiz_title

pytestmark = pytest.mark.e2e

BUDGET = 60 * 1024
TOPIC_BUDGET = 80 * 1024
CHROME_BUDGET = 35 * 1024
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


def _weigh(page: Page, url: str, wire: dict[str, int] | None = None) -> tuple[int, dict[str, int]]:
    """Load url with the cache off; every response's body size, by URL. With `wire`, also the bytes
    received for each response (headers and body as sent, compressed or not), by URL."""
    sizes: dict[str, int] = {}

    def on_response(response) -> None:
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect has no body to read
            sizes.setdefault(response.url, 0)

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    def on_finished(request) -> None:
        received = request.sizes()
        wire[request.url] = received["responseHeadersSize"] + received["responseBodySize"]

    if wire is not None:
        page.on("requestfinished", on_finished)
    page.on("response", on_response)
    try:
        page.goto(url, wait_until="load")
    finally:
        page.remove_listener("response", on_response)
        if wire is not None:
            page.remove_listener("requestfinished", on_finished)
        cdp.detach()
    return sum(sizes.values()), sizes


def _check(total: int, sizes: dict[str, int], what: str, budget: int = BUDGET) -> None:
    foreign = [u for u in sizes if urlsplit(u).hostname not in (LOCAL_HOST, None)]
    listing = "\n".join(f"  {n:>7} B  {u}" for u, n in sorted(sizes.items(), key=lambda kv: -kv[1]))
    print(f"\n{what}: {total} bytes in {len(sizes)} responses\n{listing}")
    assert not foreign, f"{what} requests outside the app: {foreign}"
    assert total < budget, f"{what} transfers {total} bytes (budget {budget}):\n{listing}"


def _open_attempt(page: Page, live_server: str) -> str:
    """An attempt of the learner: from "Bài kiểm tra" when a listed test has an attempt left,
    else (the other browser tests used them up) from the intro page of another program's test."""
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    page.goto(f"{live_server}/quizzes")
    link = page.locator("main").get_by_role("link", name=re.compile("^(Bắt đầu làm bài|Tiếp tục làm bài)"))
    if link.count():
        with page.expect_navigation():
            link.first.click()
    else:
        page.goto(f"{live_server}/quizzes/{quiz_public_id(quiz_title('qn-hdnd-dau-ra'))}")
    if "/quizzes/attempts/" not in page.url:  # the quiz's intro page: its button starts the timer
        target = page.get_by_role("button", name="Bắt đầu làm bài")
        if not target.count():
            target = page.locator("main").get_by_role("link", name="Tiếp tục làm bài")
        with page.expect_navigation():
            target.click()
    assert "/quizzes/attempts/" in page.url, page.url
    return page.url


@pytest.fixture()
def wire_page(browser, live_server):
    """A page like the suite's, with the service worker blocked: bytes a service worker answers
    from its cache never cross the network, and Chromium counts none for them."""
    context = browser.new_context(
        viewport=VIEWPORT, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True,
        service_workers="block",
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _check_wire(wire: dict[str, int], what: str) -> None:
    total = sum(wire.values())
    print(f"{what} on the wire: {total} bytes in {len(wire)} responses")
    assert wire, f"{what}: no response was counted"
    assert total < BUDGET, f"{what} transfers {total} bytes on the wire (budget {BUDGET})"


def test_quiz_attempt_page_is_light_and_local(wire_page, live_server):
    page = wire_page
    url = _open_attempt(page, live_server)
    wire: dict[str, int] = {}
    total, sizes = _weigh(page, url, wire)
    _check(total, sizes, "quiz attempt page")
    _check_wire(wire, "quiz attempt page")


def test_topic_page_is_light_and_local(wire_page, live_server):
    page = wire_page
    login(page, live_server, "hocvien", "HV@TanLap-2026")
    page.goto(f"{live_server}/my/training")
    link = page.locator("main a[href*='/my/topics/']").first
    href = link.get_attribute("href")
    assert href, "the demo learner has no topic to open"
    wire: dict[str, int] = {}
    total, sizes = _weigh(page, live_server + href.split("#")[0] if href.startswith("/") else href, wire)
    _check(total, sizes, "topic page", TOPIC_BUDGET)
    _check_wire(wire, "topic page")
    chrome = {u: n for u, n in sizes.items() if "/static/" in u}
    _check(sum(chrome.values()), chrome, "topic page's CSS, JS and icons", CHROME_BUDGET)


def test_quiz_page_time_to_usable_on_slow_3g(page, live_server):
    """Reported, not asserted: DOMContentLoaded + first question visible at slow 3G."""
    url = _open_attempt(page, live_server)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    try:
        began = time.monotonic()
        page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        dom_ready = time.monotonic() - began
        expect(page.locator("fieldset.question").first).to_be_visible(timeout=60_000)
        usable = time.monotonic() - began
    finally:
        cdp.send(
            "Network.emulateNetworkConditions",
            {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        cdp.detach()
    print(
        f"\nslow 3G (400 ms, 400 kbit/s): DOMContentLoaded {dom_ready:.2f} s, "
        f"first question visible {usable:.2f} s"
    )
