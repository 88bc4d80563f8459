"""Records computed from hand-made results: weights, renormalisation, bands, certificate,
gains, finalization and corrections (append-only snapshots)."""

import decimal

import pytest

from lms.errors import Conflict, LmsError
from lms.evaluation import services
from lms.evaluation.models import EvaluationSnapshot
from lms.org.models import PlanningStatus
from tests.evaluation.helpers import result

D = decimal.Decimal
WEIGHTS = {"entrance": 0, "exit": 0.5, "scenarios": 0.3, "assessment": 0.2}


@pytest.fixture()
def cadre(world, factory):
    return factory.profile(unit=world.commune_a, name="Trần Văn Bình")


def test_ensure_scheme_is_versioned_and_idempotent(session):
    first = services.ensure_scheme(session, "p1", {"pass_mark": 5, "weights": WEIGHTS})
    again = services.ensure_scheme(session, "p1", {"pass_mark": 5.0, "weights": WEIGHTS})
    assert again.id == first.id and first.version == 1
    changed = services.ensure_scheme(session, "p1", {"pass_mark": 6, "weights": WEIGHTS})
    assert changed.version == 2 and changed.weights_data["reflection"] == 0
    assert services.scheme_for(session, "p1").id == changed.id
    assert services.scheme_for(session, "unknown").program_code == "*"


@pytest.mark.parametrize(
    "block, message",
    [
        ({"weights": {"exam": 1}}, "exam"),
        ({"weights": {"exit": "x"}}, "không phải là số"),
        ({"pass_mark": 11}, "0–10"),
        ({"weights": {"exit": 0}}, "lớn hơn 0"),
        ({"rules": [{"when": "bad", "recommend": "keep", "text": "a", "reference": "b"}]}, "bad"),
        ({"rules": [{"when": "exit_failed", "recommend": "keep", "text": "a"}]}, "căn cứ"),
        ({"colour": 1}, "colour"),
    ],
)
def test_bad_scheme_blocks_are_refused_with_a_message(session, block, message):
    with pytest.raises(LmsError, match=message):
        services.ensure_scheme(session, "p1", block)


def test_weighted_total_band_and_gain(session, cadre, world):
    services.ensure_scheme(session, "p1", {"weights": WEIGHTS, "rules": []})
    result(session, cadre, "entrance", 5.0)
    result(session, cadre, "exit", 8.0)
    result(session, cadre, "exit", 7.0)  # best per topic counts
    result(session, cadre, "scenario", 9.0)
    services.save_assessment(
        session,
        world.users["instructor"],
        cadre=cadre,
        cohort_id=1,
        month="2026-02",
        points=6,
        comment="Tích cực",
    )
    services.save_assessment(
        session, world.users["instructor"], cadre=cadre, cohort_id=1, month="2026-03", points=8
    )
    record = services.recompute(session, cadre.id, 1)
    # 0.5*8 + 0.3*9 + 0.2*7 = 8.1
    assert record.total == D("8.10") and record.band == "Giỏi" and record.passed
    assert not record.renormalised
    parts = record.components_data
    assert parts["exit"]["score"] == "8.00" and len(parts["exit"]["sources"]) == 2
    assert parts["assessment"]["score"] == "7.00"
    assert record.gains_data == {"t1": "3.00"}
    # no attendance data yet: no certificate, and the page says why
    assert not record.certificate and "điểm danh" in record.certificate_reason
    assert record.scheme.program_code == "p1" and record.year == 2026


def test_missing_components_are_renormalised(session, cadre):
    services.ensure_scheme(session, "p1", {"weights": WEIGHTS, "rules": []})
    result(session, cadre, "exit", 6.0)
    result(session, cadre, "scenario", 10.0)
    record = services.recompute(session, cadre.id, 1)
    # (0.5*6 + 0.3*10) / 0.8 = 7.5
    assert record.total == D("7.50") and record.band == "Khá" and record.renormalised
    assert record.components_data["exit"]["effective_weight"] == 0.625


def test_pending_results_do_not_count_and_block_certificate(session, cadre, monkeypatch):
    services.ensure_scheme(session, "p1", {"weights": WEIGHTS, "rules": []})
    monkeypatch.setattr(services.inputs, "attendance_for", lambda s, c, ids: {cadre.id: (5, 5)})
    result(session, cadre, "exit", 9.0)
    result(session, cadre, "scenario", 0.0, pending=True)
    record = services.recompute(session, cadre.id, 1)
    assert record.total == D("9.00")
    assert not record.certificate and "chờ chấm" in record.certificate_reason


def test_certificate_needs_attendance_and_every_component(session, cadre, monkeypatch):
    services.ensure_scheme(session, "p1", {"weights": WEIGHTS, "attendance_min_pct": 80, "rules": []})
    attendance = {cadre.id: (4, 5)}
    monkeypatch.setattr(services.inputs, "attendance_for", lambda s, c, ids: attendance)
    result(session, cadre, "exit", 9.0)
    result(session, cadre, "scenario", 4.0)
    record = services.recompute(session, cadre.id, 1)
    assert not record.certificate and "4.00 < 5.00" in record.certificate_reason
    result(session, cadre, "scenario", 6.0, source_id=record.id + 999_000)
    attendance[cadre.id] = (3, 5)
    record = services.recompute(session, cadre.id, 1)
    assert "60% < 80%" in record.certificate_reason


def test_certificate_granted(session, cadre, monkeypatch):
    services.ensure_scheme(session, "p1", {"weights": WEIGHTS, "rules": []})
    monkeypatch.setattr(services.inputs, "attendance_for", lambda s, c, ids: {cadre.id: (5, 5)})
    result(session, cadre, "exit", 9.5)
    record = services.recompute(session, cadre.id, 1)
    assert record.certificate and record.certificate_reason is None
    assert record.components_data["attendance"]["score"] == "10.00"


def test_recommendation_follows_policy_but_never_changes_status(session, cadre):
    services.ensure_scheme(session, "p1", {"weights": WEIGHTS})  # default provincial rules
    result(session, cadre, "exit", 3.0)
    record = services.recompute(session, cadre.id, 1)
    advice = record.recommendation_data
    assert advice["decision"] == "propose_removal" and advice["reference"]
    assert cadre.planning_status == PlanningStatus.none
    result(session, cadre, "exit", 9.5)
    record = services.recompute(session, cadre.id, 1)
    assert record.provisional and record.recommendation is None  # no total rule on part of it
    result(session, cadre, "scenario", 9.5)
    record = services.recompute(session, cadre.id, 1)
    assert record.missing_list == ["assessment"] and record.recommendation is None
    services.save_assessment(session, None, cadre=cadre, cohort_id=1, month="2026-03", points=9.5)
    record = services.recompute(session, cadre.id, 1)
    assert not record.provisional
    assert record.recommendation_data["decision"] == "propose_appointment"
    services.recompute_all(session)
    session.refresh(cadre)
    assert cadre.planning_status == PlanningStatus.none


def test_finalize_freezes_and_correction_supersedes(session, cadre, world):
    admin = world.users["admin"]
    services.ensure_scheme(session, "p1", {"weights": WEIGHTS, "rules": []})
    first = result(session, cadre, "exit", 6.0)
    assert services.finalize(session, 1, admin) == 1
    record = services.recompute(session, cadre.id, 1)
    assert record.finalized_at is not None and record.total == D("6.00")
    # a later regrade does not move a finalized record ...
    result(session, cadre, "scenario", 10.0)
    assert services.recompute(session, cadre.id, 1).total == D("6.00")
    assert services.finalize(session, 1, admin) == 0  # idempotent
    # ... until someone corrects it, saying why
    with pytest.raises(LmsError, match="lý do"):
        services.correct(session, record, admin, "ngắn")
    snapshot = services.correct(session, record, admin, "Chấm lại bài tình huống theo phúc khảo")
    old = session.get(EvaluationSnapshot, snapshot.supersedes_id)
    assert old.data_dict["outputs"]["total"] == "6.00"
    assert snapshot.data_dict["outputs"]["total"] == "7.50" and record.total == D("7.50")
    assert snapshot.data_dict["inputs"]["results"][0]["public_id"] == first.public_id
    assert snapshot.actor_id == admin.id and snapshot.reason.startswith("Chấm lại")


def test_correcting_an_open_record_is_refused(session, cadre, world):
    result(session, cadre, "exit", 6.0)
    record = services.recompute(session, cadre.id, 1)
    with pytest.raises(Conflict):
        services.correct(session, record, world.users["admin"], "Lý do đủ dài để ghi nhận")


@pytest.mark.parametrize("change", ["update", "delete"])
def test_snapshots_are_append_only(session, cadre, world, change):
    result(session, cadre, "exit", 6.0)
    services.finalize(session, 1, world.users["admin"])
    snapshot = session.query(EvaluationSnapshot).one()
    if change == "update":
        snapshot.reason = "sửa trộm"
    else:
        session.delete(snapshot)
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()


def test_bad_assessment_input(session, cadre, world):
    with pytest.raises(LmsError, match="Tháng"):
        services.save_assessment(
            session, world.users["admin"], cadre=cadre, cohort_id=1, month="03/2026", points=5
        )
    with pytest.raises(LmsError, match="0–10"):
        services.save_assessment(
            session, world.users["admin"], cadre=cadre, cohort_id=1, month="2026-03", points=12
        )


def test_recompute_all_is_idempotent(session, cadre):
    result(session, cadre, "exit", 6.0)
    result(session, cadre, "exit", 7.0, cohort_id=2)
    assert services.recompute_all(session) == 2
    assert services.recompute_all(session) == 2
    from lms.evaluation.models import EvaluationRecord

    assert session.query(EvaluationRecord).count() == 2


def test_recompute_for_result(session, cadre):
    first = result(session, cadre, "exit", 6.0)
    services.recompute_for_result(session, first)
    second = result(session, cadre, "exit", 8.0)
    services.recompute_for_result(session, second)
    from lms.evaluation.models import EvaluationRecord

    assert session.query(EvaluationRecord).one().total == D("8.00")
    services.recompute_for_result(session, result(session, cadre, "practice", 1.0, cohort_id=None))
