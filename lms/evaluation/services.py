"""Evaluation rules: schemes, record computation, finalization, corrections, assessments,
planning decisions. Plain functions over a session; they flush, the caller commits.

The system recommends, the board decides: nothing here changes a planning status except
``decide``, which a board member calls with a written reason.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from lms import audit, events
from lms.db import utcnow
from lms.errors import Conflict, Forbidden, LmsError
from lms.evaluation import inputs
from lms.evaluation.models import (
    COMPONENT_LABELS,
    COMPONENTS,
    DECISION_LABELS,
    DECISION_STATUS,
    DEFAULT_PROGRAM,
    Assessment,
    AssessmentKind,
    Decision,
    EvaluationRecord,
    EvaluationScheme,
    EvaluationSnapshot,
    Improvement,
    PlanningDecision,
    PlanningLimit,
    SurveyResponse,
    dumps,
)
from lms.org.models import CadreProfile, PlanningStatus, Unit
from lms.results.models import Result

D = decimal.Decimal
TWO = D("0.01")
MIN_DECISION_REASON = 20
MIN_CORRECTION_REASON = 10

DEFAULT_WEIGHTS = {
    "entrance": 0,
    "exit": 0.5,
    "scenarios": 0.3,
    "assessment": 0.2,
    "attendance": 0,
    "reflection": 0,
}
DEFAULT_BANDS = [["Xuất sắc", 9.0], ["Giỏi", 8.0], ["Khá", 7.0], ["Trung bình", 5.0], ["Không đạt", 0.0]]
FAIL_BAND = "Không đạt"
RULE_CONDITIONS = {
    "exit_failed": "Kiểm tra đầu ra không đạt",
    "total_min": "Điểm tổng hợp từ … trở lên",
    "total_below": "Điểm tổng hợp dưới …",
    "no_certificate": "Không được cấp chứng chỉ",
}
# Example provincial policy (seed article); boards replace the reference with their own document.
DEFAULT_RULES = [
    {
        "when": "exit_failed",
        "value": None,
        "recommend": "propose_removal",
        "text": "Không đạt bài kiểm tra đầu ra → đề nghị xem xét lại việc quy hoạch",
        "reference": "Chính sách bồi dưỡng của tỉnh (ghi số, ngày văn bản của địa phương)",
    },
    {
        "when": "total_min",
        "value": 9.0,
        "recommend": "propose_appointment",
        "text": "Điểm tổng hợp từ 9,0 trở lên → xem xét đề nghị bổ nhiệm",
        "reference": "Chính sách bồi dưỡng của tỉnh (ghi số, ngày văn bản của địa phương)",
    },
]


def q2(value: Any) -> D:
    return D(str(value)).quantize(TWO, rounding=decimal.ROUND_HALF_UP)


# --- schemes -------------------------------------------------------------------------------


def _number(value: Any, what: str, low: float = 0, high: float = 10) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LmsError(f"{what}: “{value}” không phải là số.") from None
    if not low <= number <= high:
        raise LmsError(f"{what} phải nằm trong khoảng {low:g}–{high:g} (đang là {number:g}).")
    return number


def normalize_scheme(evaluation: dict | None) -> dict:
    """The complete scheme content from a YAML ``evaluation`` block (defaults filled in)."""
    evaluation = dict(evaluation or {})
    unknown = set(evaluation) - {
        "pass_mark",
        "weights",
        "bands",
        "attendance_min_pct",
        "component_min",
        "rules",
    }
    if unknown:
        raise LmsError(f"Khóa không hợp lệ trong khối evaluation: {', '.join(sorted(unknown))}.")
    raw_weights = evaluation.get("weights")
    if raw_weights is not None and not isinstance(raw_weights, dict):
        raise LmsError("weights phải là một bảng {thành phần: trọng số}.")
    weights = dict(DEFAULT_WEIGHTS) if raw_weights is None else {c: 0.0 for c in COMPONENTS}
    for key, value in (raw_weights or {}).items():
        if key not in COMPONENTS:
            raise LmsError(f"Thành phần “{key}” không có; dùng: {', '.join(COMPONENTS)}.")
        weights[key] = _number(value, f"Trọng số {key}", 0, 100)
    if not any(weights.values()):
        raise LmsError("Cần ít nhất một thành phần có trọng số lớn hơn 0.")
    bands = evaluation.get("bands") or DEFAULT_BANDS
    if isinstance(bands, dict):
        bands = list(bands.items())
    try:
        bands = sorted(([str(n).strip(), _number(v, f"Mức “{n}”")] for n, v in bands), key=lambda b: -b[1])
    except (TypeError, ValueError):
        raise LmsError("bands phải là danh sách [tên mức, điểm tối thiểu].") from None
    if not bands or bands[-1][1] != 0 or any(not name or len(name) > 40 for name, _ in bands):
        raise LmsError("Bảng xếp loại cần tên cho mỗi mức (tối đa 40 ký tự) và một mức thấp nhất từ 0 điểm.")
    rules = [_check_rule(r, i + 1) for i, r in enumerate(evaluation.get("rules", DEFAULT_RULES) or [])]
    return {
        "weights": weights,
        "pass_mark": _number(evaluation.get("pass_mark", 5.0), "Điểm đạt"),
        "component_min": _number(evaluation.get("component_min", 5.0), "Điểm tối thiểu mỗi thành phần"),
        "attendance_min_pct": int(
            _number(evaluation.get("attendance_min_pct", 100), "Tỷ lệ chuyên cần", 0, 100)
        ),
        "bands": bands,
        "rules": rules,
    }


def _check_rule(rule: Any, number: int) -> dict:
    if not isinstance(rule, dict):
        raise LmsError(f"Quy tắc {number}: cần một bảng when/recommend/text/reference.")
    when, recommend = rule.get("when"), rule.get("recommend")
    if when not in RULE_CONDITIONS:
        raise LmsError(f"Quy tắc {number}: điều kiện “{when}” không có; dùng: {', '.join(RULE_CONDITIONS)}.")
    if recommend not in Decision.__members__:
        raise LmsError(f"Quy tắc {number}: đề xuất “{recommend}” không có; dùng: {', '.join(Decision)}.")
    value = rule.get("value")
    if when in ("total_min", "total_below"):
        value = _number(value, f"Quy tắc {number}: ngưỡng điểm")
    text, reference = str(rule.get("text") or "").strip(), str(rule.get("reference") or "").strip()
    if not text or not reference:
        raise LmsError(f"Quy tắc {number}: cần ghi nội dung quy tắc và căn cứ (văn bản).")
    return {"when": when, "value": value, "recommend": recommend, "text": text, "reference": reference}


def scheme_content(scheme: EvaluationScheme) -> dict:
    return {
        "weights": scheme.weights_data,
        "pass_mark": float(scheme.pass_mark),
        "component_min": float(scheme.component_min),
        "attendance_min_pct": scheme.attendance_min_pct,
        "bands": scheme.bands_data,
        "rules": scheme.rules_data,
    }


def latest_scheme(session: Session, program_code: str) -> EvaluationScheme | None:
    return session.scalar(
        select(EvaluationScheme)
        .where(EvaluationScheme.program_code == program_code)
        .order_by(EvaluationScheme.version.desc())
        .limit(1)
    )


def ensure_scheme(
    session: Session,
    program_code: str,
    evaluation_dict: dict | None = None,
    actor: Any = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> EvaluationScheme:
    """The program's current scheme, creating a new version when the content differs.

    Called by the programs importer with the YAML ``evaluation`` block (idempotent) and by
    the admin form. Records keep the version they were computed with.
    """
    program_code = (program_code or "").strip() or DEFAULT_PROGRAM
    if len(program_code) > 80:
        raise LmsError("Mã chương trình dài quá 80 ký tự.")
    content = normalize_scheme(evaluation_dict)
    current = latest_scheme(session, program_code)
    if current is not None and scheme_content(current) == content:
        return current
    scheme = EvaluationScheme(
        program_code=program_code,
        version=(current.version + 1) if current else 1,
        weights=dumps(content["weights"]),
        pass_mark=q2(content["pass_mark"]),
        component_min=q2(content["component_min"]),
        attendance_min_pct=content["attendance_min_pct"],
        bands=dumps(content["bands"]),
        policy_rules=dumps(content["rules"]),
        note=note,
        created_at=now or utcnow(),
        created_by_id=getattr(actor, "id", None),
    )
    session.add(scheme)
    session.flush()
    audit.record(
        session,
        actor,
        "evaluation.scheme",
        "evaluation_scheme",
        scheme.id,
        after={"program": program_code, "version": scheme.version, **content},
        note=note,
    )
    if session.scalar(select(_program_records(program_code).exists())):
        # open records were computed with the old weights: a job recomputes them (lms/jobs)
        events.records_stale.send(session, program_code=program_code, actor=actor)
    return scheme


def scheme_for(session: Session, program_code: str | None) -> EvaluationScheme:
    """The program's latest scheme, else the default one (created on first need)."""
    if program_code:
        scheme = latest_scheme(session, program_code)
        if scheme is not None:
            return scheme
    return latest_scheme(session, DEFAULT_PROGRAM) or ensure_scheme(session, DEFAULT_PROGRAM, None)


# --- computing a record --------------------------------------------------------------------


def _source(result: Result) -> dict:
    return {
        "public_id": result.public_id,
        "title": result.source_title,
        "purpose": result.purpose,
        "topic": result.topic_code,
        "score": str(result.score),
        "pending": result.pending,
    }


def _best_per_key(results: list[Result], key) -> tuple[D | None, list[dict]]:
    """Mean over keys (topic or scenario) of the best final score for each key."""
    best: dict[Any, D] = {}
    for result in results:
        if not result.pending:
            k = key(result)
            best[k] = max(best.get(k, D(0)), result.score)
    if not best:
        return None, [_source(r) for r in results]
    return q2(sum(best.values()) / len(best)), [_source(r) for r in results]


def band_for(total: D | None, bands: list[list]) -> str | None:
    if total is None:
        return None
    for name, minimum in bands:
        if total >= D(str(minimum)):
            return name
    return bands[-1][0]


def compute(
    scheme: EvaluationScheme,
    results: list[Result],
    assessments: list[Assessment],
    attendance: tuple[int, int] | None,
) -> dict:
    """Components, weighted total, band, certificate, gains: pure, from the given inputs."""
    by_purpose: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        purpose = "exit" if result.purpose == "final" else result.purpose
        if result.kind == "scenario":
            purpose = "scenario"
        by_purpose[purpose].append(result)
    topic = lambda r: r.topic_code or r.program_code or r.source_id  # noqa: E731
    scores: dict[str, tuple[D | None, list[dict], str]] = {}
    scores["entrance"] = (*_best_per_key(by_purpose["entrance"], topic), "")
    scores["exit"] = (*_best_per_key(by_purpose["exit"], topic), "")
    scores["scenarios"] = (*_best_per_key(by_purpose["scenario"], lambda r: r.source_id), "")
    for component, kind in (
        ("assessment", AssessmentKind.monthly),
        ("reflection", AssessmentKind.reflection),
    ):
        rows = [a for a in assessments if a.kind == kind]
        sources = [{"month": a.month, "score": str(a.points), "comment": a.comment} for a in rows]
        score = q2(sum(a.points for a in rows) / len(rows)) if rows else None
        scores[component] = (score, sources, "")
    attendance_pct = None
    if attendance and attendance[1]:
        attendance_pct = round(100 * attendance[0] / attendance[1], 1)
        note = f"{attendance[0]}/{attendance[1]} buổi"
        scores["attendance"] = (q2(D(attendance[0]) * 10 / D(attendance[1])), [], note)
    else:
        scores["attendance"] = (None, [], "Chưa có dữ liệu điểm danh")

    weights = scheme.weights_data
    present = {c: s for c, (s, _, _) in scores.items() if s is not None and weights.get(c, 0) > 0}
    configured = sum(w for w in weights.values() if w > 0)
    weight_sum = sum(weights[c] for c in present)
    total = (
        q2(sum(D(str(weights[c])) * s for c, s in present.items()) / D(str(weight_sum))) if present else None
    )
    components = {}
    for component in COMPONENTS:
        score, sources, note = scores[component]
        weight = weights.get(component, 0)
        components[component] = {
            "label": COMPONENT_LABELS[component],
            "score": str(score) if score is not None else None,
            "weight": weight,
            "effective_weight": round(weight / weight_sum, 4) if component in present else 0,
            "sources": sources,
            "pending": any(s.get("pending") for s in sources),
            "note": note,
        }
    certificate, reason = _certificate(scheme, scores, weights, attendance_pct)
    bands = scheme.bands_data
    weighted = [c for c in COMPONENTS if weights.get(c, 0) > 0]
    missing = [c for c in weighted if scores[c][0] is None]
    pending = [c for c in weighted if components[c]["pending"]]
    return {
        "missing": missing,
        "pending": pending,
        "provisional": bool(missing or pending),
        "components": components,
        "total": total,
        "band": band_for(total, bands),
        "passed": total is not None and total >= scheme.pass_mark,
        "renormalised": present != {} and abs(weight_sum - configured) > 1e-9,
        "certificate": certificate,
        "certificate_reason": reason,
        "gains": _gains(by_purpose),
        "attendance_pct": attendance_pct,
        "exit_failed": scores["exit"][0] is not None and scores["exit"][0] < scheme.pass_mark,
    }


def _certificate(scheme, scores, weights, attendance_pct) -> tuple[bool, str | None]:
    """Circular 01/2018/TT-BNV: whole attendance (configurable %) and every test / reflection
    paper at least the component minimum. Tests counted: exit and reflection always, the
    others when they carry weight (an entrance test is a baseline, not a requirement)."""
    reasons = []
    if attendance_pct is None:
        reasons.append("chưa có dữ liệu điểm danh")
    elif attendance_pct < scheme.attendance_min_pct:
        reasons.append(f"chuyên cần {attendance_pct:g}% < {scheme.attendance_min_pct}% yêu cầu")
    if scores["exit"][0] is None and not scores["exit"][1]:
        reasons.append("chưa có kết quả kiểm tra đầu ra")
    for component in ("entrance", "exit", "scenarios", "assessment", "reflection"):
        score, sources, _ = scores[component]
        if component not in ("exit", "reflection") and weights.get(component, 0) <= 0:
            continue
        if any(s.get("pending") for s in sources):
            reasons.append(f"{COMPONENT_LABELS[component].lower()} còn bài chờ chấm")
        elif score is not None and score < scheme.component_min:
            reasons.append(f"{COMPONENT_LABELS[component].lower()} {score} < {scheme.component_min}")
    if reasons:
        return False, "Chưa đủ điều kiện: " + "; ".join(reasons) + "."
    return True, None


def _gains(by_purpose: dict[str, list[Result]]) -> dict[str, str]:
    best: dict[tuple[str, str], D] = {}
    for purpose in ("entrance", "exit"):
        for result in by_purpose[purpose]:
            if not result.pending:
                key = (result.topic_code or result.program_code or "", purpose)
                best[key] = max(best.get(key, D(0)), result.score)
    return {
        subject: str(best[(subject, "exit")] - best[(subject, "entrance")])
        for subject, purpose in sorted(best)
        if purpose == "exit" and (subject, "entrance") in best
    }


def recommend(scheme: EvaluationScheme, outputs: dict) -> dict | None:
    """The first policy rule that matches; a suggestion for the board, never applied.

    Rules on the total wait until it is complete: a provisional total (a weighted component
    missing or waiting for grading) never suggests an appointment or a removal."""
    total = None if outputs.get("provisional") else outputs["total"]
    for rule in scheme.rules_data:
        when, value = rule["when"], rule.get("value")
        hit = (
            (when == "exit_failed" and outputs["exit_failed"])
            or (when == "no_certificate" and not outputs["certificate"])
            or (when == "total_min" and total is not None and total >= D(str(value)))
            or (when == "total_below" and total is not None and total < D(str(value)))
        )
        if hit:
            return {
                "decision": rule["recommend"],
                "label": DECISION_LABELS[Decision(rule["recommend"])],
                "text": rule["text"],
                "reference": rule["reference"],
            }
    return None


def _inputs(session: Session, cadre_id: int, cohort_id: int):
    results = inputs.results_for(session, [cadre_id], cohort_id=cohort_id)
    assessments = list(
        session.scalars(
            select(Assessment)
            .where(Assessment.cadre_id == cadre_id, Assessment.cohort_id == cohort_id)
            .order_by(Assessment.kind, Assessment.month)
        )
    )
    attendance = inputs.attendance_for(session, cohort_id, [cadre_id]).get(cadre_id)
    return results, assessments, attendance


def recompute(
    session: Session, cadre_id: int, cohort_id: int, now: dt.datetime | None = None, *, force: bool = False
) -> EvaluationRecord | None:
    """Create or refresh the record of one cadre in one cohort. Finalized records stay frozen
    (``force`` is for ``correct``). None when there is nothing to evaluate yet."""
    now = now or utcnow()
    record = session.scalar(
        select(EvaluationRecord).where(
            EvaluationRecord.cadre_id == cadre_id, EvaluationRecord.cohort_id == cohort_id
        )
    )
    if record is not None and record.finalized_at is not None and not force:
        return record
    results, assessments, attendance = _inputs(session, cadre_id, cohort_id)
    if record is None and not results and not assessments:
        return None
    info = inputs.cohort_info(session, cohort_id) or {}
    program_code = (
        info.get("program_code")
        or next((r.program_code for r in results if r.program_code), None)
        or next((a.program_code for a in assessments if a.program_code), None)
    )
    scheme = scheme_for(session, program_code)
    outputs = compute(scheme, results, assessments, attendance)
    year = (
        info["start_date"].year
        if info.get("start_date")
        else max((r.finished_at.year for r in results), default=now.year)
    )
    if record is None:
        record = EvaluationRecord(cadre_id=cadre_id, cohort_id=cohort_id)
        session.add(record)
    record.program_code, record.year, record.scheme = program_code, year, scheme
    record.total, record.band, record.passed = outputs["total"], outputs["band"], outputs["passed"]
    record.certificate, record.certificate_reason = outputs["certificate"], outputs["certificate_reason"]
    record.renormalised = outputs["renormalised"]
    record.missing_components = ",".join(outputs["missing"])
    record.pending_components = ",".join(outputs["pending"])
    record.components, record.gains = dumps(outputs["components"]), dumps(outputs["gains"])
    advice = recommend(scheme, outputs)
    record.recommendation = dumps(advice) if advice else None
    record.computed_at = now
    session.flush()
    return record


def recompute_for_result(session: Session, result: Result, now: dt.datetime | None = None) -> None:
    """For the integrator: call after ``record_result`` (quizzes, scenarios) so the cadre's
    record follows at once instead of at the next ``evaluation recompute``."""
    if result.cohort_id is not None:
        recompute(session, result.cadre_id, result.cohort_id, now)


def pairs_to_evaluate(session: Session, cohort_id: int | None = None) -> list[tuple[int, int]]:
    """Every (cadre, cohort) with an input: a result in a cohort or an assessment."""
    results = select(Result.cadre_id, Result.cohort_id).where(Result.cohort_id.is_not(None))
    manual = select(Assessment.cadre_id, Assessment.cohort_id)
    if cohort_id is not None:
        results = results.where(Result.cohort_id == cohort_id)
        manual = manual.where(Assessment.cohort_id == cohort_id)
    pairs = {(int(c), int(k)) for c, k in session.execute(union(results, manual))}
    if cohort_id is not None:
        pairs |= {(c, cohort_id) for c in inputs.enrolled_cadres(session, cohort_id)}
    return sorted(pairs)


def recompute_all(session: Session, now: dt.datetime | None = None, progress=None) -> int:
    """Idempotent: refresh every open record (finalized ones are left frozen)."""
    pairs = pairs_to_evaluate(session)
    for number, (cadre_id, cohort_id) in enumerate(pairs, 1):
        recompute(session, cadre_id, cohort_id, now)
        if progress and number % 1000 == 0:
            progress(number, len(pairs))
    return len(pairs)


def _program_records(program_code: str):
    """Open records computed with the program's scheme, or with the default one (a program's
    first own scheme replaces the default for its records)."""
    return (
        select(EvaluationRecord.cadre_id, EvaluationRecord.cohort_id)
        .join(EvaluationScheme, EvaluationScheme.id == EvaluationRecord.scheme_id)
        .where(
            EvaluationRecord.finalized_at.is_(None),
            EvaluationScheme.program_code.in_({program_code, DEFAULT_PROGRAM}),
        )
    )


def recompute_program(
    session: Session, program_code: str, now: dt.datetime | None = None, progress=None
) -> int:
    """After a program's scheme changed (content import, scheme form): its open records."""
    pairs = sorted((int(c), int(k)) for c, k in session.execute(_program_records(program_code)))
    for number, (cadre_id, cohort_id) in enumerate(pairs, 1):
        recompute(session, cadre_id, cohort_id, now)
        if progress and number % 500 == 0:
            progress(number, len(pairs))
    return len(pairs)


# --- finalization and corrections ----------------------------------------------------------


def snapshot_data(session: Session, record: EvaluationRecord) -> dict:
    results, assessments, attendance = _inputs(session, record.cadre_id, record.cohort_id)
    return {
        "scheme": {
            "id": record.scheme_id,
            "program": record.scheme.program_code,
            "version": record.scheme.version,
        },
        "inputs": {
            "results": [_source(r) | {"finished_at": r.finished_at.isoformat()} for r in results],
            "assessments": [
                {"kind": str(a.kind), "month": a.month, "points": str(a.points), "comment": a.comment}
                for a in assessments
            ],
            "attendance": list(attendance) if attendance else None,
        },
        "outputs": {
            "total": str(record.total) if record.total is not None else None,
            "band": record.band,
            "passed": record.passed,
            "certificate": record.certificate,
            "certificate_reason": record.certificate_reason,
            "renormalised": record.renormalised,
            "missing": record.missing_list,
            "pending": record.pending_list,
            "components": record.components_data,
            "gains": record.gains_data,
            "recommendation": record.recommendation_data,
        },
    }


def latest_snapshot(session: Session, record: EvaluationRecord) -> EvaluationSnapshot | None:
    return session.scalar(
        select(EvaluationSnapshot)
        .where(EvaluationSnapshot.record_id == record.id)
        .order_by(EvaluationSnapshot.id.desc())
        .limit(1)
    )


def finalize(session: Session, cohort_id: int, actor: Any, now: dt.datetime | None = None) -> int:
    """Close a cohort's evaluation: recompute, then freeze every open record in a snapshot."""
    now = now or utcnow()
    count = 0
    for cadre_id, _ in pairs_to_evaluate(session, cohort_id):
        record = recompute(session, cadre_id, cohort_id, now)
        if record is None or record.finalized_at is not None:
            continue
        record.finalize(now)
        session.add(
            EvaluationSnapshot(
                record_id=record.id,
                cadre_id=cadre_id,
                cohort_id=cohort_id,
                data=dumps(snapshot_data(session, record)),
                actor_id=getattr(actor, "id", None),
                created_at=now,
            )
        )
        count += 1
    session.flush()
    audit.record(
        session, actor, "evaluation.finalize", "cohort", cohort_id, after={"records": count}, now=now
    )
    return count


def correct(
    session: Session, record: EvaluationRecord, actor: Any, reason: str, now: dt.datetime | None = None
) -> EvaluationSnapshot:
    """Recompute a finalized record from today's inputs; the new snapshot supersedes the last."""
    reason = (reason or "").strip()
    if len(reason) < MIN_CORRECTION_REASON:
        raise LmsError(f"Cần ghi rõ lý do đính chính (ít nhất {MIN_CORRECTION_REASON} ký tự).")
    if record.finalized_at is None:
        raise Conflict("Kết quả chưa chốt thì được tính lại tự động; không cần đính chính.")
    now = now or utcnow()
    previous = latest_snapshot(session, record)
    before = previous.data_dict["outputs"] if previous else None
    recompute(session, record.cadre_id, record.cohort_id, now, force=True)
    snapshot = EvaluationSnapshot(
        record_id=record.id,
        cadre_id=record.cadre_id,
        cohort_id=record.cohort_id,
        data=dumps(snapshot_data(session, record)),
        supersedes_id=previous.id if previous else None,
        reason=reason,
        actor_id=getattr(actor, "id", None),
        created_at=now,
    )
    session.add(snapshot)
    session.flush()
    audit.record(
        session,
        actor,
        "evaluation.correct",
        "evaluation_record",
        record.public_id,
        before=before,
        after=snapshot.data_dict["outputs"],
        note=reason,
        now=now,
    )
    return snapshot


# --- manual assessments --------------------------------------------------------------------


def save_assessment(
    session: Session,
    actor: Any,
    *,
    cadre: CadreProfile,
    cohort_id: int,
    month: str,
    points: Any,
    comment: str = "",
    kind: AssessmentKind | str = AssessmentKind.monthly,
    program_code: str | None = None,
    now: dt.datetime | None = None,
) -> Assessment:
    """Upsert one instructor assessment (per cadre, cohort, kind, month) and recompute."""
    now = now or utcnow()
    kind = AssessmentKind(kind)
    try:
        dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise LmsError(f"Tháng “{month}” không hợp lệ; ghi theo dạng NNNN-TT, ví dụ 2026-03.") from None
    points = q2(_number(points, "Điểm đánh giá"))
    row = session.scalar(
        select(Assessment).where(
            Assessment.cadre_id == cadre.id,
            Assessment.cohort_id == cohort_id,
            Assessment.kind == kind,
            Assessment.month == month,
        )
    )
    before = {"points": str(row.points), "comment": row.comment} if row else None
    if row is None:
        row = Assessment(cadre_id=cadre.id, cohort_id=cohort_id, kind=kind, month=month)
        session.add(row)
    row.points, row.comment = points, (comment or "").strip()
    row.program_code = program_code or row.program_code
    row.instructor_id, row.updated_at = getattr(actor, "id", None), now
    session.flush()
    audit.record(
        session,
        actor,
        "evaluation.assess",
        "evaluation_assessment",
        row.public_id,
        before=before,
        after={"points": str(points), "comment": row.comment, "kind": str(kind), "month": month},
        now=now,
    )
    recompute(session, cadre.id, cohort_id, now)
    return row


# --- planning decisions --------------------------------------------------------------------


def planning_limit(session: Session, title_id: int | None, day: dt.date) -> PlanningLimit | None:
    """The limit valid on ``day`` for the title (a title-specific row wins over a general one)."""
    rows = session.scalars(
        select(PlanningLimit).where((PlanningLimit.title_id == title_id) | PlanningLimit.title_id.is_(None))
    )
    valid = [
        r
        for r in rows
        if (r.valid_from is None or r.valid_from <= day) and (r.valid_to is None or day <= r.valid_to)
    ]
    valid.sort(key=lambda r: (r.title_id is None, -(r.valid_from or dt.date.min).toordinal()))
    return valid[0] if valid else None


def pool_count(session: Session, unit: Unit, title_id: int) -> int:
    return session.scalar(
        select(func.count(CadreProfile.id))
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(
            Unit.path.startswith(unit.path, autoescape=True),
            CadreProfile.title_id == title_id,
            CadreProfile.planning_status == PlanningStatus.in_pool,
        )
    )


def limit_warning(session: Session, profile: CadreProfile, day: dt.date) -> str | None:
    """A warning when the cadre's unit has more cadres planned for the title than allowed."""
    if profile.title_id is None:
        return None
    limit = planning_limit(session, profile.title_id, day)
    if limit is None:
        return None
    count = pool_count(session, profile.unit, profile.title_id)
    if count <= limit.max_per_title:
        return None
    return (
        f"{profile.unit.name} đang có {count} người trong quy hoạch chức danh "
        f"“{profile.title.name}”, vượt giới hạn {limit.max_per_title} người ({limit.legal_basis})."
    )


def decide(
    session: Session,
    actor: Any,
    profile: CadreProfile,
    decision: Decision | str,
    reason: str,
    policy_reference: str = "",
    now: dt.datetime | None = None,
) -> PlanningDecision:
    """Record a board decision (append-only) and apply it to the planning status (audited)."""
    now = now or utcnow()
    try:
        decision = Decision(decision)
    except ValueError:
        raise LmsError("Quyết định không hợp lệ.") from None
    reason = (reason or "").strip()
    if len(reason) < MIN_DECISION_REASON:
        raise LmsError(f"Cần ghi lý do bằng văn bản (ít nhất {MIN_DECISION_REASON} ký tự).")
    before = profile.planning_status
    after = DECISION_STATUS[decision] or before
    latest = session.scalar(
        select(EvaluationRecord.recommendation)
        .where(EvaluationRecord.cadre_id == profile.id)
        .order_by(EvaluationRecord.year.desc(), EvaluationRecord.id.desc())
        .limit(1)
    )
    if after != before:
        from lms.org.services import update_profile

        update_profile(session, profile, actor, planning_status=after)
    row = PlanningDecision(
        cadre_id=profile.id,
        decision=decision,
        status_before=str(before),
        status_after=str(after),
        reason=reason,
        policy_reference=(policy_reference or "").strip(),
        recommendation=latest,
        actor_id=getattr(actor, "id", None),
        unit_id=getattr(actor, "unit_id", None) or profile.unit_id,
        created_at=now,
    )
    row.limit_warning = limit_warning(session, profile, now.date())
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "planning.decide",
        "cadre_profile",
        profile.id,
        before={"planning_status": str(before)},
        after={"planning_status": str(after), "decision": str(decision), "reference": row.policy_reference},
        note=reason,
        now=now,
    )
    return row


def decisions_for(session: Session, profile: CadreProfile) -> list[PlanningDecision]:
    return list(
        session.scalars(
            select(PlanningDecision)
            .where(PlanningDecision.cadre_id == profile.id)
            .order_by(PlanningDecision.created_at.desc(), PlanningDecision.id.desc())
        )
    )


# --- post-training survey ------------------------------------------------------------------


def may_answer_survey(session: Session, profile: CadreProfile, cohort_id: int) -> bool:
    has_result = session.scalar(
        select(Result.id).where(Result.cadre_id == profile.id, Result.cohort_id == cohort_id).limit(1)
    )
    return has_result is not None or inputs.is_enrolled(session, cohort_id, profile.id)


def submit_survey(
    session: Session,
    profile: CadreProfile,
    cohort_id: int,
    improvement: str,
    needs_update: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> SurveyResponse:
    if not may_answer_survey(session, profile, cohort_id):
        raise Forbidden("Đồng chí chưa tham gia lớp này nên không gửi phiếu khảo sát được.")
    existing = session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.cadre_id == profile.id, SurveyResponse.cohort_id == cohort_id
        )
    )
    if existing is not None:
        raise Conflict("Đồng chí đã gửi phiếu khảo sát cho lớp này; mỗi người gửi một lần.")
    try:
        improvement = Improvement(improvement)
    except ValueError:
        raise LmsError("Mức đánh giá không hợp lệ.") from None
    program_code = session.scalar(
        select(Result.program_code)
        .where(Result.cadre_id == profile.id, Result.cohort_id == cohort_id)
        .limit(1)
    )
    row = SurveyResponse(
        cohort_id=cohort_id,
        cadre_id=profile.id,
        improvement=improvement,
        needs_update=bool(needs_update),
        comment=(comment or "").strip(),
        program_code=program_code,
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


# --- keeping records in step with their inputs (see lms/events.py) ------------------------


@events.result_recorded.connect
def _on_result_recorded(session: Session, result: Result) -> None:
    recompute_for_result(session, result)


@events.attendance_changed.connect
def _on_attendance_changed(session: Session, cohort_id: int) -> None:
    for cadre_id in inputs.enrolled_cadres(session, cohort_id):
        recompute(session, cadre_id, cohort_id)


@events.program_saved.connect
def _on_program_saved(session: Session, program_code: str, evaluation: dict | None) -> None:
    if evaluation is not None:
        ensure_scheme(session, program_code, evaluation, note="content import")
