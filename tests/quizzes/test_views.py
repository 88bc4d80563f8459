import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.quizzes.models import Attempt, AttemptAnswer, AttemptState
from tests.fixtures import csrf_token
from tests.quizzes.helpers import load_sample, make_quiz

CODES = ["kt-1", "kt-2", "kt-3", "dd-1", "dd-2", "dd-3", "dd-4"]


@pytest.fixture()
def quiz(session, world, factory):
    load_sample(session)
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(session, world.commune_a, codes=CODES, time_limit_minutes=30, attempts_allowed=3)
    session.commit()
    return quiz


def start(client, quiz):
    token = csrf_token(client, "/quizzes")
    response = client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_every_quiz_route_declares_a_permission(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("quizzes."):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "lms_permission", None), rule.endpoint


def test_learner_takes_quiz_without_ever_seeing_keys(client, login_as, world, quiz, session):
    login_as(world.users["learner"])
    listing = client.get("/quizzes").get_data(as_text=True)
    assert quiz.title in listing and "Bắt đầu làm bài" in listing
    public_id = start(client, quiz)
    page = client.get(f"/quizzes/attempts/{public_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nộp bài" in html and "Hạn nộp bài" in html
    for secret in (
        "fraction",
        "Đúng theo Điều lệ",
        "Xem Điều lệ Đảng",
        "4 điểm nêu đúng",
        'cấp xã" selected',
    ):
        assert secret not in html
    assert 'name="q1"' in html and "js/quiz.js" in html
    assert 'value="c1"' not in html  # stored choice ids (author order) are never shown
    # starting again resumes the same attempt
    assert start(client, quiz) == public_id
    assert session.scalar(select(Attempt).where(Attempt.public_id == public_id)).number == 1


def slot_positions(session, public_id):
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    return {slot.version.question.code: slot.position for slot in attempt.slots}


def attempt_id(session, public_id):
    return session.scalar(select(Attempt.id).where(Attempt.public_id == public_id))


def shown(session, public_id, code, choice_id):
    """The value the page uses for a stored choice id (its display position)."""
    from lms.quizzes.qtypes import get_type

    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    slot = next(s for s in attempt.slots if s.version.question.code == code)
    return str(get_type(slot.version.qtype, slot.version.data).shown_ids(slot.order).index(choice_id))


def test_json_autosave_sequence_and_csrf(client, login_as, world, quiz, session):
    login_as(world.users["learner"])
    public_id = start(client, quiz)
    pos = slot_positions(session, public_id)["kt-1"]
    token = csrf_token(client, f"/quizzes/attempts/{public_id}")
    url = f"/quizzes/attempts/{public_id}/save"

    def send(choice, seq, headers=None):
        value = shown(session, public_id, "kt-1", choice)
        body = {"answers": {str(pos): {"fields": {f"q{pos}": [value]}, "seq": seq}}}
        return client.post(url, json=body, headers=headers if headers is not None else {"X-CSRFToken": token})

    assert send("c1", 5, headers={}).status_code == 400  # no CSRF token
    ok = send("c1", 5)
    assert ok.status_code == 200 and ok.get_json()["saved"] == [pos] and ok.get_json()["remaining"] > 0
    assert send("c2", 4).status_code == 200  # older: accepted, ignored
    html = client.get(f"/quizzes/attempts/{public_id}").get_data(as_text=True)
    assert re.search(rf'name="q{pos}" value="{shown(session, public_id, "kt-1", "c1")}"\s+checked', html)
    answer = session.get(AttemptAnswer, (attempt_id(session, public_id), pos))
    assert answer.response == {"choice": "c1"} and answer.seq == 5
    bad = client.post(url, data="nope", headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert bad.status_code == 400
    assert (
        client.post(
            url, json={"answers": {"99": {"fields": {}, "seq": 1}}}, headers={"X-CSRFToken": token}
        ).status_code
        == 400
    )
    assert (
        client.post(
            url, json={"answers": {"1": {"fields": {}, "seq": "x"}}}, headers={"X-CSRFToken": token}
        ).status_code
        == 400
    )


def test_plain_form_save_then_double_submit_and_review(client, login_as, world, quiz, session):
    login_as(world.users["learner"])
    public_id = start(client, quiz)
    pos = slot_positions(session, public_id)
    token = csrf_token(client, f"/quizzes/attempts/{public_id}")
    form = {
        "csrf_token": token,
        "positions": [str(p) for p in pos.values()],
        f"q{pos['kt-1']}": shown(session, public_id, "kt-1", "c1"),
        f"q{pos['dd-1']}": "Hà Nội",
        "action": "save",
    }
    response = client.post(f"/quizzes/attempts/{public_id}", data=form)
    assert response.status_code == 302
    form["action"] = "submit"
    first = client.post(f"/quizzes/attempts/{public_id}", data=form)
    assert first.headers["Location"].endswith("/review")
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    session.refresh(attempt)
    finished_at, score = attempt.finished_at, attempt.score
    second = client.post(f"/quizzes/attempts/{public_id}", data=form)
    assert second.status_code == 302 and second.headers["Location"].endswith("/review")
    session.refresh(attempt)
    assert (attempt.finished_at, attempt.score) == (finished_at, score)
    review = client.get(f"/quizzes/attempts/{public_id}/review").get_data(as_text=True)
    assert "Chưa đạt" in review  # an empty essay scores 0 at once: nothing to wait for
    assert "Đáp án đúng" not in review  # review option right_answers is off
    late = client.post(
        f"/quizzes/attempts/{public_id}/save",
        headers={"X-CSRFToken": token},
        json={"answers": {"1": {"fields": {}, "seq": 9999999999999}}},
    )
    assert late.status_code == 409 and late.get_json()["state"] == "closed"


def test_overdue_attempt_closed_lazily_on_page_load(client, login_as, world, quiz, session):
    login_as(world.users["learner"])
    public_id = start(client, quiz)
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    attempt.deadline = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    session.commit()
    response = client.get(f"/quizzes/attempts/{public_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    session.refresh(attempt)
    assert attempt.state is AttemptState.finished and attempt.outcome == "timeout"


def test_other_learner_cannot_open_attempt_by_url(client, login_as, world, quiz, factory, session):
    login_as(world.users["learner"])
    public_id = start(client, quiz)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/quizzes")})
    login_as(world.learner_b)
    assert client.get(f"/quizzes/attempts/{public_id}").status_code == 403
    assert client.get(f"/quizzes/attempts/{public_id}/review").status_code == 403
    token = csrf_token(client, "/quizzes")
    assert (
        client.post(
            f"/quizzes/attempts/{public_id}/save", json={"answers": {}}, headers={"X-CSRFToken": token}
        ).status_code
        == 403
    )
    # the quiz belongs to commune A: learner B neither sees nor starts it
    assert quiz.title not in client.get("/quizzes").get_data(as_text=True)
    assert client.post(f"/quizzes/{quiz.public_id}/start", data={"csrf_token": token}).status_code == 403
    assert client.get("/quizzes/attempts/doesnotexist").status_code == 404


def test_learner_cannot_reach_staff_pages(client, login_as, world, quiz):
    login_as(world.users["learner"])
    for url in (
        "/quizzes/manage",
        f"/quizzes/manage/{quiz.public_id}",
        "/quizzes/grading",
        f"/quizzes/manage/{quiz.public_id}/stats",
        f"/quizzes/manage/{quiz.public_id}/results.csv",
        "/quizzes/bank",
    ):
        assert client.get(url).status_code == 403, url


def finish_one(client, login_as, world, quiz, session, essay="Bài viết"):
    login_as(world.users["learner"])
    public_id = start(client, quiz)
    pos = slot_positions(session, public_id)
    token = csrf_token(client, f"/quizzes/attempts/{public_id}")
    client.post(
        f"/quizzes/attempts/{public_id}",
        data={
            "csrf_token": token,
            "positions": [str(p) for p in pos.values()],
            f"q{pos['kt-1']}": shown(session, public_id, "kt-1", "c1"),
            f"q{pos['dd-4']}": essay,
            "action": "submit",
        },
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/quizzes")})
    return public_id, pos


def test_instructor_grades_essay_and_exports(client, login_as, world, quiz, session):
    public_id, pos = finish_one(client, login_as, world, quiz, session)
    login_as(world.users["instructor"])
    queue = client.get("/quizzes/grading").get_data(as_text=True)
    assert quiz.title in queue
    url = f"/quizzes/grading/{public_id}/{pos['dd-4']}"
    page = client.get(url).get_data(as_text=True)
    assert "Bài viết" in page and "4 điểm nêu đúng" in page
    token = csrf_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "points": "7", "comment": ""})
    refused = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Điểm phải" in refused  # refused in place, never a 200
    assert 'id="error-summary"' in refused and 'href="#points"' in refused
    assert client.post(url, data={"csrf_token": token, "points": "abc"}).status_code == 400
    good = client.post(url, data={"csrf_token": token, "points": "1", "comment": "Tốt"})
    assert good.status_code == 302
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    session.refresh(attempt)
    assert not attempt.pending and attempt.points == 2
    review = client.get(f"/quizzes/attempts/{public_id}/review").get_data(as_text=True)
    assert "Đáp án đúng" in review and "Tốt" in review  # staff see everything
    csv_body = client.get(f"/quizzes/manage/{quiz.public_id}/results.csv")
    assert csv_body.status_code == 200 and csv_body.data.startswith("\ufeff".encode())
    assert "Nguyễn Văn An" in csv_body.data.decode("utf-8-sig")
    xlsx = client.get(f"/quizzes/manage/{quiz.public_id}/results.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(3, 1).value == "Nguyễn Văn An"
    assert client.get(f"/quizzes/manage/{quiz.public_id}/results.pdf").status_code == 404
    stats = client.get(f"/quizzes/manage/{quiz.public_id}/stats")
    assert stats.status_code == 200 and "Cronbach" in stats.get_data(as_text=True)
    assert quiz.title in client.get("/quizzes/manage").get_data(as_text=True)


def test_board_of_other_commune_is_out_of_scope(client, login_as, world, quiz, factory, session):
    other = factory.user("board", world.commune_b, username="board-b")
    session.commit()
    login_as(other)
    assert client.get(f"/quizzes/manage/{quiz.public_id}").status_code == 403
    assert client.get(f"/quizzes/manage/{quiz.public_id}/results.csv").status_code == 403
    assert quiz.title not in client.get("/quizzes/manage").get_data(as_text=True)


def test_override_form(client, login_as, world, quiz, session):
    login_as(world.users["instructor"])
    url = f"/quizzes/manage/{quiz.public_id}"
    token = csrf_token(client, url)
    response = client.post(
        url + "/override",
        data={
            "csrf_token": token,
            "username": "learner-w",
            "time_limit_minutes": "60",
            "attempts_allowed": "5",
        },
    )
    assert response.status_code == 302
    from lms.quizzes.services import rules_for

    rules = rules_for(session, quiz, world.users["learner"])
    assert rules.time_limit_minutes == 60 and rules.attempts_allowed == 5
    unknown = client.post(
        url + "/override", data={"csrf_token": token, "username": "ai-do"}, follow_redirects=True
    )
    assert "Không có học viên" in unknown.get_data(as_text=True)
    bad = client.post(
        url + "/override",
        data={"csrf_token": token, "username": "learner-w", "attempts_allowed": "-3"},
        follow_redirects=True,
    )
    assert "chưa hợp lệ" in bad.get_data(as_text=True)


def test_bank_edit_and_key_correction(client, login_as, world, quiz, session):
    public_id, pos = finish_one(client, login_as, world, quiz, session)
    login_as(world.users["instructor"])
    assert "Kiểm tra giám sát" in client.get("/quizzes/bank").get_data(as_text=True)
    from lms.quizzes.models import Question

    question = session.scalar(select(Question).where(Question.code == "kt-1"))
    url = f"/quizzes/bank/{question.public_id}"
    page = client.get(url).get_data(as_text=True)
    assert "::kt-1::" in page
    token = csrf_token(client, url)
    fixed = (
        "::kt-1::[html]Cơ quan nào có thẩm quyền kiểm tra đảng viên ở xã?{"
        "~Ủy ban Kiểm tra Đảng ủy xã =Hội đồng nhân dân xã ~Mặt trận Tổ quốc xã}"
    )
    broken = "::kt-1::Thiếu dấu đóng{=a ~b"
    bad = client.post(url, data={"csrf_token": token, "gift": broken, "action": "save"})
    assert "câu hỏi:1:" in bad.get_data(as_text=True)
    wrong_code = client.post(url, data={"csrf_token": token, "gift": "::khac::Câu{T}", "action": "save"})
    assert "Cần đúng một câu hỏi" in wrong_code.get_data(as_text=True)
    reordered = fixed.replace(
        "~Ủy ban Kiểm tra Đảng ủy xã =Hội đồng nhân dân xã",
        "=Hội đồng nhân dân xã ~Ủy ban Kiểm tra Đảng ủy xã",
    )
    refused = client.post(url, data={"csrf_token": token, "gift": reordered, "action": "correct_key"})
    assert refused.status_code == 200 and "giữ nguyên các phương án" in refused.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": token, "gift": fixed, "action": "correct_key"})
    assert response.status_code == 200 and "Kết quả chấm lại" in response.get_data(as_text=True)
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    session.refresh(attempt)
    slot = next(s for s in attempt.slots if s.position == pos["kt-1"])
    session.refresh(slot)
    assert slot.fraction == 0.0  # the learner chose c1, no longer right
    saved = client.post(
        url, data={"csrf_token": token, "gift": fixed.replace("ở xã?", "ở cấp xã?"), "action": "save"}
    )
    assert saved.status_code == 302
    session.refresh(question)
    assert question.latest.version == 2


def test_learner_without_profile_sees_clear_message(client, login_as, world, quiz, session):
    from lms.quizzes.services import QuizInput, save_quiz
    from tests.quizzes.helpers import NOW

    other = save_quiz(
        session,
        None,
        QuizInput(
            code="b", title="Quiz B", purpose="exit", owner_unit=world.commune_b, questions=[("kt-1", 1.0)]
        ),
        NOW,
    )[0]
    session.commit()
    login_as(world.learner_b)
    token = csrf_token(client, "/quizzes")
    response = client.post(f"/quizzes/{other.public_id}/start", data={"csrf_token": token})
    assert response.status_code == 409 and "hồ sơ cán bộ" in response.get_data(as_text=True)


def test_paged_navigation(client, login_as, world, session, factory):
    from tests.quizzes.helpers import single

    for n in range(7):
        single(session, code=f"pg{n}")
    factory.profile(user=world.users["learner"])
    quiz = make_quiz(
        session, world.province, code="paged", codes=[f"pg{n}" for n in range(7)], navigation="paged"
    )
    session.commit()
    login_as(world.users["learner"])
    public_id = start(client, quiz)
    first = client.get(f"/quizzes/attempts/{public_id}").get_data(as_text=True)
    assert "Trang 1 / 2" in first and 'name="q6"' not in first
    token = csrf_token(client, f"/quizzes/attempts/{public_id}")
    moved = client.post(
        f"/quizzes/attempts/{public_id}",
        data={"csrf_token": token, "positions": ["1"], "q1": "0", "goto": "2", "page": "1"},
    )
    assert moved.headers["Location"].endswith("page=2")
    assert 'name="q6"' in client.get(moved.headers["Location"]).get_data(as_text=True)
    assert json.dumps  # keep import used


def test_board_in_scope_sees_stats_but_cannot_export(client, login_as, world, quiz):
    login_as(world.board_a)
    assert client.get(f"/quizzes/manage/{quiz.public_id}/stats").status_code == 200
    assert client.get(f"/quizzes/manage/{quiz.public_id}/results.csv").status_code == 403


def test_autosave_json_never_carries_keys(client, login_as, world, quiz, session):
    login_as(world.users["learner"])
    public_id = start(client, quiz)
    token = csrf_token(client, f"/quizzes/attempts/{public_id}")
    body = client.post(
        f"/quizzes/attempts/{public_id}/save",
        headers={"X-CSRFToken": token},
        json={"answers": {"1": {"fields": {"q1": ["0"]}, "seq": 3}}},
    ).get_json()
    assert set(body) == {"state", "saved", "remaining"}


def test_closed_quiz_reopened_for_one_learner_by_override(client, login_as, world, quiz, session):
    from lms.quizzes.services import set_override

    quiz.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    set_override(
        session,
        None,
        quiz,
        world.users["learner"],
        time_limit_minutes=None,
        attempts_allowed=None,
        closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        now=dt.datetime.now(dt.UTC),
    )
    session.commit()
    login_as(world.users["learner"])
    assert "Bắt đầu làm bài" in client.get("/quizzes").get_data(as_text=True)
    start(client, quiz)


def test_quiz_list_query_count_does_not_grow_with_quizzes(client, login_as, world, quiz, session, connection):
    from sqlalchemy import event

    login_as(world.users["learner"])
    start(client, quiz)

    def count_queries():
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        try:
            assert client.get("/quizzes").status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        return len(seen)

    few = count_queries()
    assert few > 0
    for n in range(5):
        make_quiz(session, world.province, code=f"them-{n}", codes=["kt-1"])
    session.commit()
    assert count_queries() == few


def test_grade_form_accepts_zero_and_the_vietnamese_comma(app):
    from werkzeug.datastructures import MultiDict

    from lms.quizzes.forms import GradeForm

    def points(raw):
        with app.test_request_context():
            form = GradeForm(formdata=MultiDict({"points": raw}), meta={"csrf": False})
            return form.validate(), form.points.data

    assert points("0") == (True, 0)
    ok, value = points("0,5")
    assert ok and float(value) == 0.5
    assert points("-1")[0] is False and points("")[0] is False


def test_question_texts_are_marked_vietnamese_on_an_english_page(client, login_as, world, quiz):
    """Question texts and choices are content, written in Vietnamese: on an English page they
    carry lang="vi" (a screen reader reads them in Vietnamese), the page's own words do not."""
    login_as(world.users["learner"])
    with client.session_transaction() as s:
        s["lang"] = "en"
    html = client.get(f"/quizzes/attempts/{start(client, quiz)}").get_data(as_text=True)
    assert '<html lang="en"' in html
    texts = re.findall(r'<div class="qtext"( lang="vi")?>', html)
    assert texts and all(texts), texts
    # the choices of a single or multiple choice question are content; True/False are the page's
    marked = html.count('<div class="choices" lang="vi">')
    plain = re.findall(r'<div class="choices">(.*?)</div>', html, re.S)
    assert marked >= 1, html[:2000]
    assert all('value="true"' in block and "True" in block for block in plain), plain
