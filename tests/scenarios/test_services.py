import decimal

import pytest
import yaml
from sqlalchemy import select

from lms.audit import AuditEntry
from lms.errors import Conflict, Forbidden, InvalidFile
from lms.results.models import Result
from lms.scenarios import services as sv
from lms.scenarios.models import RunMode, RunStatus, ScenarioStatus
from lms.scenarios.validate import validate_text
from tests.scenarios.helpers import DATA, NOW, import_good

D = decimal.Decimal


@pytest.fixture()
def scenario(session, world):
    return import_good(session, world.province)


def _play(session, run, choices, answer="Điều 235"):
    """Walk the run: each item is a choice index for the next decision."""
    choices = list(choices)
    while not run.finished:
        node = sv.Graph(run.scenario.doc).node(run.current_node)
        if node["kind"] == "situation":
            sv.advance(session, run, run.step, NOW)
        elif node["kind"] == "decision":
            sv.choose(session, run, run.step, choices.pop(0), NOW)
        elif node["kind"] == "response":
            sv.respond(session, run, run.step, answer, NOW)
    return run


def test_import_is_published_and_idempotent(session, world, scenario):
    assert scenario.status == ScenarioStatus.published and scenario.version == 1
    assert float(scenario.max_points) == 5 and float(scenario.min_points) == -2
    assert "<script>" not in scenario.rendered and "<strong>ranh giới</strong>" in scenario.rendered
    again = import_good(session, world.province)
    assert again.id == scenario.id and again.version == 1


def test_changed_import_makes_new_version_and_archives_old(session, world, scenario, tmp_path):
    changed = tmp_path / "good.yaml"
    changed.write_text(
        (DATA / "good.yaml").read_text("utf-8").replace("Tình huống thử nghiệm", "Bản 2"), "utf-8"
    )
    sv.import_checked(session, sv.check_paths([changed]), world.province, None, NOW)
    new = sv.latest(session, "thu-nghiem")
    assert new.version == 2 and new.status == ScenarioStatus.published
    assert scenario.status == ScenarioStatus.archived


def test_import_all_or_nothing(session, world, tmp_path):
    (tmp_path / "a.yaml").write_text((DATA / "small.yaml").read_text("utf-8"), "utf-8")
    (tmp_path / "b.yaml").write_text("code: [", "utf-8")
    with pytest.raises(InvalidFile):
        sv.import_checked(session, sv.check_paths([tmp_path]), world.province, None, NOW)
    assert sv.latest(session, "nho") is None


def test_export_round_trips(session, scenario):
    text = sv.export_text(scenario)
    again = validate_text(text, "export.yaml")
    assert again.ok, again.problems
    assert again.document == scenario.doc
    assert yaml.safe_load(text)["as_of"].isoformat() == "2026-11-01"


def test_published_version_is_immutable(session, scenario):
    with pytest.raises(Conflict):
        sv.save_draft(session, scenario, None, (DATA / "good.yaml").read_text("utf-8"), NOW)
    scenario.title = "Sửa lén"
    with pytest.raises(Conflict):
        session.flush()
    session.rollback()


def test_editing_published_makes_draft_version(session, world, scenario):
    author = world.users["instructor"]
    draft = sv.new_version(session, scenario, author, NOW)
    assert (draft.version, draft.status) == (2, ScenarioStatus.draft)
    assert sv.new_version(session, scenario, author, NOW).id == draft.id  # one working copy
    text = (DATA / "good.yaml").read_text("utf-8").replace("Tình huống thử nghiệm", "Bản sửa")
    sv.save_draft(session, draft, author, text, NOW)
    assert draft.title == "Bản sửa" and scenario.title == "Tình huống thử nghiệm"


def test_workflow_author_never_approves(session, world, scenario):
    author, approver = world.users["instructor"], world.users["approver"]
    draft = sv.new_version(session, scenario, author, NOW)
    sv.transition(session, draft, author, "submit", NOW)
    with pytest.raises(Forbidden):
        sv.transition(session, draft, author, "approve", NOW)
    with pytest.raises(Exception, match="lý do"):
        sv.transition(session, draft, approver, "return", NOW, comment=" ")
    sv.transition(session, draft, approver, "return", NOW, comment="Thiếu căn cứ")
    assert draft.status == ScenarioStatus.returned
    sv.transition(session, draft, author, "submit", NOW)
    sv.transition(session, draft, approver, "approve", NOW)
    sv.transition(session, draft, approver, "publish", NOW)
    assert draft.status == ScenarioStatus.published and scenario.status == ScenarioStatus.archived
    from lms import audit

    actions = {e.action for e in audit.entries(session, object_type="scenario", object_id=str(draft.id))}
    assert {"scenario.submit", "scenario.return", "scenario.approve", "scenario.publish"} <= actions


def test_best_path_scores_ten_with_full_rubric(session, world, scenario, factory):
    learner = world.users["learner"]
    factory.profile(user=learner)
    run = sv.start_run(session, scenario, learner, RunMode.assessed, NOW)
    _play(session, run, [1, 0])  # +3 (trust 1) then +2 → 5 = max
    assert run.finished and run.path_score == D("10.00")
    assert run.pending and run.rubric_max == D(4)
    assert run.score == D("7.00")  # rubric not yet graded counts 0 until graded
    result = session.scalar(select(Result).where(Result.kind == "scenario"))
    assert result.pending and result.origin_id == run.id and result.source_version == 1
    assert [d["points"] for d in result.details_data["decisions"]] == [3, 2]
    response = run.responses[0]
    sv.grade_response(session, response, world.users["instructor"], [2], "Tốt", NOW)
    assert run.score == D("10.00") and not run.pending
    session.refresh(result)
    assert result.score == D("10.00") and not result.pending and result.passed


def test_short_poor_path_does_not_get_ten(session, world, scenario):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    _play(session, run, [2])  # "Bỏ qua": 0 points, straight to an ending
    assert run.path_score == D("0.00") and run.score == D("0.00") and not run.passed
    assert session.scalar(select(Result)) is None  # practice writes no Result


def test_fixed_ending_score_and_conditions(session, world, scenario):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    sv.advance(session, run, run.step, NOW)
    sv.choose(session, run, run.step, 0, NOW)  # trust -1
    with pytest.raises(Exception, match="không hợp lệ"):
        sv.choose(session, run, run.step, 0, NOW)  # needs trust >= 1
    sv.choose(session, run, run.step, 2, NOW)  # court ending, fixed score 4
    assert run.finished and run.path_score == D("4.00") and run.score == D("4.00")


def test_negative_total_floors_at_zero(session, world, scenario):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    _play(session, run, [0, 1])  # -2 + 1 = -1 → response → ending
    assert run.path_score == D("0.00")


def test_double_post_is_idempotent(session, world, scenario):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    sv.advance(session, run, 0, NOW)
    sv.advance(session, run, 0, NOW)  # resend: no effect
    assert run.current_node == "d1" and run.step == 1
    sv.choose(session, run, 1, 1, NOW)
    sv.choose(session, run, 1, 1, NOW)
    sv.choose(session, run, 1, 0, NOW)  # an old tab
    assert len(run.steps) == 1 and run.current_node == "d2" and run.vars == {"trust": 1}


def test_resume_returns_open_run(session, world, scenario):
    learner = world.users["learner"]
    run = sv.start_run(session, scenario, learner, RunMode.practice, NOW)
    sv.advance(session, run, run.step, NOW)
    assert sv.start_run(session, scenario, learner, RunMode.practice, NOW).id == run.id


def test_undo_only_with_allow_retry(session, world, scenario):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    sv.advance(session, run, run.step, NOW)
    sv.choose(session, run, run.step, 0, NOW)
    with pytest.raises(Forbidden):
        sv.undo(session, run, run.step, NOW)


def test_undo_restores_state(session, world, tmp_path):
    text = (DATA / "good.yaml").read_text("utf-8").replace("allow_retry: false", "allow_retry: true")
    (tmp_path / "r.yaml").write_text(text, "utf-8")
    sv.import_checked(session, sv.check_paths([tmp_path / "r.yaml"]), world.province, None, NOW)
    scenario = sv.latest(session, "thu-nghiem")
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    sv.advance(session, run, run.step, NOW)
    sv.choose(session, run, run.step, 0, NOW)
    sv.undo(session, run, run.step, NOW)
    assert run.current_node == "d1" and run.vars == {"trust": 0} and float(run.raw_points) == 0
    sv.choose(session, run, run.step, 1, NOW)
    assert [s.choice_index for s in run.decisions] == [1]


def test_assessed_needs_profile(session, world, scenario):
    with pytest.raises(Forbidden, match="hồ sơ"):
        sv.start_run(session, scenario, world.users["learner"], RunMode.assessed, NOW)


@pytest.mark.parametrize(
    ("method", "expected"), [("highest", "10.00"), ("last", "0.00"), ("first", "7.00"), ("mean", "5.67")]
)
def test_grading_policy_result(session, world, factory, tmp_path, method, expected):
    text = (
        (DATA / "good.yaml")
        .read_text("utf-8")
        .replace("allow_retry: false", f"allow_retry: false\ngrading_method: {method}\nattempts_allowed: 3")
    )
    (tmp_path / "p.yaml").write_text(text, "utf-8")
    sv.import_checked(session, sv.check_paths([tmp_path / "p.yaml"]), world.province, None, NOW)
    scenario = sv.latest(session, "thu-nghiem")
    learner = world.users["learner"]
    factory.profile(user=learner)
    first = _play(
        session, sv.start_run(session, scenario, learner, RunMode.assessed, NOW), [1, 0]
    )  # 7 pending
    second = _play(session, sv.start_run(session, scenario, learner, RunMode.assessed, NOW), [1, 0])
    sv.grade_response(session, second.responses[0], world.users["instructor"], [2], "", NOW)  # 10
    _play(session, sv.start_run(session, scenario, learner, RunMode.assessed, NOW), [2])  # 0
    with pytest.raises(Conflict):
        sv.start_run(session, scenario, learner, RunMode.assessed, NOW)
    results = session.scalars(select(Result)).all()
    assert len(results) == 1 and results[0].origin_id == first.id
    assert results[0].score == D(expected)


def test_review_by_second_grader(session, world, factory, scenario):
    learner = world.users["learner"]
    run = _play(session, sv.start_run(session, scenario, learner, RunMode.practice, NOW), [1, 0])
    response = run.responses[0]
    grader = world.users["instructor"]
    sv.grade_response(session, response, grader, [1], "Được", NOW)
    with pytest.raises(Forbidden):
        sv.grade_response(session, response, grader, [2], "", NOW, review=True)
    reviewer = factory.user("instructor", world.province)
    sv.grade_response(session, response, reviewer, [2], "Nâng mức", NOW, review=True)
    assert (response.grader_id, response.reviewer_id) == (grader.id, reviewer.id)
    assert response.points == D(4) and run.score == D("10.00")


# --- starting over an unfinished run ----------------------------------------------------------


def _import_with(session, world, tmp_path, extra: str):
    text = (
        (DATA / "good.yaml").read_text("utf-8").replace("allow_retry: false", f"allow_retry: false\n{extra}")
    )
    (tmp_path / "p.yaml").write_text(text, "utf-8")
    sv.import_checked(session, sv.check_paths([tmp_path / "p.yaml"]), world.province, None, NOW)
    return sv.latest(session, "thu-nghiem")


def test_practice_run_starts_over_and_the_old_one_is_kept_abandoned(session, world, scenario):
    learner = world.users["learner"]
    run = sv.start_run(session, scenario, learner, RunMode.practice, NOW)
    sv.advance(session, run, run.step, NOW)
    sv.choose(session, run, run.step, 1, NOW)
    assert sv.restart_blocker(session, run) is None
    fresh = sv.restart_run(session, run, learner, NOW)
    assert fresh.id != run.id and fresh.current_node == "s1" and fresh.step == 0
    assert run.status == RunStatus.abandoned and len(run.steps) == 1  # kept as it was
    assert sv.open_run(session, scenario, learner, RunMode.practice) == fresh
    # a second tap on the same button: the new run, not a third one
    assert sv.restart_run(session, run, learner, NOW) == fresh
    # the abandoned run takes no more moves (an old tab)
    sv.choose(session, run, run.step, 0, NOW)
    assert run.current_node == "d2" and len(run.steps) == 1
    assert "đã kết thúc" in sv.restart_blocker(session, run)


def test_only_the_learner_restarts_their_run(session, world, scenario):
    run = sv.start_run(session, scenario, world.users["learner"], RunMode.practice, NOW)
    with pytest.raises(Forbidden):
        sv.restart_run(session, run, world.learner_b, NOW)
    assert run.status == RunStatus.in_progress


@pytest.mark.parametrize(
    ("extra", "allowed", "why"),
    [
        ("attempts_allowed: 0", True, None),  # unlimited, highest (the default)
        ("attempts_allowed: 2\ngrading_method: last", True, None),
        ("attempts_allowed: 1", False, "dùng hết 1 lượt"),
        ("attempts_allowed: 3\ngrading_method: first", False, "lượt đầu tiên"),
        ("grading_method: mean", False, "trung bình"),
    ],
)
def test_assessed_run_starts_over_only_when_the_rules_allow_a_new_attempt(
    session, world, factory, tmp_path, extra, allowed, why
):
    scenario = _import_with(session, world, tmp_path, extra)
    learner = world.users["learner"]
    factory.profile(user=learner)
    run = sv.start_run(session, scenario, learner, RunMode.assessed, NOW)
    sv.advance(session, run, run.step, NOW)
    blocker = sv.restart_blocker(session, run)
    if not allowed:
        assert why in blocker
        with pytest.raises(Conflict, match=why):
            sv.restart_run(session, run, learner, NOW)
        assert run.in_progress
        return
    assert blocker is None
    fresh = sv.restart_run(session, run, learner, NOW)
    assert fresh.mode == RunMode.assessed and fresh.current_node == "s1"
    # the dropped run counts as a used attempt, is audited, and never becomes a Result
    assert sv.assessed_runs_used(session, scenario, learner) == 2
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "scenario.restart"))
    assert entry is not None and entry.object_id == str(run.id)
    _play(session, fresh, [1, 0])
    results = session.scalars(select(Result)).all()
    assert len(results) == 1 and results[0].origin_id == fresh.id


def test_restart_uses_up_the_last_attempt(session, world, factory, tmp_path):
    scenario = _import_with(session, world, tmp_path, "attempts_allowed: 2")
    learner = world.users["learner"]
    factory.profile(user=learner)
    run = sv.start_run(session, scenario, learner, RunMode.assessed, NOW)
    fresh = sv.restart_run(session, run, learner, NOW)
    assert "dùng hết 2 lượt" in sv.restart_blocker(session, fresh)
