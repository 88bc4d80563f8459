"""Every page a role can open, with the demo data, in Vietnamese and in English.

English pages must not show a Vietnamese catalog string (a msgid of two words or more), and
Vietnamese pages must not show an English translation that differs from its msgid. Data stays as
entered (README "Language": titles, unit and title names, legal document names, content texts):
only whole text nodes and labels that *are* a catalog string, or that contain a longer one of six
words or more, count, so a topic titled "Xử lý tình huống đất đai" is not a leftover.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from tests.conftest import fresh_database
from tests.test_translations import PLACEHOLDER, PO

USES_DATABASE = True

LOGINS = {
    "learner": ("hocvien", "HV@TanLap-2026"),
    "instructor": ("giangvien", "GV@Truong-2026"),
    "approver": ("duyet", "Approve@QN-2026"),
    "board_province": ("bantochuc", "BTC@Tinh-2026"),
    "board_commune": ("bantochucxa", "BTC@TanLap-2026"),
    "admin": ("quantri", "Admin@QN-2026"),
}

# Routes not visited, and why.
SKIPPED = {
    "static": "files, not pages",
    "core.healthz": "JSON for the load balancer",
    "core.keep_alive": "JSON ping of the session timer",
    "jobs.status_json": "JSON polled by the progress page",
    "jobs.download": "a file download",
    "programs.attachment_download": "a file download",
    "programs.cohort_export": "a CSV download",
    "evaluation.gradebook_csv": "a CSV download",
    "evaluation.dossier_export": "an XLSX download",
    "evaluation.reports_export": "a CSV/XLSX download",
    "quizzes.export_results": "a CSV/XLSX download",
    "quizzes.bank_export": "a file download",
    "quizzes.question_file": "an image of a question (bytes, no text)",
    "scenarios.export": "a YAML download",
    "quizzes.attempt_page": "GET starts the clock of an open attempt; the quiz tests cover it",
}
# Routes the demo has no rows for (no attempt, run, response, record or job is in it).
NO_DEMO_ROWS = {
    "evaluation.record": "the demo finalizes no evaluation record",
    "jobs.status": "the demo starts no job",
    "quizzes.review": "the demo has no finished attempt",
    "quizzes.attempt_summary": "the demo has no finished attempt",
    "quizzes.grade": "the demo has no finished attempt",
    "scenarios.grade": "the demo has no scenario response to mark",
    "scenarios.play": "the demo has no scenario run",
}


# --- the catalog ---------------------------------------------------------------------------


@cache
def catalog() -> list[tuple[str, str]]:
    with PO.open("rb") as f:
        po = read_po(f)
    pairs = []
    for m in po:
        if not m.id or not m.string:
            continue
        if isinstance(m.id, str):
            pairs.append((m.id, m.string))
        else:  # ngettext: each English form against its Vietnamese form
            pairs += [(m.id[min(i, 1)], string) for i, string in enumerate(m.string) if string]
    return pairs


def _words(text: str) -> int:
    """Literal words: "Lớp %(c)s" has one, so a cohort named "Lớp bồi dưỡng ..." is not flagged."""
    return len(PLACEHOLDER.sub(" ", text).split())


def _regex(message: str) -> re.Pattern:
    parts = PLACEHOLDER.split(message)
    return re.compile(r"(?:.+?)".join(re.escape(" ".join(p.split())) for p in parts))


@cache
def foreign_patterns(language: str) -> list[tuple[str, re.Pattern, bool]]:
    """(string, pattern, whole-node-only) for the strings that must not appear in `language`."""
    found = []
    for msgid, msgstr in catalog():
        if msgid == msgstr:
            continue
        text = msgid if language == "en" else msgstr
        if _words(text) < 2 or not PLACEHOLDER.sub("", text).strip(" .:,%()/-·"):
            continue
        found.append((text, _regex(text), _words(text) < 6))
    return found


class _Texts(HTMLParser):
    """Text nodes and labels of a page. An element whose ``lang`` differs from the page's (content
    written in Vietnamese, marked so for screen readers, e.g. a topic's lesson text) is data: it
    and everything inside it are left out."""

    ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
    SKIP = {"script", "style", "textarea"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0
        self._page_lang: str | None = None
        self._foreign: str | None = None  # the tag of the open element in another language
        self._foreign_depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self._page_lang = values.get("lang")
        if self._foreign is not None:
            self._foreign_depth += tag == self._foreign
            return
        lang = values.get("lang")
        if lang and self._page_lang and lang != self._page_lang and tag != "html":
            if tag not in self.VOID:
                self._foreign, self._foreign_depth = tag, 1
            return
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if (name in self.ATTRIBUTES or name.startswith("data-msg-")) and value:
                self.texts.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if self._foreign is not None:
            if tag == self._foreign:
                self._foreign_depth -= 1
                if not self._foreign_depth:
                    self._foreign = None
            return
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if data.strip() and not self._skipping and self._foreign is None:
            self.texts.append(" ".join(data.split()))


DATA: set[str] = set()  # titles and names as entered (filled from the demo database)
DATA_COLUMNS = {"title", "name", "full_name", "display_name"}


def load_data_strings(session) -> None:
    from lms.db import Base
    from lms.programs.models import FIELDS
    from lms.quizzes.models import QuestionCategory

    DATA.update(str(v) for v in FIELDS.values())  # content fields of programs: content vocabulary
    for path in session.scalars(select(QuestionCategory.path)):  # "Xây dựng Đảng/Tự luận": names
        DATA.update(part.strip() for part in path.split("/"))
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if column.name in DATA_COLUMNS:
                DATA.update(" ".join(v.split()) for v in session.scalars(select(column).distinct()) if v)


def leftovers(page: str, language: str) -> list[str]:
    parser = _Texts()
    parser.feed(page)
    bad = set()
    texts = {t for t in parser.texts if t not in DATA}
    for text, regex, whole_only in foreign_patterns(language):
        for node in texts:
            if whole_only:
                if regex.fullmatch(node):
                    bad.add(text)
            elif regex.search(node):
                bad.add(text)
    return sorted(bad)


# --- the demo ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    from lms import create_app, demo
    from lms.cli import upgrade_database
    from lms.db import db

    url, drop = fresh_database()
    secret = "i18n-" + secrets.token_hex(8)
    app = create_app({"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": secret, "TESTING": True})
    app.instance_path = str(tmp_path_factory.mktemp("i18n-instance"))
    with app.app_context():
        upgrade_database()
        session = db.new_session()
        try:
            demo.load(session)
            session.commit()
            for step in demo.feature_steps():
                step(session)
                session.commit()
            load_data_strings(session)
        finally:
            session.close()
    yield app
    db.state(app).engine.dispose()
    drop()


def _first(session, statement):
    return session.scalars(statement.limit(1)).first()


def route_arguments(session) -> dict[str, dict]:
    """One set of URL arguments per endpoint, taken from the demo."""
    from lms.auth.models import User
    from lms.evaluation.models import EvaluationRecord
    from lms.jobs.models import Job
    from lms.org.models import CadreProfile
    from lms.programs.models import Cohort, CohortSession, Program, Topic
    from lms.quizzes.models import Attempt, Question, Quiz
    from lms.scenarios.models import Scenario, ScenarioResponse, ScenarioRun

    learner = session.scalar(select(User).where(User.username == "hocvien"))
    profile = session.scalar(select(CadreProfile).where(CadreProfile.user_id == learner.id))
    cohort = _first(session, select(Cohort).order_by(Cohort.id))
    args: dict[str, dict] = {
        "auth.user_detail": {"user_id": learner.id},
        "org.cadre": {"public_id": profile.public_id},
        "org.cadre_edit": {"public_id": profile.public_id},
        "evaluation.assess": {"public_id": profile.public_id},
        "evaluation.dossier": {"public_id": profile.public_id},
        "evaluation.dossier_reads": {"public_id": profile.public_id},
    }
    if cohort:
        args["programs.cohort_view"] = {"public_id": cohort.public_id}
        args["evaluation.cohort"] = {"cohort_id": cohort.id}
        args["evaluation.gradebook"] = {"cohort_id": cohort.id}
        args["evaluation.survey"] = {"cohort_id": cohort.id}
        meeting = _first(session, select(CohortSession).where(CohortSession.cohort_id == cohort.id))
        if meeting:
            args["programs.cohort_attendance"] = {"public_id": cohort.public_id, "position": meeting.position}
    record = _first(session, select(EvaluationRecord).where(EvaluationRecord.cadre_id == profile.id))
    if record:
        args["evaluation.record"] = {"public_id": record.public_id}
    program = _first(session, select(Program).order_by(Program.id))
    if program:
        args["programs.program_view"] = {"code": program.code}
        args["programs.program_edit"] = {"code": program.code}
        args["evaluation.scheme_edit"] = {"program_code": program.code}
    topic = _first(session, select(Topic).order_by(Topic.id))
    if topic:
        for endpoint in ("programs.topic_view", "programs.topic_edit", "programs.learn_topic"):
            args[endpoint] = {"public_id": topic.public_id}
    quiz = _first(session, select(Quiz).order_by(Quiz.id))
    if quiz:
        for endpoint in (
            "quizzes.intro",
            "quizzes.manage_quiz",
            "quizzes.stats",
            "quizzes.builder_settings",
            "quizzes.builder_questions",
            "quizzes.builder_preview",
        ):
            args[endpoint] = {"public_id": quiz.public_id}
    attempt = _first(session, select(Attempt).where(Attempt.finished_at.is_not(None)).order_by(Attempt.id))
    if attempt:
        args["quizzes.review"] = {"public_id": attempt.public_id}
        args["quizzes.attempt_summary"] = {"public_id": attempt.public_id}
        args["quizzes.grade"] = {"public_id": attempt.public_id, "position": 1}
    question = _first(session, select(Question).order_by(Question.id))
    if question:
        args["quizzes.edit_question"] = {"public_id": question.public_id}
        args["quizzes.edit_question_form"] = {"public_id": question.public_id}
        args["quizzes.question_preview"] = {"public_id": question.public_id}
    args["quizzes.new_question"] = {"qtype": "multichoice"}
    scenario = _first(session, select(Scenario).order_by(Scenario.id))
    if scenario:
        for endpoint in (
            "scenarios.intro",
            "scenarios.detail",
            "scenarios.analytics",
            "scenarios.author",
            "scenarios.author_meta",
            "scenarios.author_variables",
            "scenarios.edit",
        ):
            args[endpoint] = {"public_id": scenario.public_id}
        nodes = (scenario.doc or {}).get("nodes") or []
        if nodes:
            args["scenarios.author_node"] = {"public_id": scenario.public_id, "node_id": nodes[0]["id"]}
            args["scenarios.author_choice"] = {"public_id": scenario.public_id, "node_id": nodes[0]["id"]}
    run = _first(session, select(ScenarioRun).order_by(ScenarioRun.id))
    if run:
        args["scenarios.play"] = {"public_id": run.public_id}
    response = _first(session, select(ScenarioResponse).order_by(ScenarioResponse.id))
    if response:
        args["scenarios.grade"] = {"public_id": response.public_id}
    job = _first(session, select(Job).order_by(Job.id))
    if job:
        args["jobs.status"] = {"public_id": job.public_id}
    return args


def pages(app) -> list[str]:
    """Every GET URL of the app that the demo can fill in (those it cannot are listed)."""
    from lms.db import db

    with app.app_context():
        session = db.new_session()
        try:
            known = route_arguments(session)
        finally:
            session.close()
        urls, missing = [], []
        with app.test_request_context():
            from flask import url_for

            for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
                if "GET" not in rule.methods or rule.endpoint in SKIPPED:
                    continue
                if rule.arguments and rule.endpoint not in known:
                    if rule.endpoint in NO_DEMO_ROWS:
                        continue
                    missing.append(rule.endpoint)
                    continue
                urls.append(url_for(rule.endpoint, **known.get(rule.endpoint, {})))
    assert missing == [], f"no demo data for {missing}: add it to route_arguments or SKIPPED"
    return sorted(set(urls))


def _csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def visit_all(app, role: str, language: str) -> tuple[dict[str, list[str]], int, list[str]]:
    client = app.test_client()
    if language == "en":
        response = client.post("/lang/en", data={"csrf_token": _csrf(client, "/login"), "next": "/login"})
        assert response.status_code == 302
    username, password = LOGINS[role]
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": _csrf(client, "/login")}
    )
    assert response.status_code == 302, f"{role} cannot log in"
    problems, errors, seen = {}, [], 0
    for url in pages(app):
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
            continue
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        seen += 1
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in page, url
        bad = leftovers(page, language)
        if bad:
            problems[url] = bad
    return problems, seen, errors


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("role", list(LOGINS))
def test_every_page_in_both_languages(demo_app, role, language):
    problems, seen, errors = visit_all(demo_app, role, language)
    assert errors == []
    assert seen >= 5, f"{role} saw only {seen} pages"
    report = "\n".join(f"{url}: {bad}" for url, bad in sorted(problems.items()))
    assert problems == {}, f"{language} pages of {role} show the other language:\n{report}"


def test_leftover_check_catches_both_directions():
    assert "Đăng xuất" not in leftovers("<p>Đăng xuất</p>", "vi")
    assert leftovers("<p>Hạn nộp bài:</p><p>Đăng xuất</p>", "en") == ["Hạn nộp bài:", "Đăng xuất"]
    assert leftovers("<p>Sign out</p>", "vi") == ["Sign out"]
    # a topic title that happens to begin with a short catalog string is data
    assert leftovers("<h2>Xử lý tình huống tranh chấp đất đai</h2>", "en") == []
    # content marked as Vietnamese is data on an English page, and only that element
    page = (
        '<html lang="en"><article lang="vi"><div><h2>Mục tiêu</h2></div><p>Đăng xuất</p></article>'
        "<p>Mục tiêu</p>"
    )
    assert leftovers(page, "en") == ["Mục tiêu"]
    assert leftovers('<html lang="en"><article lang="vi"><h2>Mục tiêu</h2></article>', "en") == []
