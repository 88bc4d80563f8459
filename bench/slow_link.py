"""A learner's pages on a slow-3G link (400 ms RTT, 400 kbit/s each way): bytes over the wire and
load time, cold (empty browser cache) and warm (the second visit). README.md, "Slow links".

  .venv/bin/python bench/slow_link.py [--compress 0|1] [--root PATH]

The demo is loaded into a fresh SQLite database and served by the embedded server (werkzeug,
no nginx) in this process; Debian's /usr/bin/chromium (Playwright) emulates the link through CDP
``Network.emulateNetworkConditions``. ``--root`` runs another checkout's ``lms`` (e.g. the code
before a change, from ``git archive``); ``--compress 0`` sets ``LMS_COMPRESS=0``. Bytes are the
encoded (on the wire) sizes CDP reports; the time is navigation start to the load event.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


def serve(compress: bool) -> str:
    from werkzeug.serving import make_server

    from lms import create_app, demo
    from lms.cli import upgrade_database
    from lms.db import db

    folder = Path(tempfile.mkdtemp(prefix="slow-link-"))
    app = create_app(
        {
            "LMS_DATABASE_URL": f"sqlite:///{folder / 'lms.db'}",
            "LMS_SECRET_KEY": "bench",
            "LMS_COMPRESS": compress,
            "LMS_JOB_WORKER": "off",
        }
    )
    app.instance_path = str(folder)
    with app.app_context():
        upgrade_database()
        session = db.new_session()
        demo.load(session)
        session.commit()
        for step in demo.feature_steps():
            step(session)
            session.commit()
        session.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def measure(page, cdp, url: str) -> tuple[int, float]:
    sizes: dict[str, float] = {}

    def finished(event: dict) -> None:
        sizes[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.loadingFinished", finished)
    began = time.monotonic()
    page.goto(url, wait_until="load", timeout=120_000)
    elapsed = time.monotonic() - began
    page.wait_for_timeout(300)  # late loadingFinished events
    cdp.remove_listener("Network.loadingFinished", finished)
    return int(sum(sizes.values())), elapsed


def attempt_url(page, base: str) -> str:
    page.goto(f"{base}/quizzes")
    link = page.locator("main").get_by_role("link", name=re.compile("^(Bắt đầu làm bài|Tiếp tục làm bài)"))
    if not link.count():
        link = page.locator("main a[href^='/quizzes/']")
    with page.expect_navigation():
        link.first.click()
    if "/quizzes/attempts/" not in page.url:
        with page.expect_navigation():
            page.get_by_role("button", name="Bắt đầu làm bài").click()
    return page.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compress", type=int, default=1)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, args.root)
    from playwright.sync_api import sync_playwright

    base = serve(bool(args.compress))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        # no service worker: its requests would bypass the page's emulated link (HTTP caching measured)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="vi-VN", service_workers="block"
        )
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "hocvien")
        page.fill("input[name=password]", "HV@TanLap-2026")
        with page.expect_navigation():
            page.locator("form button[type=submit]").first.click()
        page.goto(f"{base}/my/training")
        topic = base + page.locator("main a[href^='/my/topics/']").first.get_attribute("href").split("#")[0]
        pages = {"home": f"{base}/", "topic": topic, "attempt": attempt_url(page, base)}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        import lms

        print(f"lms from {Path(lms.__file__).parent}, LMS_COMPRESS={args.compress}")
        print("| page | cold bytes | cold load (s) | warm bytes | warm load (s) |")
        print("|---|---:|---:|---:|---:|")
        for name, url in pages.items():
            cdp.send("Network.clearBrowserCache")

            cold = measure(page, cdp, url)
            warm = measure(page, cdp, url)
            print(f"| {name} | {cold[0]:,} | {cold[1]:.2f} | {warm[0]:,} | {warm[1]:.2f} |")
        browser.close()


if __name__ == "__main__":
    main()
