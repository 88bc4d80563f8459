"""The quiz builder (lms/quizzes/builder.py and its pages): create, slots, order, points, the lock
once a quiz has attempts, validation, permissions and the previews."""

from __future__ import annotations

import datetime as dt
import decimal
import re

import pytest
from sqlalchemy import select

from lms.audit import AuditEntry
from lms.errors import Conflict, LmsError
from lms.quizzes import builder
from lms.quizzes.models import Attempt, Purpose, Question, Quiz
from lms.quizzes.services import start_attempt
from tests.fixtures import csrf_token
from tests.quizzes.helpers import NOW, load_sample

KT = "Xây dựng Đảng/Kiểm tra giám sát"


def settings(unit, **changes) -> builder.QuizSettings:
    values = {
        "title": "Kiểm tra thử",
        "code": "kiem-tra-thu",
        "purpose": Purpose.practice,
        "owner_unit_id": unit.id,
    }
    return builder.QuizSettings(**{**values, **changes})


@pytest.fixture()
def bank(session):
    return load_sample(session)


@pytest.fixture()
def quiz(session, world, bank):
    quiz = builder.create_quiz(session, world.users["instructor"], settings(world.province), NOW)
    session.commit()
    return quiz


def describe(quiz):
    return [s.question.code if s.question else f"?{s.category.path}" for s in quiz.slots]


def test_code_from_a_vietnamese_title():
    assert builder.code_from_title("Kiểm tra đầu vào — Khóa 1: Đảng ủy") == "kiem-tra-dau-vao-khoa-1-dang-uy"
    assert builder.code_from_title("!!!") == "bai-kiem-tra"


def test_create_add_fixed_and_random_reorder_points_remove(session, world, bank, quiz):
    actor = world.users["instructor"]
    assert quiz.slots == [] and quiz.version == 1
    added = builder.add_questions(session, actor, quiz, [bank["kt-1"], bank["kt-2"], bank["kt-1"]], NOW)
    assert [q.code for q in added] == ["kt-1", "kt-2"]  # a question is held once
    builder.add_random(session, actor, quiz, "Địa danh", 2, 2.5, NOW)
    session.commit()
    assert describe(quiz) == ["kt-1", "kt-2", "?Địa danh", "?Địa danh"]
    assert [s.position for s in quiz.slots] == [1, 2, 3, 4]
    assert builder.total_points(quiz) == 1 + 1 + 2.5 + 2.5

    # the two draws are one row ("Ngẫu nhiên 2 câu"): its tools act on both
    assert [(r.count, r.positions) for r in builder.rows(quiz)] == [(1, "1"), (1, "2"), (2, "3–4")]
    third = quiz.slots[2]
    assert builder.move_slot(session, actor, quiz, third.id, -1, NOW)
    assert builder.move_slot(session, actor, quiz, third.id, -1, NOW)
    assert not builder.move_slot(session, actor, quiz, third.id, -1, NOW)  # already first
    session.commit()
    assert describe(quiz) == ["?Địa danh", "?Địa danh", "kt-1", "kt-2"]

    assert builder.set_points(session, actor, quiz, quiz.slots[2].id, 3, NOW)  # kt-1
    assert builder.set_points(session, actor, quiz, quiz.slots[1].id, 0.5, NOW)  # both draws
    assert [s.points for s in quiz.slots] == [0.5, 0.5, 3, 1]
    with pytest.raises(LmsError, match="lớn hơn 0"):
        builder.set_points(session, actor, quiz, quiz.slots[2].id, 0, NOW)
    builder.remove_slot(session, actor, quiz, quiz.slots[3].id, NOW)  # kt-2
    session.commit()
    assert describe(quiz) == ["?Địa danh", "?Địa danh", "kt-1"]
    assert [s.position for s in quiz.slots] == [1, 2, 3]
    builder.remove_slot(session, actor, quiz, quiz.slots[0].id, NOW)  # the whole draw
    session.commit()
    assert describe(quiz) == ["kt-1"] and quiz.slots[0].position == 1 and quiz.slots[0].points == 3
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "quiz")).all()
    for action in (
        "quiz.created",
        "quiz.slots_added",
        "quiz.slot_moved",
        "quiz.slot_points",
        "quiz.slot_removed",
    ):
        assert action in actions


def test_random_count_cannot_exceed_the_category(session, world, bank, quiz):
    actor = world.users["instructor"]
    available = builder.drawable(session, quiz, "Địa danh")
    assert available >= 2
    with pytest.raises(LmsError, match="chỉ còn"):
        builder.add_random(session, actor, quiz, "Địa danh", available + 1, 1, NOW)
    builder.add_random(session, actor, quiz, "Địa danh", available, 1, NOW)
    with pytest.raises(LmsError, match="chỉ còn 0"):
        builder.add_random(session, actor, quiz, "Địa danh", 1, 1, NOW)
    # a parent category (no row of its own) counts its subcategories and can be drawn from
    in_kt = len([q for q in bank.values() if q.category.path == KT])
    assert ("Xây dựng Đảng", in_kt) in builder.category_counts(session)
    assert builder.drawable(session, quiz, "Xây dựng Đảng") == in_kt
    builder.add_random(session, actor, quiz, "Xây dựng Đảng", 1, 1, NOW)
    assert quiz.slots[-1].category.path == "Xây dựng Đảng"


def test_validation_messages(session, world, quiz):
    actor = world.users["instructor"]
    opens = dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.UTC)
    with pytest.raises(builder.SettingsRefused) as refused:
        builder.create_quiz(
            session,
            actor,
            settings(
                world.province,
                code="kiem-tra-thu",  # taken by the fixture's quiz
                pass_mark=decimal.Decimal("11"),
                attempts_allowed=-1,
                opens_at=opens,
                closes_at=opens,
            ),
            NOW,
        )
    errors = refused.value.errors
    assert "đã có bài kiểm tra khác" in errors["code"]
    assert set(errors) == {"code", "pass_mark", "attempts_allowed", "closes_at"}
    with pytest.raises(builder.SettingsRefused) as refused:
        builder.create_quiz(session, actor, settings(world.province, code="Có Dấu"), NOW)
    assert "chữ thường" in refused.value.errors["code"]


def test_with_attempts_the_slots_and_graded_settings_are_locked(session, world, factory, bank, quiz):
    actor = world.users["instructor"]
    builder.add_questions(session, actor, quiz, [bank["kt-1"], bank["kt-3"]], NOW)
    session.commit()
    learner = world.users["learner"]
    factory.profile(user=learner)
    start_attempt(session, learner, quiz, NOW)
    session.commit()
    for change in (
        lambda: builder.add_questions(session, actor, quiz, [bank["kt-2"]], NOW),
        lambda: builder.add_random(session, actor, quiz, "Địa danh", 1, 1, NOW),
        lambda: builder.move_slot(session, actor, quiz, quiz.slots[1].id, -1, NOW),
        lambda: builder.remove_slot(session, actor, quiz, quiz.slots[0].id, NOW),
        lambda: builder.set_points(session, actor, quiz, quiz.slots[0].id, 5, NOW),
    ):
        with pytest.raises(Conflict, match="đã có bài làm"):
            change()
    with pytest.raises(builder.SettingsRefused) as refused:
        builder.update_settings(
            session, actor, quiz, settings(world.province, pass_mark=decimal.Decimal("7")), NOW
        )
    assert set(refused.value.errors) == {"pass_mark"}
    # what only applies to later attempts is allowed, and makes a new version
    assert builder.update_settings(session, actor, quiz, settings(world.province, title="Tên mới"), NOW)
    assert quiz.version == 2 and quiz.title == "Tên mới"
    assert describe(quiz) == ["kt-1", "kt-3"]


def test_an_empty_quiz_cannot_be_started(session, world, factory, quiz):
    factory.profile(user=world.users["learner"])
    with pytest.raises(Conflict, match="chưa có câu hỏi"):
        start_attempt(session, world.users["learner"], quiz, NOW)


def test_a_change_clears_the_importers_digest(session, world, bank):
    from tests.quizzes.helpers import make_quiz

    quiz = make_quiz(session, world.province, codes=["kt-1"])
    assert quiz.settings_digest
    builder.add_questions(session, world.users["instructor"], quiz, [bank["kt-2"]], NOW)
    assert quiz.settings_digest == ""


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["learner", "other-unit instructor"])
def test_learner_and_instructor_of_another_unit_are_refused(
    client, login_as, session, world, factory, quiz, who
):
    if who == "learner":
        user = world.users["learner"]
    else:
        user = factory.user("instructor", world.commune_b, username="gv-xa-b")
        session.commit()
    slot_free = [
        f"/quizzes/manage/{quiz.public_id}/questions",
        f"/quizzes/manage/{quiz.public_id}/settings",
        f"/quizzes/manage/{quiz.public_id}/preview",
    ]
    login_as(user)
    for url in slot_free:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/quizzes" if who == "learner" else "/quizzes/manage/new")
    response = client.post(
        f"/quizzes/manage/{quiz.public_id}/questions/random",
        data={"csrf_token": token, "category": "Địa danh", "count": "1", "points": "1"},
    )
    assert response.status_code == 403
    assert not quiz.slots
    if who == "learner":
        assert client.get("/quizzes/manage/new").status_code == 403
    else:
        assert client.get("/quizzes/manage/nope/questions").status_code == 404
        # the unit select offers only the instructor's own subtree
        html = client.get("/quizzes/manage/new").get_data(as_text=True)
        assert "Xã B" in html and "Tỉnh Thử" not in html


def test_instructor_creates_a_quiz_on_the_web(client, login_as, session, world, bank):
    login_as(world.users["instructor"])
    page = client.get("/quizzes/manage").get_data(as_text=True)
    assert "Tạo bài kiểm tra" in page and "flask --app" not in page
    token = csrf_token(client, "/quizzes/manage/new")
    form = {
        "csrf_token": token,
        "title": "Kiểm tra đầu vào Đảng ủy",
        "code": "",
        "purpose": "practice",
        "program_code": "",
        "owner_unit_id": str(world.province.id),
        "attempts_allowed": "2",
        "grading_method": "highest",
        "pass_mark": "6,5",
        "opens_at": "2026-12-10T08:00",
        "closes_at": "2026-12-10T07:00",
        "navigation": "one_page",
        "review_score_immediately": "y",
    }
    refused = client.post("/quizzes/manage/new", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Thời điểm đóng phải sau thời điểm mở." in html
    assert 'value="Kiểm tra đầu vào Đảng ủy"' in html  # what was typed is kept
    form["closes_at"] = "2026-12-10T10:00"
    created = client.post("/quizzes/manage/new", data=form)
    assert created.status_code == 302
    quiz = session.scalar(select(Quiz).where(Quiz.code == "kiem-tra-dau-vao-dang-uy"))
    assert quiz.pass_mark == decimal.Decimal("6.50") and quiz.attempts_allowed == 2
    assert quiz.opens_at == dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.UTC)  # 08:00 in Vietnam
    assert (quiz.review_score_when, quiz.review_right_answers_when, quiz.review_feedback_when) == (1, 0, 0)

    questions = client.get(f"/quizzes/manage/{quiz.public_id}/questions?category={KT}").get_data(as_text=True)
    assert "kt-1" in questions and "Thêm các câu đã chọn" in questions
    ids = [bank["kt-1"].public_id, bank["kt-3"].public_id]
    client.post(
        f"/quizzes/manage/{quiz.public_id}/questions/add", data={"csrf_token": token, "question": ids}
    )
    too_many = client.post(
        f"/quizzes/manage/{quiz.public_id}/questions/random",
        data={"csrf_token": token, "category": "Địa danh", "count": "99", "points": "1"},
    )
    assert too_many.status_code == 400 and "chỉ còn" in too_many.get_data(as_text=True)
    bad_points = client.post(
        f"/quizzes/manage/{quiz.public_id}/slots/{quiz.slots[0].id}/points",
        data={"csrf_token": token, "points": "-2"},
    )
    assert bad_points.status_code == 400 and 'value="-2"' in bad_points.get_data(as_text=True)
    page = client.get(f"/quizzes/manage/{quiz.public_id}/questions").get_data(as_text=True)
    assert "2 câu · tổng 2,00 điểm" in page


def test_question_preview_grades_without_storing(client, login_as, session, world, bank):
    login_as(world.users["instructor"])
    question = bank["kt-1"]
    url = f"/quizzes/bank/{question.public_id}/preview"
    html = client.get(url).get_data(as_text=True)
    assert "Cơ quan nào có thẩm quyền" in html and 'name="q1"' in html and "Kiểm tra" in html
    assert "Đúng theo Điều lệ" not in html  # no feedback before an answer
    token = csrf_token(client, url)
    # the author's order: shown choice 0 is the first written (right), 1 the second
    checked = client.post(url, data={"csrf_token": token, "q1": "0"}).get_data(as_text=True)
    assert "Trả lời đúng" in checked and "Đúng theo Điều lệ" in checked
    wrong = client.post(url, data={"csrf_token": token, "q1": "1"}).get_data(as_text=True)
    assert "Trả lời sai" in wrong and "HĐND không kiểm tra đảng viên" in wrong
    assert re.search(r'value="1"\s+checked', wrong)  # the answer given stays chosen
    assert session.scalar(select(Attempt.id)) is None
    assert f"/quizzes/bank/{question.public_id}/preview" in client.get(
        "/quizzes/bank?category=" + KT
    ).get_data(as_text=True)


def test_quiz_preview_draws_without_storing(client, login_as, session, world, bank, quiz):
    builder.add_questions(session, world.users["instructor"], quiz, [bank["kt-3"]], NOW)
    builder.add_random(session, world.users["instructor"], quiz, "Địa danh", 1, 1, NOW)
    session.commit()
    login_as(world.users["instructor"])
    html = client.get(f"/quizzes/manage/{quiz.public_id}/preview").get_data(as_text=True)
    assert "Ủy ban Kiểm tra do đại hội bầu ra." in html and "Câu 2" in html
    assert session.scalar(select(Attempt.id)) is None
    assert session.scalar(select(Question.id).limit(1)) is not None


def test_no_page_tells_an_instructor_to_run_a_flask_command(client, login_as, world, bank):
    login_as(world.users["instructor"])
    for url in ("/quizzes/manage", "/quizzes/bank/new", "/quizzes/bank"):
        html = client.get(url).get_data(as_text=True)
        assert "flask --app" not in html, url
    assert 'href="/quizzes/bank/import"' in client.get("/quizzes/bank/new").get_data(as_text=True)


def test_a_quiz_without_questions_is_not_listed_for_learners(client, login_as, session, world, bank, quiz):
    login_as(world.users["learner"])
    assert quiz.title not in client.get("/quizzes").get_data(as_text=True)
    builder.add_questions(session, world.users["instructor"], quiz, [bank["kt-1"]], NOW)
    session.commit()
    assert quiz.title in client.get("/quizzes").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "shown"), [("vi", 'value="6,5"'), ("en", 'value="6.5"')])
def test_settings_form_shows_the_pass_mark_as_the_reader_writes_it(
    client, login_as, session, world, quiz, lang, shown
):
    """The pass mark goes back into the form with the reader's decimal sign (the field reads
    either): "6,5" on a Vietnamese page, "6.5" on an English one (English pages read "6,5")."""
    quiz.pass_mark = decimal.Decimal("6.50")
    session.commit()
    login_as(world.users["instructor"])
    with client.session_transaction() as s:
        s["lang"] = lang
    html = client.get(f"/quizzes/manage/{quiz.public_id}/settings").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="pass_mark"[^>]*' + re.escape(shown), html) or re.search(
        re.escape(shown) + r'[^>]*name="pass_mark"', html
    ), re.findall(r"<input[^>]*pass_mark[^>]*>", html)
