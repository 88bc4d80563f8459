from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit, events
from lms.db import utcnow
from lms.errors import LmsError
from lms.org.models import CadreProfile
from lms.results.models import PURPOSES, RESULT_KINDS, Result

TWO_PLACES = decimal.Decimal("0.01")


def _state(result: Result) -> dict:
    return {"score": str(result.score), "passed": result.passed, "pending": result.pending}


def record_result(
    session: Session,
    *,
    cadre: CadreProfile | None = None,
    kind: str,
    origin_id: int,
    source_id: int,
    source_version: int,
    source_title: str,
    purpose: str,
    score: float | decimal.Decimal,
    passed: bool,
    finished_at: dt.datetime,
    pending: bool = False,
    details: Any = None,
    topic_code: str | None = None,
    program_code: str | None = None,
    cohort_id: int | None = None,
    actor: Any = None,
    cadre_id: int | None = None,
    new: bool = False,
) -> Result:
    """Write (or update, for later grading) the one Result of an attempt or run. The cadre: the
    profile or its ``cadre_id``. ``new``: the caller knows the origin has no Result yet (an
    attempt finishing now, its row locked): no lookup first ((kind, origin_id) is unique, so a
    mistaken ``new`` fails at the INSERT, never writes a second Result)."""
    if cadre is not None:
        cadre_id = cadre.id
    if cadre_id is None:
        raise LmsError("record_result needs the cadre")
    if kind not in RESULT_KINDS:
        raise LmsError(f"unknown result kind {kind!r}")
    if purpose not in PURPOSES:
        raise LmsError(f"unknown result purpose {purpose!r}")
    score = decimal.Decimal(str(score)).quantize(TWO_PLACES, rounding=decimal.ROUND_HALF_UP)
    if not decimal.Decimal(0) <= score <= decimal.Decimal(10):
        raise LmsError(f"score {score} is outside 0–10")
    if cohort_id is None:  # before the new row is in the session: the lookup may autoflush
        cohort_id = events.resolve_cohort(session, cadre_id, program_code, finished_at)
    result = None
    if not new:
        result = session.scalar(
            select(Result).where(Result.kind == kind, Result.origin_id == origin_id).with_for_update()
        )
    before = _state(result) if result else None
    if result is None:
        result = Result(kind=kind, origin_id=origin_id)
        session.add(result)
    result.cadre_id = cadre_id
    result.source_id, result.source_version, result.source_title = source_id, source_version, source_title
    result.purpose, result.topic_code, result.program_code = purpose, topic_code, program_code
    result.cohort_id = cohort_id
    result.score, result.passed, result.pending = score, passed, pending
    result.finished_at = finished_at
    result.updated_at = utcnow()
    result.details = json.dumps(details, ensure_ascii=False, default=str) if details is not None else None
    session.flush()
    if before != _state(result):
        audit.record(
            session,
            actor,
            "result.record" if before is None else "result.update",
            "result",
            result.id,
            before=before,
            after=_state(result),
        )
    events.result_recorded.send(session, result=result)
    return result


def results_for_cadre(session: Session, cadre: CadreProfile) -> list[Result]:
    return list(
        session.scalars(select(Result).where(Result.cadre_id == cadre.id).order_by(Result.finished_at.desc()))
    )


def learning_gains(session: Session, cadre: CadreProfile) -> dict[str, decimal.Decimal]:
    """Exit minus entrance, per topic (or program when no topic), best score of each."""
    best: dict[tuple[str, str], decimal.Decimal] = {}
    for result in results_for_cadre(session, cadre):
        if result.purpose not in ("entrance", "exit") or result.pending:
            continue
        key = (result.topic_code or result.program_code or "", result.purpose)
        best[key] = max(best.get(key, decimal.Decimal(0)), result.score)
    return {
        subject: best[(subject, "exit")] - best[(subject, "entrance")]
        for subject, purpose in best
        if purpose == "exit" and (subject, "entrance") in best
    }


def learning_gain_details(session: Session, cadre: CadreProfile) -> list[dict]:
    """Per subject (topic, else program) with an entrance or an exit test: the best finished
    (not pending) result of each, and the gain when both exist. A subject with only one of the
    two says which is missing (``gain`` None), so a learner never reads a gain from one test."""
    best: dict[str, dict[str, Result]] = {}
    for result in results_for_cadre(session, cadre):
        if result.purpose not in ("entrance", "exit") or result.pending:
            continue
        subject = best.setdefault(result.topic_code or result.program_code or "", {})
        held = subject.get(result.purpose)
        if held is None or result.score > held.score:
            subject[result.purpose] = result
    rows = []
    for code, tests in sorted(best.items()):
        entrance, exit_ = tests.get("entrance"), tests.get("exit")
        some = entrance or exit_
        rows.append(
            {
                "code": code,
                "program_code": some.program_code if some else None,
                "entrance": entrance,
                "exit": exit_,
                "gain": exit_.score - entrance.score if entrance and exit_ else None,
            }
        )
    return rows
