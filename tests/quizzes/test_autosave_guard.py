"""The autosave's one-statement path (autosave.save_guarded) keeps every rule of the checked
path: a save is stored only for the signed-in owner of an open attempt within its deadline, and
anything else gets the checked path's answer with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.auth.models import new_session_token
from lms.quizzes.models import Attempt, AttemptAnswer, AttemptState
from tests.fixtures import csrf_token
from tests.quizzes.helpers import load_sample, make_quiz

CODES = ["kt-1", "kt-2", "dd-1"]


@pytest.fixture()
def quiz(session, world, factory):
    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=CODES, time_limit_minutes=30, attempts_allowed=3)
    session.commit()
    return quiz


@pytest.fixture()
def attempt(client, login_as, world, quiz, session):
    """An open attempt of the learner, one answer saved (so this worker's paper cache has it)."""
    login_as(world.users["learner"])
    token = csrf_token(client, "/quizzes")
    response = client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token})
    public_id = response.headers["Location"].rsplit("/", 1)[-1]
    token = csrf_token(client, f"/quizzes/attempts/{public_id}")
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    saved = save(client, attempt, token, seq=1)
    assert saved.status_code == 200 and saved.get_json()["saved"] == [1]
    return attempt, token


def save(client, attempt, token, seq, position=1):
    body = {"answers": {str(position): {"fields": {f"q{position}": ["0"]}, "seq": seq}}}
    return client.post(
        f"/quizzes/attempts/{attempt.public_id}/save", json=body, headers={"X-CSRFToken": token}
    )


def stored_seq(session, attempt, position=1):
    session.expire_all()
    answer = session.get(AttemptAnswer, (attempt.id, position))
    return answer.seq if answer else None


def test_a_newer_save_is_stored_and_an_older_one_answered_alike_but_ignored(client, attempt, session):
    attempt, token = attempt
    newer = save(client, attempt, token, seq=7)
    assert newer.status_code == 200 and newer.get_json()["saved"] == [1]
    assert newer.get_json()["remaining"] > 0 and stored_seq(session, attempt) == 7
    older = save(client, attempt, token, seq=3)  # a late retry: the same answer as before the change
    assert older.status_code == 200 and older.get_json()["saved"] == [1]
    assert stored_seq(session, attempt) == 7


def test_a_session_logged_out_elsewhere_cannot_save(client, attempt, world, session):
    attempt, token = attempt
    user = world.users["learner"]
    user.session_token = new_session_token()  # "log out everywhere", a password reset, a disable
    session.commit()
    response = save(client, attempt, token, seq=9)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored_seq(session, attempt) == 1


def test_a_pending_password_change_blocks_the_save(client, attempt, world, session):
    attempt, token = attempt
    world.users["learner"].must_change_password = True
    session.commit()
    response = save(client, attempt, token, seq=9)
    assert response.status_code == 302 and "/account/password" in response.headers["Location"]
    assert stored_seq(session, attempt) == 1


def test_an_overdue_attempt_is_closed_and_refuses_the_save(client, attempt, session):
    attempt, token = attempt
    attempt.deadline = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    session.commit()
    response = save(client, attempt, token, seq=9)
    assert response.status_code == 409 and response.get_json()["state"] == "closed"
    session.refresh(attempt)
    assert attempt.state is AttemptState.finished and stored_seq(session, attempt) == 1


def test_a_finished_attempt_refuses_the_save(client, attempt, session):
    attempt, token = attempt
    attempt.state = AttemptState.finished
    session.commit()
    response = save(client, attempt, token, seq=9)
    assert response.status_code == 409 and stored_seq(session, attempt) == 1


def test_another_learner_cannot_save_into_the_attempt(client, attempt, login_as, world, session):
    attempt, _ = attempt
    client.post("/logout", data={"csrf_token": csrf_token(client, "/quizzes")})
    login_as(world.learner_b)
    token = csrf_token(client, "/quizzes")
    assert save(client, attempt, token, seq=9).status_code == 403
    assert stored_seq(session, attempt) == 1


def test_an_unknown_position_is_a_400_and_nothing_is_stored(client, attempt, session):
    attempt, token = attempt
    response = save(client, attempt, token, seq=9, position=99)
    assert response.status_code == 400 and stored_seq(session, attempt, 99) is None
