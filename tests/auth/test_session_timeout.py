"""Shared commune computers: a signed-in session ends after LMS_SESSION_IDLE_MINUTES without a
request (longer after a quiz attempt or scenario run request, and the quiz page pings to stay
alive), and LMS_SESSION_MAX_HOURS after login (never in the middle of work). All in the
signed cookie; the login page says why the session ended."""

from __future__ import annotations

import html
import time

from lms.auth.models import Role
from tests.fixtures import login


def _shift(client, **seconds_ago) -> None:
    """Move the session's clocks into the past (as if that much time had passed)."""
    with client.session_transaction() as sess:
        for key, ago in seconds_ago.items():
            sess[key] = int(time.time()) - ago


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_staff_session_ends_after_idle_minutes_and_login_page_says_so(app, client, factory):
    factory.user(Role.board, username="idle-staff")
    assert login(client, "idle-staff").status_code == 302
    minutes = app.config["LMS_SESSION_IDLE_MINUTES"]
    assert minutes == 30
    _shift(client, seen_at=(minutes - 1) * 60)
    assert _signed_in(client)  # 29 minutes: still in, and the clock restarts
    with client.session_transaction() as sess:
        assert int(time.time()) - sess["seen_at"] < 5
    _shift(client, seen_at=(minutes + 1) * 60)
    response = client.get("/cadres")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = html.unescape(client.get("/login").get_data(as_text=True))
    assert "không hoạt động quá 30 phút" in page
    assert not _signed_in(client)


def test_absolute_lifetime_ends_a_busy_session(app, client, factory):
    factory.user(Role.board, username="long-staff")
    login(client, "long-staff")
    _shift(client, login_at=app.config["LMS_SESSION_MAX_HOURS"] * 3600 + 60, seen_at=10)
    assert not _signed_in(client)
    assert "12 giờ" in html.unescape(client.get("/login").get_data(as_text=True))


def test_logging_in_again_clears_the_message(client, factory):
    factory.user(Role.board, username="again-staff")
    login(client, "again-staff")
    _shift(client, seen_at=3600)
    assert not _signed_in(client)
    assert login(client, "again-staff").status_code == 302
    token_page = client.get("/")
    assert token_page.status_code == 200
    with client.session_transaction() as sess:
        assert "ended" not in sess and sess["login_at"] > 0


def test_learner_at_work_gets_the_longer_limit_and_keep_alive(app, client, factory):
    factory.user(Role.learner, username="busy-learner")
    login(client, "busy-learner")
    assert client.get("/session/alive").status_code == 204  # a work request
    with client.session_transaction() as sess:
        assert sess["work"] is True
    _shift(client, seen_at=90 * 60)  # 90 minutes over the quiz page, no JS
    assert client.get("/session/alive").status_code == 204  # still signed in
    _shift(client, login_at=13 * 3600)  # past the lifetime, but in the middle of an attempt
    assert client.get("/session/alive").status_code == 204
    assert not _signed_in(client)  # the first page outside the work ends it


def test_work_limit_still_ends_an_abandoned_attempt(app, client, factory):
    factory.user(Role.learner, username="gone-learner")
    login(client, "gone-learner")
    client.get("/session/alive")
    _shift(client, seen_at=(app.config["LMS_SESSION_WORK_IDLE_MINUTES"] + 1) * 60)
    assert client.get("/session/alive").status_code == 302


def test_limits_come_from_the_environment(monkeypatch, tmp_path):
    from lms.config import load_settings

    monkeypatch.setenv("LMS_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("LMS_SESSION_MAX_HOURS", "2")
    settings = load_settings(tmp_path, {"LMS_DATABASE_URL": "sqlite://", "LMS_SECRET_KEY": "x"})
    assert settings["LMS_SESSION_IDLE_MINUTES"] == 5 and settings["LMS_SESSION_MAX_HOURS"] == 2
    assert settings["LMS_SESSION_WORK_IDLE_MINUTES"] == 240


def test_the_quiz_page_script_pings_keep_alive():
    from pathlib import Path

    import lms

    root = Path(lms.__file__).parent
    assert "aliveUrl" in (root / "static/js/quiz.js").read_text("utf-8")
    assert "core.keep_alive" in (root / "templates/quizzes/attempt.html").read_text("utf-8")
