"""Browser tests: the real app with the demo data, served over HTTP, driven by Debian's chromium.

The live server has its own database (SQLite or PostgreSQL, per LMS_TEST_DATABASE_URL), made by
the real migrations and the demo loader and committed for real: these tests never use the
per-test rollback ``connection`` fixture, since the server thread must see committed data.
"""

from __future__ import annotations

import secrets
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: F401,E402  (one browser per test run)
from tests.conftest import fresh_database
from tests.e2e.helpers import VIEWPORT

LOCAL_HOST = "127.0.0.1"
LIVE_APPS: dict[str, object] = {}  # base URL -> the live server's app (tests that seed its data)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    yield from serve_demo(tmp_path_factory)


def serve_demo(tmp_path_factory):
    """A fresh database with the demo, served on a free port (a generator: the URL, then teardown).
    The session shares one; a module whose journey needs the demo untouched by other modules
    (one-attempt tests, one scenario run) overrides ``live_server`` with its own, module-scoped."""
    from lms import create_app, demo
    from lms.cli import upgrade_database
    from lms.db import db
    from lms.errors import LmsError

    url, drop = fresh_database()
    app = create_app(
        {
            "LMS_DATABASE_URL": url,
            "LMS_SECRET_KEY": "e2e-" + secrets.token_hex(16),
            "TESTING": False,
            "LMS_LOGIN_MAX_FAILURES_PER_ADDRESS": 1000,
            "LMS_JOB_WORKER": "thread",  # jobs run in the server's process on either database
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("e2e-instance"))
    try:
        with app.app_context():
            upgrade_database()
            session = db.new_session()
            try:
                try:
                    demo.load(session)
                except LmsError as exc:
                    pytest.fail(f"the demo loader (lms/demo.py) fails: {exc.message}", pytrace=False)
                session.commit()
                for step in demo.feature_steps():
                    step(session)
                    session.commit()
            finally:
                session.close()
        server = make_server(LOCAL_HOST, 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="lms-live-server", daemon=True)
        thread.start()
        base = f"http://{LOCAL_HOST}:{server.server_port}"
        LIVE_APPS[base] = app
        try:
            yield base
        finally:
            LIVE_APPS.pop(base, None)
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
    finally:
        from lms.jobs.queue import stop_embedded

        stop_embedded(app)  # its threads must not reconnect to a dropped database
        db.state(app).engine.dispose()
        drop()


class PageProblems:
    """What the page did that a test must not let pass: foreign hosts, console errors,
    uncaught exceptions, dialogs. ``allow_console(substring)`` whitelists an expected error
    (e.g. the 401 of a wrong password)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.allowed_console: list[str] = []

    def allow_console(self, substring: str) -> None:
        self.allowed_console.append(substring)

    def report(self) -> list[str]:
        problems = []
        foreign = [url for url in self.requests if not _is_local(url)]
        if foreign:
            problems.append("requests to other hosts: " + ", ".join(sorted(set(foreign))))
        console = [m for m in self.console_errors if not any(a in m for a in self.allowed_console)]
        if console:
            problems.append("console errors:\n  " + "\n  ".join(console))
        if self.page_errors:
            problems.append("uncaught page errors:\n  " + "\n  ".join(self.page_errors))
        if self.dialogs:
            problems.append("dialogs opened: " + "; ".join(self.dialogs))
        return problems


def _is_local(url: str) -> bool:
    """True for requests that stay on the live server (or never leave the browser)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname == LOCAL_HOST


@pytest.fixture()
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture()
def page(browser, live_server, page_problems):
    context = browser.new_context(
        viewport=VIEWPORT,
        device_scale_factor=1,
        locale="vi-VN",
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("request", lambda request: page_problems.requests.append(request.url))

    def on_console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            page_problems.console_errors.append(f"{message.text} ({location.get('url', '')})")

    def on_dialog(dialog) -> None:
        page_problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    yield page
    context.close()
    problems = page_problems.report()
    assert not problems, "\n".join(problems)
