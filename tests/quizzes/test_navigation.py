"""During an attempt: the question panel (answered / not answered / flagged), flags, the
summary before submit listing unanswered and flagged questions, and a review that says when
time ran out."""

import datetime as dt

import pytest
from sqlalchemy import update

from lms.quizzes.models import Attempt
from tests.fixtures import csrf_token
from tests.quizzes.helpers import load_sample, make_quiz

CODES = ["kt-1", "kt-2", "kt-3"]


@pytest.fixture()
def attempt_url(client, login_as, session, world, factory):
    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=CODES, time_limit_minutes=30, attempts_allowed=3)
    session.commit()
    login_as(world.users["learner"])
    token = csrf_token(client, f"/quizzes/{quiz.public_id}")
    return client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token}).headers["Location"]


def _post(client, url, data):
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, url)))


def test_panel_flags_and_summary(client, attempt_url):
    page = client.get(attempt_url).get_data(as_text=True)
    assert page.count('class="qnav-item"') == 3 and "chưa trả lời" in page
    assert 'href="/quizzes/attempts/' in page.split('class="qnav-list"')[1]  # plain links, no JS needed
    # answer nothing, flag question 2, go to the summary
    response = _post(client, attempt_url, {"positions": ["1", "2", "3"], "flag": "2", "action": "summary"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/summary")
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Còn 3 câu chưa trả lời:" in summary
    assert "Câu đã đánh dấu để xem lại" in summary and "#slot-2" in summary.split("Câu đã đánh dấu")[1]
    page = client.get(attempt_url).get_data(as_text=True)
    assert 'class="qnav-item flagged"' in page and 'name="flag" value="2" checked' in page
    # unflag through the JSON endpoint
    flag_url = attempt_url + "/flag"
    r = client.post(
        flag_url,
        json={"position": 2, "flagged": False},
        headers={"X-CSRFToken": csrf_token(client, attempt_url)},
    )
    assert r.get_json() == {"state": "saved", "position": 2, "flagged": False}
    assert (
        client.post(
            flag_url,
            json={"position": 99, "flagged": True},
            headers={"X-CSRFToken": csrf_token(client, attempt_url)},
        ).status_code
        == 400
    )
    assert "Câu đã đánh dấu để xem lại" not in client.get(attempt_url + "/summary").get_data(as_text=True)
    done = client.post(
        attempt_url, data={"action": "submit", "csrf_token": csrf_token(client, attempt_url + "/summary")}
    )
    assert done.headers["Location"].endswith("/review")


def test_review_says_when_time_ran_out(client, attempt_url, session):
    public_id = attempt_url.rsplit("/", 1)[-1]
    session.execute(
        update(Attempt)
        .where(Attempt.public_id == public_id)
        .values(deadline=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    )
    session.commit()
    review = client.get(attempt_url + "/review", follow_redirects=True).get_data(as_text=True)
    assert "Hết giờ: bài được nộp tự động lúc" in review
