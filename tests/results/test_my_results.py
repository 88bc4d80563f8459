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
    assert "Tiến bộ: +1,83 điểm" in text
    assert "Trước khi học (đầu vào): 5,00/10 → sau khi học (đầu ra): 6,83/10" in text
    assert (
        "điểm bài kiểm tra đầu ra (làm sau khi học) trừ điểm bài kiểm tra đầu vào (làm trước khi học)" in text
    )
    assert "Đầu vào: entrance None, 02/03/2026" in text
    assert "Đầu ra: exit None, 20/03/2026" in text


def test_negative_gain_is_worded_neutrally(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world, exit_score=3.17))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert "Sau khi học thấp hơn trước khi học 1,83 điểm" in text
    assert "Trước khi học (đầu vào): 5,00/10 → sau khi học (đầu ra): 3,17/10" in text
    assert "Đồng chí nên đọc lại nội dung này" in text
    assert "-1,83" not in text and "-1.83" not in text


def test_gain_with_one_test_says_which_is_missing(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world, exit_score=None))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert "đồng chí chưa có kết quả bài kiểm tra đầu ra (làm sau khi học)" in text
    assert "Tiến bộ:" not in text


def _learner_with_topic_results(factory, session, world):
    """Entrance and exit of one topic (qn-ubnd-1) of the program: the gain is per topic."""
    from lms.programs.models import Topic, TopicKind, TopicVersion, VersionStatus

    learner = world.users["learner"]
    cadre = factory.profile(user=learner)
    session.add(Program(code="qn-2022-ubnd", title="Bồi dưỡng Chủ tịch UBND cấp xã", duration_days=5))
    topic = Topic(code="qn-ubnd-1")
    common = dict(kind=TopicKind.common, field="qlnn", hours=4)
    topic.versions = [
        TopicVersion(version=1, status=VersionStatus.published, title="Tiếp công dân (bản cũ)", **common),
        TopicVersion(
            version=2, status=VersionStatus.published, title="Tiếp công dân của Chủ tịch UBND xã", **common
        ),
        TopicVersion(version=3, status=VersionStatus.draft, title="Bản nháp chưa duyệt", **common),
    ]
    session.add(topic)
    session.flush()
    for purpose, score, when in (("entrance", 4.5, ENTRANCE_DAY), ("exit", 8.875, EXIT_DAY)):
        row = result(session, cadre, purpose, score, topic="qn-ubnd-1", program="qn-2022-ubnd", when=when)
        row.source_title = f"Kiểm tra {purpose} chuyên đề"  # the helper's title carries the code
    session.commit()
    return learner


def test_topic_gain_names_the_topic_and_its_program_not_the_code(client, factory, session, world):
    login(client, _learner_with_topic_results(factory, session, world))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert "qn-ubnd-1" not in text and "qn-2022-ubnd" not in text
    assert "Tiếp công dân của Chủ tịch UBND xã" in text  # the latest published title
    assert "Bản nháp chưa duyệt" not in text and "(bản cũ)" not in text
    assert "Chuyên đề của chương trình: Bồi dưỡng Chủ tịch UBND cấp xã" in text
    assert "Tiến bộ: +4,38 điểm" in text  # 8,88 − 4,50
    assert "Trước khi học (đầu vào): 4,50/10 → sau khi học (đầu ra): 8,88/10" in text
    assert not DOT_DECIMAL.findall(text)


def test_evaluation_page_names_the_topic_of_a_gain(client, factory, session, world):
    from lms.evaluation.models import EvaluationRecord

    learner = _learner_with_topic_results(factory, session, world)
    records = session.query(EvaluationRecord).all()
    for record in records:
        record.gains = '{"qn-ubnd-1": "4.38"}'
    session.commit()
    login(client, learner)
    text = _visible_text(client.get("/evaluation/me").get_data(as_text=True))
    assert records, "recording the results computes the cadre's evaluation record"
    assert "qn-ubnd-1" not in text
    assert "Tiếp công dân của Chủ tịch UBND xã +4,38" in text
    assert " ." not in text  # the total is not followed by a stray full stop on its own line


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
SPACED_PERCENT = re.compile(r"\d\s%")  # CLDR's Vietnamese "#,##0%": the sign right after the number


def test_vietnamese_page_has_no_dot_decimal_or_spaced_percent(client, factory, session, world):
    login(client, _learner_with_results(factory, session, world))
    text = _visible_text(client.get("/results/me").get_data(as_text=True))
    assert not DOT_DECIMAL.findall(text)
    assert not SPACED_PERCENT.findall(text)


def test_number_helper_formats_by_locale(app):
    from flask import session

    from lms.web import _vnnumber, _vnpercent, _vnpercent_text

    with app.test_request_context():
        assert _vnnumber("8.875") == "8,88"
        assert _vnnumber(-1.83, signed=True) == "-1,83"
        assert _vnnumber(1.83, signed=True) == "+1,83"
        assert _vnnumber(7) == "7,00"
        assert _vnnumber("7.00", trim=True) == "7" and _vnnumber(2.5, trim=True) == "2,5"
        assert _vnpercent(87.5) == "87,5%"
        assert _vnpercent(30.000000000000004, 0) == "30%"
        assert _vnpercent_text("chuyên cần 0% < 100% yêu cầu") == "chuyên cần 0% < 100% yêu cầu"
    with app.test_request_context():
        session["lang"] = "en"
        assert _vnpercent(87.5) == "87.5%"


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
