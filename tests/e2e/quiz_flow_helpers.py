"""Steps for the quiz browser flow (tests/e2e/test_quiz_flow.py).

* ``QuizPhones``: phone-sized browser contexts (with or without JavaScript) logged in as demo
  users, watched like the ``page`` fixture, except that the quiz's own "Nộp bài?" confirm may be
  expected (``expect_dialog``) instead of counting as a problem.
* Answering any question type the attempt page shows, reading back what is chosen, the autosave
  state and the ``localStorage`` copy of unsent answers.
* ``live_app()``: the Flask app the ``live_server`` thread serves, to read its database.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import yaml
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.flows import CONTEXT_OPTIONS, PASSWORDS
from tests.e2e.helpers import (
    BLOCKING_IMPACTS,
    ROOT,
    axe_problems,
    check_phone_layout,
    format_violations,
    login,
    run_axe,
    screenshot,
)

QUIZ_CONTENT = ROOT / "content" / "quizzes"
SAVED = "Đã lưu"
ESSAY_TEXT = (
    "(1) Chỉ đạo chi bộ xác minh ngay; Ủy ban kiểm tra Đảng ủy xã kiểm tra khi có dấu hiệu vi phạm, "
    "đảng viên A được trình bày ý kiến. (2) Chi bộ kiểm điểm, đề xuất kỷ luật đúng thẩm quyền. "
    "(3) UBND xã lập biên bản, buộc khôi phục đất công; thông tin kết quả xử lý cho Nhân dân."
)


def quiz_title(code: str) -> str:
    """The title a quiz gets from content/quizzes/<code>.yaml (what the learner sees)."""
    return yaml.safe_load(Path(QUIZ_CONTENT / f"{code}.yaml").read_text(encoding="utf-8"))["title"]


# --- browser contexts ------------------------------------------------------------------------


class QuizPhones:
    """``open_as(username, javascript=True)`` opens a fresh phone context, logged in.

    Everything is recorded as the ``page`` fixture does (foreign hosts, console errors, page
    errors, dialogs), except dialogs announced with ``expect_dialog(substring, accept)``, which
    are answered as told and kept in ``seen_dialogs``.
    """

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.problems = PageProblems()
        self.contexts: list[BrowserContext] = []
        self.expected_dialogs: list[tuple[str, bool]] = []
        self.seen_dialogs: list[str] = []
        self._checker: Page | None = None

    def expect_dialog(self, substring: str, accept: bool) -> None:
        self.expected_dialogs.append((substring, accept))

    def _on_dialog(self, dialog: Dialog) -> None:
        if self.expected_dialogs and self.expected_dialogs[0][0] in dialog.message:
            _substring, accept = self.expected_dialogs.pop(0)
            self.seen_dialogs.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()
            return
        self.problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _watch(self, page: Page) -> Page:
        problems = self.problems
        page.on("request", lambda request: problems.requests.append(request.url))

        def on_console(message) -> None:
            if message.type == "error":
                location = message.location or {}
                problems.console_errors.append(f"{message.text} ({location.get('url', '')})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("dialog", self._on_dialog)
        return page

    def open_as(self, username: str, javascript: bool = True) -> Page:
        context = self.browser.new_context(**CONTEXT_OPTIONS, java_script_enabled=javascript)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = self._watch(context.new_page())
        login(page, self.base_url, username, PASSWORDS[username])
        assert page.url == f"{self.base_url}/", f"{username} could not log in (at {page.url})"
        return page

    def look_without_js(self, page: Page, name: str) -> None:
        """``flows.look`` for a page with JavaScript off. axe-core cannot run there (its
        ``setTimeout`` never fires, so ``axe.run`` never settles and ``check_axe`` hangs): it runs
        on a JS-enabled twin page that gets exactly this DOM, with the app's scripts blocked."""
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        check_phone_layout(page)
        screenshot(page, name)
        html, url = page.content(), page.url
        checker = self._checker_page()

        def serve(route) -> None:
            if route.request.resource_type == "document":
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif route.request.resource_type == "script":
                route.abort()
            else:
                route.continue_()

        checker.route("**/*", serve)
        try:
            checker.goto(url)
            problems = axe_problems(checker)
        finally:
            checker.unroute("**/*", serve)
        assert not problems, problems[0].replace(checker.url, f"{url} (JavaScript off)")

    def _checker_page(self) -> Page:
        if self._checker is None:
            context = self.browser.new_context(**CONTEXT_OPTIONS)
            context.set_default_timeout(15_000)
            self.contexts.append(context)
            self._checker = context.new_page()
        return self._checker

    def close(self) -> list[str]:
        for context in self.contexts:
            context.close()
        report = self.problems.report()
        if self.expected_dialogs:
            report.append(f"expected dialogs that never opened: {self.expected_dialogs}")
        return report


def quiz_phones(browser: Browser, live_server: str) -> Iterator[QuizPhones]:
    """Body of a fixture: yields a ``QuizPhones``; closes it and fails on any problem."""
    phones = QuizPhones(browser, live_server)
    yield phones
    report = phones.close()
    assert not report, "\n".join(report)


# --- known app defects ----------------------------------------------------------------------

# (axe rule, a string in the node's target) -> the fix that is pending in the app; reported, not
# failed, until then. Remove an entry once its fix lands (the check then fails if it comes back).
KNOWN_AXE: dict[tuple[str, str], str] = {}
known_seen: list[str] = []


def look_with_known(page: Page, name: str) -> None:
    """``flows.look``, except that violations listed in ``KNOWN_AXE`` are only recorded
    (printed and kept in ``known_seen``); any other serious/critical violation fails."""
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    check_phone_layout(page)
    blocking = []
    for violation in run_axe(page):
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        unknown = [
            node
            for node in violation["nodes"]
            if not any(rule == violation["id"] and where in str(node["target"]) for rule, where in KNOWN_AXE)
        ]
        if unknown:
            blocking.append(dict(violation, nodes=unknown))
        else:
            fixes = {fix for (rule, _where), fix in KNOWN_AXE.items() if rule == violation["id"]}
            nodes = len(violation["nodes"])
            note = f"known axe violation on {page.url}: {violation['id']} ({nodes} node(s)); fix: "
            note += "; ".join(fixes)
            known_seen.append(note)
            print(note)
    assert not blocking, f"axe-core violations on {page.url}:\n{format_violations(blocking)}"
    screenshot(page, name)


# --- the attempt page ------------------------------------------------------------------------


def attempt_id(page: Page) -> str:
    match = re.search(r"/quizzes/attempts/([^/?#]+)", page.url)
    assert match, f"not on an attempt page: {page.url}"
    return match.group(1)


def quiz_row(page: Page, title: str) -> Locator:
    """The entry of one quiz on "Bài kiểm tra"."""
    row = page.locator("ul.quiz-list > li").filter(has=page.locator("strong", has_text=title))
    expect(row).to_have_count(1)
    return row


def questions(page: Page) -> Locator:
    return page.locator("fieldset.question")


def save_status(page: Page) -> Locator:
    return page.locator("#save-status")


def is_save(request) -> bool:
    return request.method == "POST" and request.url.endswith("/save")


def answer(fieldset: Locator, index: int, essay: str = ESSAY_TEXT) -> str:
    """Answer one question the way a person would; ``index`` varies the choice taken.
    Returns the question type seen (radio, checkbox, text, select, essay)."""
    choices = fieldset.locator("label.choice")
    if choices.count():
        label = choices.nth(index % choices.count())
        label.click()
        kind = label.locator("input").get_attribute("type")
        expect(label.locator("input")).to_be_checked()
        return kind
    selects = fieldset.locator("select")
    if selects.count():
        for number in range(selects.count()):
            options = selects.nth(number).locator("option:not([value=''])")
            value = options.nth((index + number) % options.count()).get_attribute("value")
            selects.nth(number).select_option(value)
        return "select"
    textarea = fieldset.locator("textarea")
    if textarea.count():
        textarea.fill(essay)
        textarea.blur()
        return "essay"
    field = fieldset.locator("input[type=text]")
    assert field.count() == 1, f"unknown question type in {fieldset.inner_html()[:300]}"
    field.fill("1")
    field.blur()
    return "text"


def chosen(fieldset: Locator) -> dict[str, list[str]]:
    """What the question shows as answered: field name -> values (checked, typed, selected)."""
    return fieldset.evaluate(
        """fs => {
            const out = {};
            fs.querySelectorAll('input, select, textarea').forEach(el => {
                if (!el.name || el.name === 'positions' || el.type === 'hidden') return;
                if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) return;
                if (!el.value) return;
                (out[el.name] = out[el.name] || []).push(el.value);
            });
            Object.values(out).forEach(v => v.sort());
            return out;
        }"""
    )


def all_chosen(page: Page) -> dict[int, dict[str, list[str]]]:
    """position -> chosen(), for every question on the page."""
    result = {}
    for number in range(questions(page).count()):
        fieldset = questions(page).nth(number)
        result[int(fieldset.get_attribute("data-position"))] = chosen(fieldset)
    return result


# The journal's record for a key (journal.js): IndexedDB "lms-journal", else localStorage.
READ_JOURNAL = """key => new Promise(resolve => {
  const local = () => JSON.parse(localStorage.getItem(key) || '{}');
  const open = indexedDB.open('lms-journal', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('entries');
  open.onerror = () => resolve(local());
  open.onsuccess = () => {
    const get = open.result.transaction('entries').objectStore('entries').get(key);
    get.onsuccess = () => { open.result.close(); resolve(Object.assign(local(), get.result || {})); };
    get.onerror = () => resolve(local());
  };
})"""


def journal_entries(page: Page, key: str) -> dict:
    return page.evaluate(READ_JOURNAL, key)


def unsent(page: Page, public_id: str) -> dict[int, dict[str, list[str]]]:
    """The answers quiz.js keeps on the device (IndexedDB) until the server has them (empty
    lists and empty strings dropped, values sorted, to compare with ``chosen``)."""
    stored = journal_entries(page, f"quiz:{public_id}")
    return {
        int(position): {
            name: sorted(v for v in values if v) for name, values in entry["fields"].items() if any(values)
        }
        for position, entry in stored.items()
    }


def wait_all_saved(page: Page, public_id: str) -> None:
    """The status line says "Đã lưu" and nothing waits in the journal."""
    expect(save_status(page)).to_have_text(SAVED)
    for _ in range(100):
        if not journal_entries(page, f"quiz:{public_id}"):
            break
        page.wait_for_timeout(100)
    assert not journal_entries(page, f"quiz:{public_id}"), "answers still wait in the journal"
    expect(save_status(page)).to_have_text(SAVED)


def timer_seconds(page: Page) -> int:
    """The countdown quiz.js shows ("Còn lại: 14:53"), in seconds."""
    text = page.locator("#quiz-timer").inner_text()
    match = re.search(r"Còn lại: (\d+):(\d\d)", text)
    assert match, f"no countdown in the timer: {text!r}"
    return int(match.group(1)) * 60 + int(match.group(2))


def answered_counter(page: Page) -> tuple[int, int]:
    text = page.locator(".quiz-bar").inner_text()
    match = re.search(r"Đã trả lời (\d+)/(\d+) câu", text)
    assert match, f"no answered counter in {text!r}"
    return int(match.group(1)), int(match.group(2))


def review_answered(page: Page) -> int:
    """Questions of the review page that show an answer (a checked choice, text, a selection)."""
    return page.locator("section.question.review").evaluate_all(
        """sections => sections.filter(s =>
            [...s.querySelectorAll('input, select, textarea')].some(el =>
                (el.type === 'radio' || el.type === 'checkbox') ? el.checked : !!el.value)).length"""
    )


# --- the live server's database --------------------------------------------------------------


def live_app():
    """The Flask app served by the ``live_server`` fixture, found through its server thread
    (the fixture yields only the URL); ``None`` if it cannot be found. With a module's own server
    (``serve_demo``) running beside the session's, the newest one is the module's."""
    from tests.e2e.conftest import LIVE_APPS

    if LIVE_APPS:
        return list(LIVE_APPS.values())[-1]
    for thread in threading.enumerate():
        if thread.name != "lms-live-server":
            continue
        server = getattr(getattr(thread, "_target", None), "__self__", None)
        app = getattr(server, "app", None)
        if app is not None and "lms_db" in getattr(app, "extensions", {}):
            return app
    return None


def stored_attempt(app, public_id: str) -> dict:
    """What the live database holds for one attempt: state, score, pending, the positions with
    an answer that counts as answered, and the number of slots."""
    from sqlalchemy import select

    from lms.db import db
    from lms.quizzes.models import Attempt, AttemptAnswer
    from lms.quizzes.qtypes import get_type

    with app.app_context():
        session = db.new_session(app)
        try:
            attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
            assert attempt is not None, f"attempt {public_id} not in the live database"
            answers = {
                row.position: row
                for row in session.scalars(
                    select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
                )
            }
            answered = sorted(
                slot.position
                for slot in attempt.slots
                if slot.position in answers
                and get_type(slot.version.qtype, slot.version.data).is_answered(
                    answers[slot.position].response
                )
            )
            return {
                "state": attempt.state.value,
                "outcome": attempt.outcome,
                "score": attempt.score,
                "pending": attempt.pending,
                "answered": answered,
                "slots": len(attempt.slots),
                "essay_positions": [s.position for s in attempt.slots if s.version.qtype == "essay"],
            }
        finally:
            session.rollback()
            session.close()


def quiz_public_id(title: str) -> str:
    """The public id of the quiz titled ``title`` in the live database."""
    from sqlalchemy import select

    from lms.db import db
    from lms.quizzes.models import Quiz

    app = live_app()
    assert app is not None, "the live server's app was not found"
    with app.app_context():
        session = db.new_session(app)
        try:
            return session.scalar(select(Quiz.public_id).where(Quiz.title == title))
        finally:
            session.close()
