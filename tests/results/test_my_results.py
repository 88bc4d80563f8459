"""The learner's results page: program names, the learning gain explained, Vietnamese numbers,
a review link or the reason there is none."""

from __future__ import annotations

import datetime as dt
import re

from lms.programs.models import Program
from tests.evaluation.helpers import result
from tests.fixtures import login

ENTRANCE_DAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
EXIT_DAY = dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)


def _learner_with_results(factory, session, world, exit_score=6.83):
    learner = world.users["learner"]
    cadre = factory.profile(user=learner)
    session.add(Program(code="qn-2022-ubnd", title="Bồi dưỡng Chủ tịch UBND cấp xã", duration_days=5))
    session.flush()
    result(session, cadre, "entrance", 5.0, topic=None, program="qn-2022-ubnd", when=ENTRANCE_DAY)
    if exit_score is not None:
        result(session, cadre, "exit", exit_score, topic=None, program="qn-2022-ubnd", when=EXIT_DAY)
    session.commit()
    return learner


def _visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_gain_is_explained_with_program_name_tests_and_dates(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert "Bồi dưỡng Chủ tịch UBND cấp xã" in text
    assert "qn-2022-ubnd" not in text
    assert "Tiến bộ: +1,83 điểm (đầu vào 5,00 → đầu ra 6,83, thang 10)" in text
    assert "Đầu vào: entrance None, 02/03/2026" in text
    assert "Đầu ra: exit None, 20/03/2026" in text


def test_negative_gain_is_worded_neutrally(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world, exit_score=3.17))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert "Điểm đầu ra thấp hơn đầu vào 1,83 điểm (đầu vào 5,00 → đầu ra 3,17, thang 10)" in text
    assert "-1,83" not in text and "-1.83" not in text


def test_gain_with_one_test_says_which_is_missing(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world, exit_score=None))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert "còn thiếu kết quả bài kiểm tra đầu ra" in text
    assert "Tiến bộ:" not in text


def test_result_without_its_attempt_says_why_no_review(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert text.count("Bài làm này không còn trên hệ thống.") == 2


def test_english_shows_dot_decimals(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world))
    client.post("/lang/en", data={"next": "/results/me"}, headers={"X-CSRFToken": ""})
    with client.session_transaction() as s:
        s["lang"] = "en"
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert "+1.83" in text and "6.83" in text


DOT_DECIMAL = re.compile(r"(?<![\d/.:])\d+\.\d+(?![\d/.:])")
PERCENT_WITHOUT_SPACE = re.compile(r"\d%")


def test_vietnamese_page_has_no_dot_decimal_or_tight_percent(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert not DOT_DECIMAL.findall(text)
    assert not PERCENT_WITHOUT_SPACE.findall(text)


def test_number_helper_formats_by_locale(app):
    from lms.web import _vnnumber, _vnpercent

    with app.test_request_context():
        assert _vnnumber("8.875") == "8,88"
        assert _vnnumber(-1.83, signed=True) == "-1,83"
        assert _vnnumber(1.83, signed=True) == "+1,83"
        assert _vnpercent(87.5) == "87,5\u00a0%"


def test_evaluation_pages_name_the_program(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world))
    text = _visible_text(client.get("/evaluation/me").get_data(as_text=True))
    assert "qn-2022-ubnd" not in text
    if "Chưa có kết quả đánh giá." not in text:
        assert "Bồi dưỡng Chủ tịch UBND cấp xã" in text


def test_a_submitted_attempt_links_to_its_review(client, login_as, session, world, factory):
    from tests.fixtures import csrf_token
    from tests.quizzes.helpers import load_sample, make_quiz

    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=["kt-1"], attempts_allowed=3)
    session.commit()
    login_as(world.users["learner"])
    token = csrf_token(client, f"/quizzes/{quiz.public_id}")
    attempt_url = client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token}).headers[
        "Location"
    ]
    done = client.post(
        attempt_url, data={"action": "submit", "csrf_token": csrf_token(client, attempt_url + "/summary")}
    )
    review_path = done.headers["Location"]
    assert review_path.endswith("/review")
    page = client.get("/results/me").get_data(as_text=True)
    assert f'href="{review_path}"' in page and "Xem lại bài: Kiểm tra thử" in page
    assert client.get(review_path).status_code == 200
