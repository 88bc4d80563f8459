"""Review options by time (Moodle's immediately / later / after close): the service decides from
an explicit clock; the learner's review page applies it at request time, with the learner's own
close time (override included), and says what will be shown later and when."""

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from lms.quizzes import review_options as ro
from lms.quizzes.models import Attempt, Quiz, QuizOverride
from tests.fixtures import csrf_token
from tests.quizzes.helpers import load_sample, make_quiz

FINISHED = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
ONE_MINUTE_LATER = FINISHED + dt.timedelta(minutes=1)
TEN_MINUTES_LATER = FINISHED + dt.timedelta(minutes=10)
AFTER_CLOSE = CLOSES + dt.timedelta(minutes=1)


@pytest.mark.nodb
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (FINISHED, ro.IMMEDIATELY),
        (ONE_MINUTE_LATER, ro.IMMEDIATELY),
        (FINISHED + ro.IMMEDIATE_WINDOW, ro.LATER),
        (TEN_MINUTES_LATER, ro.LATER),
        (CLOSES, ro.AFTER_CLOSE),
        (AFTER_CLOSE, ro.AFTER_CLOSE),
    ],
)
def test_review_time_windows(now, expected):
    assert ro.review_time(FINISHED, CLOSES, now) == expected


@pytest.mark.nodb
def test_a_quiz_without_close_time_never_reaches_after_close():
    far = FINISHED + dt.timedelta(days=400)
    assert ro.review_time(FINISHED, None, far) == ro.LATER
    assert ro.part_visibility(ro.AFTER_CLOSE, FINISHED, None, far) == ro.PartVisibility(False)


@pytest.mark.nodb
def test_part_visibility_in_each_window():
    after_close_only = ro.AFTER_CLOSE
    for now in (ONE_MINUTE_LATER, TEN_MINUTES_LATER):
        assert ro.part_visibility(after_close_only, FINISHED, CLOSES, now) == ro.PartVisibility(
            False, CLOSES, from_close=True
        )
    assert ro.part_visibility(after_close_only, FINISHED, CLOSES, AFTER_CLOSE).shown
    immediately_only = ro.IMMEDIATELY
    assert ro.part_visibility(immediately_only, FINISHED, CLOSES, ONE_MINUTE_LATER).shown
    assert ro.part_visibility(immediately_only, FINISHED, CLOSES, TEN_MINUTES_LATER) == ro.PartVisibility(
        False
    )
    later = ro.LATER
    assert ro.part_visibility(later, FINISHED, CLOSES, ONE_MINUTE_LATER) == ro.PartVisibility(
        False, FINISHED + ro.IMMEDIATE_WINDOW
    )
    assert ro.part_visibility(later, FINISHED, CLOSES, TEN_MINUTES_LATER).shown
    assert not ro.part_visibility(later, FINISHED, CLOSES, AFTER_CLOSE).shown
    assert all(
        ro.part_visibility(ro.ALWAYS, FINISHED, CLOSES, t).shown
        for t in (FINISHED, TEN_MINUTES_LATER, AFTER_CLOSE)
    )
    assert not any(ro.part_visibility(ro.NEVER, FINISHED, CLOSES, t).shown for t in (FINISHED, AFTER_CLOSE))


@pytest.mark.nodb
def test_parse_old_and_new_yaml_forms():
    assert ro.parse_times(True) == ro.ALWAYS and ro.parse_times(False) == ro.NEVER
    assert ro.parse_times(["after_close"]) == ro.AFTER_CLOSE
    assert ro.parse_times(["immediately", "later", "after_close"]) == ro.ALWAYS
    assert ro.parse_times([]) == ro.NEVER
    assert ro.parse_times(["soon"]) is None and ro.parse_times("yes") is None
    assert ro.review_mask({"score": ["later"]}, "score", ro.ALWAYS) == ro.LATER
    assert ro.review_mask({}, "right_answers", ro.NEVER) == ro.NEVER
    with pytest.raises(ValueError):
        ro.review_mask({"score": ["soon"]}, "score", ro.ALWAYS)


# --- the learner's review page ---------------------------------------------------------------


@pytest.fixture()
def finished(client, login_as, session, world, factory):
    """A learner's submitted attempt of a quiz that shows right answers after close and feedback
    immediately; closes in a day."""
    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(
        session,
        world.commune_a,
        codes=["kt-1"],
        closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        review={"score": True, "right_answers": ["after_close"], "feedback": ["immediately"]},
    )
    session.commit()
    login_as(world.users["learner"])
    token = csrf_token(client, f"/quizzes/{quiz.public_id}")
    url = client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token}).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    choice = page.split('name="q1" value="')[2].split('"')[0]  # the second shown choice
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "positions": ["1"], "q1": choice, "action": "submit"},
    )
    assert response.headers["Location"].endswith("/review")
    return quiz, url + "/review"


def _review(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_review_right_after_shows_feedback_and_says_when_right_answers_come(client, finished):
    quiz, url = finished
    html = _review(client, url)
    assert "Xem Điều lệ Đảng, Chương VII." in html  # general feedback: immediately
    assert "Đáp án đúng:" not in html and 'class="right-answer"' not in html
    assert "Đáp án đúng sẽ hiện sau khi bài kiểm tra đóng lúc" in html
    assert 'class="verdict' in html  # right/wrong with the score


def test_review_later_hides_immediate_feedback(client, finished, session):
    quiz, url = finished
    session.execute(
        update(Attempt)
        .where(Attempt.quiz_id == quiz.id)
        .values(finished_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3))
    )
    session.commit()
    html = _review(client, url)
    assert "Xem Điều lệ Đảng, Chương VII." not in html
    assert "Đáp án đúng sẽ hiện sau khi bài kiểm tra đóng lúc" in html


def test_review_after_close_shows_right_answer(client, finished, session):
    quiz, url = finished
    session.execute(
        update(Quiz)
        .where(Quiz.id == quiz.id)
        .values(closes_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    )
    session.commit()
    html = _review(client, url)
    assert 'class="right-answer"' in html and "Ủy ban Kiểm tra Đảng ủy xã" in html
    assert "sẽ hiện sau khi" not in html


def test_an_override_keeps_the_quiz_open_for_that_learner(client, finished, session, world):
    quiz, url = finished
    session.execute(
        update(Quiz)
        .where(Quiz.id == quiz.id)
        .values(closes_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    )
    session.add(
        QuizOverride(
            quiz_id=quiz.id,
            user_id=world.users["learner"].id,
            closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2),
        )
    )
    session.commit()
    html = _review(client, url)
    assert 'class="right-answer"' not in html
    assert "Đáp án đúng sẽ hiện sau khi bài kiểm tra đóng lúc" in html


def test_old_boolean_form_still_imports(session, world):
    load_sample(session)
    quiz = make_quiz(session, world.commune_a, codes=["kt-1"], review={"score": False, "right_answers": True})
    session.commit()
    stored = session.scalar(select(Quiz).where(Quiz.id == quiz.id))
    assert (stored.review_score_when, stored.review_right_answers_when, stored.review_feedback_when) == (
        ro.NEVER,
        ro.ALWAYS,
        ro.ALWAYS,
    )


@pytest.mark.parametrize(
    "review",
    ["{score: [soon]}", "{right_answers: yes please}", "{feedback: [immediately, 3]}", "{when: [later]}"],
)
def test_yaml_review_refuses_unknown_times_with_the_line(session, world, tmp_path, review):
    from pathlib import Path

    from lms.quizzes.importer import parse_quiz_file

    shipped = Path("content/quizzes/qn-ubnd-dau-vao.yaml").read_text(encoding="utf-8")
    path = tmp_path / "q.yaml"
    path.write_text(re.sub(r"^review: .*$", f"review: {review}", shipped, flags=re.M), encoding="utf-8")
    item, problems = parse_quiz_file(session, path, None)
    assert item is None
    assert any(
        ":16: review" in str(problem) and "immediately, later, after_close" in str(problem)
        for problem in problems
    )
