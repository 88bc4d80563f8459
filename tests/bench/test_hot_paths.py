"""Exam day's hot paths stay lean (bench/README.md): the statements sent per autosave and per
start do not grow with the number of questions, and passwords use OWASP's argon2 minimum."""

from __future__ import annotations

import json
import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, select

from lms.auth.models import User
from lms.auth.services import hash_password
from lms.quizzes.models import AttemptAnswer, AttemptSlot
from tests.factories import PASSWORD
from tests.fixtures import csrf_token
from tests.quizzes.helpers import load_sample, make_quiz

CODES = ["kt-1", "kt-2", "kt-3", "dd-1", "dd-2", "dd-3", "dd-4"]
DML = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE)", re.IGNORECASE)


@pytest.fixture()
def quiz(session, world, factory):
    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=CODES, time_limit_minutes=30, attempts_allowed=3)
    session.commit()
    return quiz


@pytest.fixture()
def statements(connection):
    """Call it with a function: returns (result, SQL statements it sent, savepoints left out)."""

    def run(fn):
        seen: list[str] = []

        def listener(_conn, _cursor, statement, *_args):
            if DML.match(statement):
                seen.append(statement)

        event.listen(connection, "before_cursor_execute", listener)
        try:
            result = fn()
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        return result, seen

    return run


def _start(client, quiz) -> str:
    token = csrf_token(client, "/quizzes")
    response = client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_start_sends_a_fixed_number_of_statements(client, login_as, world, quiz, statements, session):
    login_as(world.users["learner"])
    token = csrf_token(client, "/quizzes")
    response, sent = statements(
        lambda: client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token})
    )
    assert response.status_code == 302
    # user, quiz, attempt number + open attempt + profile + whether an override exists (one
    # query), the quiz slots with their latest versions (one query), INSERT attempt (max points
    # known), INSERT slots (one statement): no query per question, no UPDATE of the new attempt
    assert len(sent) == 6, "\n".join(sent)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in sent), "\n".join(sent)
    assert sum(1 for s in sent if s.lstrip().upper().startswith("INSERT INTO QUIZ_ATTEMPT_SLOT")) == 1
    assert session.scalars(select(AttemptSlot)).all().__len__() == len(CODES)


def test_autosave_is_one_statement_once_the_worker_knows_the_attempt(
    client, login_as, world, quiz, statements, session
):
    login_as(world.users["learner"])
    public_id = _start(client, quiz)
    page = client.get(f"/quizzes/attempts/{public_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    position, value = re.search(r'name="q(\d+)" value="([^"]+)"', page).groups()

    def save(seq):
        body = {"answers": {position: {"fields": {f"q{position}": [value]}, "seq": seq}}}
        return client.post(
            f"/quizzes/attempts/{public_id}/save",
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )

    response, sent = statements(lambda: save(5))
    assert response.status_code == 200, response.get_data(as_text=True)
    # the attempt's slots with their versions (once per worker process), the guarded upsert
    assert len(sent) == 2, "\n".join(sent)
    response, sent = statements(lambda: save(6))
    assert response.status_code == 200, response.get_data(as_text=True)
    # the upsert alone: it checks the session token, owner, state and deadline itself (no user SELECT)
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("INSERT"), "\n".join(sent)
    answer = session.scalar(select(AttemptAnswer))
    assert answer.seq == 6 and answer.position == int(position)


def test_submit_updates_the_attempt_once_and_records_result_and_audit(
    client, login_as, world, quiz, statements, session
):
    login_as(world.users["learner"])
    public_id = _start(client, quiz)
    page = client.get(f"/quizzes/attempts/{public_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response, sent = statements(
        lambda: client.post(f"/quizzes/attempts/{public_id}", data={"csrf_token": token, "action": "submit"})
    )
    assert response.status_code == 302 and "/review" in response.headers["Location"]
    upper = [s.lstrip().upper() for s in sent]
    assert sum(1 for s in upper if s.startswith("UPDATE QUIZ_ATTEMPT ")) == 1, "\n".join(sent)
    # the slots once, with their versions and answers as plain rows (the flags of a submit that
    # shows no question no longer read them first); no separate answers SELECT
    assert sum(1 for s in upper if s.startswith("SELECT QUIZ_ATTEMPT_SLOT")) == 1, "\n".join(sent)
    assert not any(s.startswith("SELECT QUIZ_ATTEMPT_ANSWER") for s in upper), "\n".join(sent)
    assert any(s.startswith("INSERT INTO RESULT") for s in upper)
    assert any(s.startswith("INSERT INTO AUDIT_ENTRY") for s in upper)
    # the attempt read once, locked as it is read (no second SELECT … FOR UPDATE); no profile
    # SELECT and no Result lookup before the INSERT (the attempt was open: it has none)
    assert sum(1 for s in upper if s.startswith("SELECT QUIZ_ATTEMPT.")) == 1, "\n".join(sent)
    assert not any(s.startswith(("SELECT CADRE_PROFILE", "SELECT RESULT")) for s in upper), "\n".join(sent)
    assert len(sent) == 8, "\n".join(sent)


def test_new_passwords_use_owasp_minimum_argon2_parameters():
    params = hash_password("Mat-khau-dai-2026").split("$")[3]
    assert params == "m=19456,t=2,p=1"


def test_old_hash_is_upgraded_at_next_login(client, login_as, world, session):
    user = world.users["learner"]
    user.password_hash = PasswordHasher().hash(PASSWORD)  # argon2-cffi's defaults (m=64 MiB, t=3, p=4)
    session.commit()
    login_as(user)
    session.expire_all()
    stored = session.scalar(select(User.password_hash).where(User.id == user.id))
    assert "m=19456,t=2,p=1" in stored


def test_attempt_page_reads_the_answers_once(client, login_as, world, quiz, statements):
    login_as(world.users["learner"])
    public_id = _start(client, quiz)
    response, sent = statements(lambda: client.get(f"/quizzes/attempts/{public_id}"))
    assert response.status_code == 200
    upper = [s.lstrip().upper() for s in sent]
    # user, attempt, its slots with their versions, its answers (the question panel reuses them)
    assert sum(1 for s in upper if s.startswith("SELECT QUIZ_ATTEMPT_ANSWER")) == 1, "\n".join(sent)
    assert len(sent) == 4, "\n".join(sent)


def test_quiz_list_reads_the_enrollments_without_the_profile_first(client, login_as, world, quiz, statements):
    login_as(world.users["learner"])
    response, sent = statements(lambda: client.get("/quizzes"))
    assert response.status_code == 200 and quiz.title in response.get_data(as_text=True)
    upper = [s.lstrip().upper() for s in sent]
    # user, quizzes, attempts, overrides, program codes, enrollments joined to the user's profile
    assert not any(s.startswith("SELECT CADRE_PROFILE") for s in upper), "\n".join(sent)
    assert len(sent) == 6, "\n".join(sent)
