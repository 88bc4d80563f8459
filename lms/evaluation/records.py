"""Computing a cadre's evaluation record in a cohort from results, assessments and
attendance; recomputing open records. Plain functions over a session; they flush, the caller
commits. The recommendation is a suggestion for the board, never applied."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from lms.db import utcnow
from lms.evaluation import inputs
from lms.evaluation import reasons as why
from lms.evaluation.models import (
    COMPONENT_LABELS,
    COMPONENTS,
    DECISION_LABELS,
    Assessment,
    AssessmentKind,
    Decision,
    EvaluationRecord,
    EvaluationScheme,
    dumps,
)
from lms.evaluation.numbers import D, q2
from lms.evaluation.schemes import _program_records, scheme_for
from lms.results.models import Result

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
        reasons.append(why.source(why.NO_ATTENDANCE))
    elif attendance_pct < scheme.attendance_min_pct:
        reasons.append(
            why.source(why.LOW_ATTENDANCE, pct=format(attendance_pct, "g"), min=scheme.attendance_min_pct)
        )
    if scores["exit"][0] is None and not scores["exit"][1]:
        reasons.append(why.source(why.NO_EXIT))
    for component in ("entrance", "exit", "scenarios", "assessment", "reflection"):
        score, sources, _ = scores[component]
        if component not in ("exit", "reflection") and weights.get(component, 0) <= 0:
            continue
        name = COMPONENT_LABELS[component].lower()
        if any(s.get("pending") for s in sources):
            reasons.append(why.source(why.PENDING, component=name))
        elif score is not None and score < scheme.component_min:
            reasons.append(why.source(why.BELOW_MIN, component=name, score=score, min=scheme.component_min))
    if reasons:
        return False, why.stored_text(reasons)
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
