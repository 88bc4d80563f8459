"""The attempt page's question cache (lms/quizzes/attempt_html.py): the page a learner gets is the
same, byte for byte, as the template rendering every question itself, whatever is answered or
flagged, in both languages, and across attempts with other choice orders."""

import re

import pytest

from lms.quizzes import attempt_html
from tests.fixtures import csrf_token
from tests.quizzes.helpers import load_sample, make_quiz

CODES = ["kt-1", "kt-2", "kt-3", "dd-1", "dd-2", "dd-3", "dd-4"]
CSRF = re.compile(r'(name="csrf_token" value=")[^"]+"|(data-seq=")\d+"')


@pytest.fixture()
def quiz(session, world, factory):
    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(
        session, world.commune_a, codes=CODES, time_limit_minutes=30, attempts_allowed=5, shuffle_choices=True
    )
    session.commit()
    return quiz


def _start(client, quiz) -> str:
    token = csrf_token(client, f"/quizzes/{quiz.public_id}")
    return client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token}).headers["Location"]


def _page(client, url) -> str:
    """The page without what differs at every request (CSRF token, the page's seq)."""
    html = client.get(url).get_data(as_text=True)
    return CSRF.sub(lambda m: (m.group(1) or m.group(2)) + '"', html)


def _uncached(client, url, monkeypatch) -> str:
    with monkeypatch.context() as m:
        m.setattr(attempt_html, "CACHED_TYPES", set())
        return _page(client, url)


def _choice_values(html: str, position: int) -> list[str]:
    return re.findall(rf'name="q{position}" value="([^"]+)"', html)


def test_cached_page_is_the_template_rendering(client, login_as, world, quiz, monkeypatch):
    attempt_html.clear()
    login_as(world.users["learner"])
    url = _start(client, quiz)
    fresh = _page(client, url)
    assert _uncached(client, url, monkeypatch) == fresh
    assert attempt_html.MARK not in fresh and "\x00" not in fresh
    # answer the single, multi and true/false questions and flag one, through the page's form
    html = client.get(url).get_data(as_text=True)
    positions = sorted({int(p) for p in re.findall(r'name="positions" value="(\d+)"', html)})
    single, multi, truefalse = (
        p for p in positions if re.search(rf'name="q{p}" value="(true|[0-9]+)"', html)
    )
    form = {
        "csrf_token": csrf_token(client, url),
        "action": "save",
        "positions": [str(p) for p in positions],
        f"q{single}": _choice_values(html, single)[1],
        f"q{multi}": _choice_values(html, multi)[:2],
        f"q{truefalse}": "false",
        "flag": str(multi),
    }
    assert client.post(url, data=form).status_code == 302
    client.get(url)  # the flash "Đã lưu câu trả lời." is shown once
    answered = _page(client, url)
    assert answered != fresh
    assert answered == _uncached(client, url, monkeypatch)
    # what the learner sees: the chosen answers checked again, the flag kept, nothing else checked
    checked = re.findall(r'name="(q\d+|flag)" value="([^"]+)"\s*checked', answered.replace("\n", " "))
    expected = {
        (f"q{single}", _choice_values(html, single)[1]),
        *((f"q{multi}", v) for v in _choice_values(html, multi)[:2]),
        (f"q{truefalse}", "false"),
        ("flag", str(multi)),
    }
    assert set(checked) == expected, checked
    # English: another cache entry, the same page the template makes
    token = csrf_token(client, url)
    client.post("/lang/en", data={"csrf_token": token})
    client.get(url)
    english = _page(client, url)
    assert english != answered and "Câu 1" not in english
    assert english == _uncached(client, url, monkeypatch)


def test_other_attempts_and_orders_reuse_the_entries(client, login_as, world, quiz, monkeypatch, session):
    attempt_html.clear()
    login_as(world.users["learner"])
    seen_orders = set()
    for _ in range(3):
        url = _start(client, quiz)
        page = _page(client, url)
        assert page == _uncached(client, url, monkeypatch)
        seen_orders.add(tuple(re.findall(r"<span>([^<]+)</span></label>", page)))
        token = csrf_token(client, url)
        assert client.post(url, data={"csrf_token": token, "action": "submit"}).status_code == 302
    assert len(attempt_html._cache) <= 4  # one per shape (single, multi, true/false): not per order
