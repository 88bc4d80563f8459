"""The learner's way through a program: the course lists its own tests and scenarios in order
(entrance → topics → scenarios → exit); the quiz list shows only the programs the learner is
enrolled in, grouped and ordered; a quiz opens on an intro page and only a POST starts it."""

import re

import pytest
from sqlalchemy import func, select

from lms.quizzes.models import Attempt
from tests.fixtures import csrf_token
from tests.quizzes.helpers import load_sample, make_quiz
from tests.scenarios.helpers import import_good

CODES = ["kt-1", "kt-2", "kt-3"]


@pytest.fixture()
def quizzes(session, world, course):
    """An exit and an entrance test of the learner's program p-ubnd, one of a program that
    exists but the learner is not enrolled in, and one of no program."""
    from lms.programs.models import Program

    load_sample(session)
    session.add(Program(code="p-khac", title="Chương trình khác", duration_days=3))
    made = {
        "exit": make_quiz(
            session,
            world.province,
            codes=CODES,
            code="p-exit",
            title="Đầu ra P",
            purpose="exit",
            program_code="p-ubnd",
            time_limit_minutes=20,
            attempts_allowed=1,
        ),
        "entrance": make_quiz(
            session,
            world.province,
            codes=CODES,
            code="p-entr",
            title="Đầu vào P",
            purpose="entrance",
            program_code="p-ubnd",
            time_limit_minutes=15,
            attempts_allowed=1,
        ),
        "foreign": make_quiz(
            session,
            world.province,
            codes=CODES,
            code="k-entr",
            title="Đầu vào chương trình khác",
            program_code="p-khac",
        ),
        "loose": make_quiz(
            session,
            world.province,
            codes=CODES,
            code="tu-do",
            title="Luyện tập tự do",
            purpose="practice",
            program_code=None,
        ),
    }
    import_good(session, world.province)  # a scenario for target group ubnd
    session.commit()
    return made


def test_course_lists_its_tests_and_scenarios_in_order(client, login_as, world, course, quizzes):
    login_as(world.users["learner"])
    page = client.get("/my/training").get_data(as_text=True)
    order = [
        "1. Kiểm tra đầu vào",
        "Đầu vào P",
        "2. Các chuyên đề",
        "3. Xử lý tình huống",
        "4. Kiểm tra cuối khóa",
        "Đầu ra P",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions), positions
    assert "Đầu vào chương trình khác" not in page and "Luyện tập tự do" not in page
    assert f'href="/quizzes/{quizzes["entrance"].public_id}"' in page  # to the intro, not a start button
    assert "15 phút · còn 1/1 lượt · Chưa làm" in page
    assert re.search(r'href="/scenarios/[^"]+">[^<]+</a>', page.split("3. Xử lý tình huống")[1])


def test_quiz_list_groups_by_program_and_hides_other_programs(client, login_as, world, course, quizzes):
    login_as(world.users["learner"])
    page = client.get("/quizzes").get_data(as_text=True)
    assert "Đầu vào chương trình khác" not in page
    assert page.index(course.program.title) < page.index("Đầu vào P") < page.index("Đầu ra P")
    assert page.index("Đầu ra P") < page.index("Bài kiểm tra khác") < page.index("Luyện tập tự do")
    assert 'action="/quizzes/' not in page  # no one-tap start from the list


def test_intro_explains_and_only_a_post_starts_the_timer(client, login_as, world, course, quizzes, session):
    login_as(world.users["learner"])
    quiz = quizzes["entrance"]
    page = client.get(f"/quizzes/{quiz.public_id}").get_data(as_text=True)
    for text in (
        "15 phút, tính từ lúc bấm",
        "1 lần; đồng chí còn 1 lần",
        "Khi hết giờ, bài được nộp tự động",
        "Mỗi lần bấm “Bắt đầu làm bài” dùng một lượt làm",
    ):
        assert text in page, text
    assert session.scalar(select(func.count(Attempt.id))) == 0  # reading the intro starts nothing
    token = csrf_token(client, f"/quizzes/{quiz.public_id}")
    assert client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token}).status_code == 302
    assert session.scalar(select(func.count(Attempt.id))) == 1
    page = client.get(f"/quizzes/{quiz.public_id}").get_data(as_text=True)
    assert "Tiếp tục làm bài" in page and 'action="/quizzes/' not in page


def test_course_and_quiz_list_show_a_score_with_two_decimals_in_the_readers_language(
    client, login_as, world, course, quizzes, session
):
    """A finished test's score reads as every score on the 10-point scale does: "Điểm: 6,70/10"
    on a Vietnamese page, "Score: 6.70/10" on an English one (it used to drop trailing zeros and
    force a comma: "6,7", and "6,7" in English too)."""
    import datetime as dt
    import decimal

    from lms.quizzes import services

    learner, at = world.users["learner"], dt.datetime.now(dt.UTC)
    attempt = services.start_attempt(session, learner, quizzes["entrance"], at)
    services.submit_attempt(session, attempt, at)
    attempt.score = decimal.Decimal("6.70")  # a score with two decimals, as graded
    session.commit()
    login_as(learner)
    page = client.get("/my/training").get_data(as_text=True)
    assert "Điểm: 6,70/10" in page, page
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/my/training")})
    page = client.get("/my/training").get_data(as_text=True)
    assert "Score: 6.70/10" in page, page
