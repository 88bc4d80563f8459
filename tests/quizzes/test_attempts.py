import datetime as dt
import decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.audit import AuditEntry
from lms.errors import Conflict
from lms.quizzes import attempts, services
from lms.quizzes.models import Attempt, AttemptState, QuestionVersion
from lms.quizzes.qtypes import get_type
from lms.quizzes.services import QuestionInput, save_question
from lms.results.models import Result
from tests.quizzes.helpers import NOW, load_sample, make_quiz, single

ALL = ["kt-1", "kt-2", "kt-3", "dd-1", "dd-2", "dd-3", "dd-4"]


@pytest.fixture()
def setup(session, world, factory):
    questions = load_sample(session)
    learner = world.users["learner"]
    factory.profile(user=learner)
    quiz = make_quiz(session, world.province, codes=ALL, time_limit_minutes=30, attempts_allowed=2)
    return quiz, learner, questions


def fields_for(attempt, answers):
    """answers: code -> stored choice ids / values (or dict of sub-fields), sent as the page would."""
    fields, positions = {}, []
    for slot in attempt.slots:
        code = slot.version.question.code
        if code not in answers:
            continue
        positions.append(slot.position)
        value = answers[code]
        if isinstance(value, dict):
            for sub, v in value.items():
                fields[f"q{slot.position}-{sub}"] = [v]
            continue
        values = value if isinstance(value, list) else [value]
        if slot.version.qtype in ("single", "multi"):
            shown = get_type(slot.version.qtype, slot.version.data).shown_ids(slot.order)
            values = [str(shown.index(v)) for v in values]
        fields[f"q{slot.position}"] = values
    return fields, positions


def save(session, attempt, fields, positions, seq, now):
    return services.save_answers(session, attempt, [(p, fields, seq) for p in positions], now)


RIGHT = {
    "kt-1": "c1",
    "kt-2": ["c1", "c2"],
    "kt-3": "false",
    "dd-1": "ha noi",
    "dd-2": "5",
    "dd-3": {"p1": "cấp xã", "p2": "cấp tỉnh"},
    "dd-4": "Bài viết tự luận.",
}


def test_full_flow_with_essay_pending_then_graded(session, setup, world):
    quiz, learner, _ = setup
    attempt = services.start_attempt(session, learner, quiz, NOW)
    assert attempt.deadline == NOW + dt.timedelta(minutes=30)
    fields, positions = fields_for(attempt, RIGHT)
    save(session, attempt, fields, positions, 1, NOW)
    done = services.submit_attempt(session, attempt, NOW + dt.timedelta(minutes=5))
    assert done.state is AttemptState.finished and done.outcome == "submitted"
    assert done.pending and done.points == 6 and done.max_points == 7
    result = session.scalar(select(Result).where(Result.kind == "quiz", Result.origin_id == attempt.id))
    assert result.pending and not result.passed and result.purpose == "entrance"
    assert result.program_code == "ct-thu" and result.source_id == quiz.id
    essay = next(s for s in done.slots if s.version.qtype == "essay")
    services.grade_manually(session, world.users["instructor"], essay, 0.5, "Khá", NOW)
    assert not done.pending and done.score == decimal.Decimal("9.29")
    session.refresh(result)
    assert not result.pending and result.passed and result.score == decimal.Decimal("9.29")
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt.grade"))
    with pytest.raises(Exception, match="Điểm phải"):
        services.grade_manually(session, world.users["instructor"], essay, 5, "", NOW)


def test_older_sequence_never_overwrites_newer(session, setup):
    quiz, learner, _ = setup
    attempt = services.start_attempt(session, learner, quiz, NOW)
    newer, positions = fields_for(attempt, {"kt-1": "c1"})
    older, _ = fields_for(attempt, {"kt-1": "c2"})
    save(session, attempt, newer, positions, 20, NOW)
    save(session, attempt, older, positions, 10, NOW)  # late arrival
    save(session, attempt, newer, positions, 20, NOW)  # duplicate: harmless
    answer = services.answers_of(session, attempt)[positions[0]]
    assert answer.response == {"choice": "c1"} and answer.seq == 20


def test_deadline_closes_with_saved_answers_lazily_and_by_command(session, setup):
    quiz, learner, _ = setup
    attempt = services.start_attempt(session, learner, quiz, NOW)
    fields, positions = fields_for(attempt, {"kt-1": "c1"})
    save(session, attempt, fields, positions, 1, NOW)
    # within the grace period after the deadline a save still lands
    late = attempt.deadline + dt.timedelta(seconds=10)
    fields2, positions2 = fields_for(attempt, {"kt-3": "false"})
    save(session, attempt, fields2, positions2, 2, late)
    assert services.close_overdue(session, late) == 0
    after = attempt.deadline + services.GRACE + dt.timedelta(seconds=1)
    with pytest.raises(Conflict):
        save(session, attempt, fields, positions, 3, after)
    assert attempt.state is AttemptState.finished and attempt.outcome == "timeout"
    assert attempt.finished_at == attempt.deadline
    assert attempt.points == 2  # kt-1 and kt-3, both saved before the deadline


def test_close_overdue_command_closes_everything_due(session, setup, world, factory):
    quiz, learner, _ = setup
    attempt = services.start_attempt(session, learner, quiz, NOW)
    assert services.close_overdue(session, NOW + dt.timedelta(hours=1)) == 1
    assert attempt.state is AttemptState.finished and attempt.score == 0


def test_repeated_submit_returns_first_outcome(session, setup):
    quiz, learner, _ = setup
    attempt = services.start_attempt(session, learner, quiz, NOW)
    fields, positions = fields_for(attempt, {"kt-1": "c1"})
    save(session, attempt, fields, positions, 1, NOW)
    first = services.submit_attempt(session, attempt, NOW + dt.timedelta(minutes=1))
    finished_at, score = first.finished_at, first.score
    again = services.submit_attempt(session, attempt, NOW + dt.timedelta(minutes=50))
    assert again.finished_at == finished_at and again.score == score and again.outcome == "submitted"
    with pytest.raises(Conflict):
        save(session, attempt, fields, positions, 2, NOW + dt.timedelta(minutes=2))


def test_second_start_resumes_and_index_refuses_fork(session, setup, monkeypatch):
    quiz, learner, _ = setup
    first = services.start_attempt(session, learner, quiz, NOW)
    assert services.start_attempt(session, learner, quiz, NOW) is first
    services.submit_attempt(session, first, NOW)
    # the race: both requests saw no open attempt; the unique partial index decides. Another
    # request's attempt lands between this one's check and its INSERT.
    real_slots = attempts._quiz_slots
    competitor = []

    def slots_after_a_rival_started(session_, quiz_):
        rival = Attempt(quiz=quiz_, quiz_version=quiz_.version, user_id=learner.id, number=2, started_at=NOW)
        session_.add(rival)
        session_.flush()
        competitor.append(rival)
        return real_slots(session_, quiz_)

    monkeypatch.setattr(attempts, "_quiz_slots", slots_after_a_rival_started)
    resumed = services.start_attempt(session, learner, quiz, NOW)
    assert competitor and resumed.id == competitor[0].id
    monkeypatch.undo()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Attempt(quiz=quiz, quiz_version=1, user_id=learner.id, number=9, started_at=NOW))
        session.flush()


def test_attempts_allowed_and_override(session, setup, world):
    quiz, learner, _ = setup
    for _ in range(2):
        services.submit_attempt(session, services.start_attempt(session, learner, quiz, NOW), NOW)
    with pytest.raises(Conflict, match="hết 2 lần"):
        services.start_attempt(session, learner, quiz, NOW)
    services.set_override(
        session,
        world.users["instructor"],
        quiz,
        learner,
        time_limit_minutes=90,
        attempts_allowed=3,
        closes_at=None,
        now=NOW,
    )
    third = services.start_attempt(session, learner, quiz, NOW)
    assert third.number == 3 and third.deadline == NOW + dt.timedelta(minutes=90)


def test_deadline_capped_by_close_date_and_closed_quiz_refused(session, setup):
    quiz, learner, _ = setup
    quiz.closes_at = NOW + dt.timedelta(minutes=10)
    attempt = services.start_attempt(session, learner, quiz, NOW)
    assert attempt.deadline == quiz.closes_at
    services.submit_attempt(session, attempt, NOW)
    with pytest.raises(Conflict, match="không mở"):
        services.start_attempt(session, learner, quiz, NOW + dt.timedelta(minutes=11))


def test_learner_without_profile_cannot_start_assessed_quiz(session, world, setup):
    quiz, _, _ = setup
    with pytest.raises(Conflict, match="hồ sơ cán bộ"):
        services.start_attempt(session, world.learner_b, quiz, NOW)
    quiz.purpose = quiz.purpose.practice
    attempt = services.start_attempt(session, world.learner_b, quiz, NOW)
    services.submit_attempt(session, attempt, NOW)
    assert session.scalar(select(Result).where(Result.origin_id == attempt.id)) is None


def test_shuffling_is_stable_per_attempt_and_stored(session, world, factory):
    for n in range(8):
        single(session, code=f"s{n}")
    learner = world.users["learner"]
    factory.profile(user=learner)
    quiz = make_quiz(
        session, world.province, codes=[f"s{n}" for n in range(8)], shuffle_questions=True, attempts_allowed=0
    )
    attempt = services.start_attempt(session, learner, quiz, NOW)
    order = [(s.version.id, s.order) for s in attempt.slots]
    # drawing again with the same seed gives the same paper
    again = services.draw_questions(session, attempt.id, quiz)
    assert [(v.id, order) for v, _, order in again] == order
    session.expire_all()
    reloaded = session.get(Attempt, attempt.id)
    assert [(s.version.id, s.order) for s in reloaded.slots] == order
    # another attempt (another seed) is shuffled differently
    services.submit_attempt(session, attempt, NOW)
    other = services.start_attempt(session, learner, quiz, NOW)
    assert [(s.version.question.code, s.order) for s in other.slots] != order


def test_random_draws_from_category_without_repeats(session, world, factory):
    for n in range(5):
        single(session, code=f"d{n}", category="Ngân hàng/Con")
    learner = world.users["learner"]
    factory.profile(user=learner)
    quiz = make_quiz(session, world.province, draws=[("Ngân hàng", 3, 2.0)])
    attempt = services.start_attempt(session, learner, quiz, NOW)
    codes = [s.version.question.code for s in attempt.slots]
    assert len(set(codes)) == 3 and attempt.max_points == 6
    with pytest.raises(Exception, match="không đủ"):
        make_quiz(session, world.province, code="qua-nhieu", draws=[("Ngân hàng", 6, 1.0)])


def test_editing_used_question_creates_version_and_regrade_after_key_fix(session, setup, world):
    quiz, learner, questions = setup
    attempt = services.start_attempt(session, learner, quiz, NOW)
    fields, positions = fields_for(attempt, {"kt-1": "c2"})
    save(session, attempt, fields, positions, 1, NOW)
    services.submit_attempt(session, attempt, NOW)
    old_score = attempt.score
    shown = next(s for s in attempt.slots if s.version.question.code == "kt-1").version
    # an edit after use makes version 2; the attempt keeps version 1
    item = QuestionInput(
        code="kt-1",
        category="Xây dựng Đảng/Kiểm tra giám sát",
        qtype="single",
        title="kt-1",
        text_html="Câu đã sửa",
        data=shown.data,
    )
    _, status = save_question(session, None, item, NOW)
    assert status == "new_version" and questions["kt-1"].latest.version == 2
    assert next(s for s in attempt.slots if s.position == positions[0]).version.id == shown.id
    # a key correction on the shown version regrades the attempt
    data = shown.data
    data["choices"][0]["fraction"], data["choices"][1]["fraction"] = 0.0, 1.0
    changes = services.correct_key(session, world.users["instructor"], shown, data, NOW)
    assert changes and changes[0]["before"] == str(old_score) and attempt.score > old_score
    result = session.scalar(select(Result).where(Result.origin_id == attempt.id))
    assert result.score == attempt.score
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "attempt.regrade"))
    assert session.get(QuestionVersion, shown.id).data["choices"][1]["fraction"] == 1.0


def test_unused_question_is_edited_in_place(session, world):
    question = single(session, code="inplace")
    _, status = save_question(
        session,
        None,
        QuestionInput(
            code="inplace",
            category="Thử",
            qtype="single",
            title="x",
            text_html="<p>Mới</p><script>x</script>",
            data=question.latest.data,
        ),
        NOW,
    )
    assert status == "updated" and len(question.versions) == 1
    assert "<script>" not in question.latest.text_html


def test_quiz_grade_methods():
    from lms.quizzes.models import GradingMethod as G

    d = [decimal.Decimal(x) for x in ("4.00", "8.00", "6.00")]
    assert services.quiz_grade(d, G.highest) == 8
    assert services.quiz_grade(d, G.first) == 4
    assert services.quiz_grade(d, G.last) == 6
    assert services.quiz_grade(d, G.average) == 6
    assert services.quiz_grade([], G.average) is None


def test_entrance_and_exit_results_give_learning_gain(session, world, factory):
    from lms.results.services import learning_gains

    single(session, code="g1")
    single(session, code="g2")
    learner = world.users["learner"]
    profile = factory.profile(user=learner)
    entrance = make_quiz(session, world.province, code="dau-vao", codes=["g1", "g2"], purpose="entrance")
    exit_quiz = make_quiz(session, world.province, code="dau-ra", codes=["g1", "g2"], purpose="exit")
    first = services.start_attempt(session, learner, entrance, NOW)
    fields, positions = fields_for(first, {"g1": "c1"})
    save(session, first, fields, positions, 1, NOW)
    services.submit_attempt(session, first, NOW)
    second = services.start_attempt(session, learner, exit_quiz, NOW)
    fields, positions = fields_for(second, {"g1": "c1", "g2": "c1"})
    save(session, second, fields, positions, 1, NOW)
    services.submit_attempt(session, second, NOW)
    assert learning_gains(session, profile) == {"ct-thu": decimal.Decimal("5.00")}


def test_key_correction_refuses_changed_choices(session, setup, world):
    quiz, learner, questions = setup
    attempt = services.start_attempt(session, learner, quiz, NOW)
    services.submit_attempt(session, attempt, NOW)
    version = questions["kt-1"].latest
    data = version.data
    data["choices"].reverse()
    with pytest.raises(Exception, match="giữ nguyên các phương án"):
        services.correct_key(session, world.users["instructor"], version, data, NOW)


def test_a_position_out_of_any_range_is_a_clear_error(session, setup):
    from lms.errors import LmsError
    from lms.quizzes.services import save_answers, start_attempt

    quiz, learner, _ = setup
    attempt = start_attempt(session, learner, quiz, NOW)
    for position in (2**40, -1):
        with pytest.raises(LmsError, match="không có câu"):
            save_answers(session, attempt, [(position, {}, 1)], NOW)
