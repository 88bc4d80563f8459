"""Closing a cohort's evaluation (frozen snapshots) and correcting a finalized record with a
written reason. Plain functions over a session; they flush, the caller commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit
from lms.db import utcnow
from lms.errors import Conflict, LmsError
from lms.evaluation.models import EvaluationRecord, EvaluationSnapshot, dumps
from lms.evaluation.records import _inputs, _source, pairs_to_evaluate, recompute

MIN_CORRECTION_REASON = 10


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
    for cadre_id, _cohort in pairs_to_evaluate(session, cohort_id):
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
        raise LmsError(
            _(
                "Cần ghi rõ lý do đính chính (ít nhất %(MIN_CORRECTION_REASON)s ký tự).",
                MIN_CORRECTION_REASON=MIN_CORRECTION_REASON,
            )
        )
    if record.finalized_at is None:
        raise Conflict(_("Kết quả chưa chốt thì được tính lại tự động; không cần đính chính."))
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
