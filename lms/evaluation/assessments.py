"""Manual instructor assessments (monthly, reflection): upsert and recompute the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit
from lms.db import utcnow
from lms.errors import LmsError
from lms.evaluation.models import Assessment, AssessmentKind
from lms.evaluation.numbers import _number, q2
from lms.evaluation.records import recompute
from lms.org.models import CadreProfile

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
        raise LmsError(
            _("Tháng “%(month)s” không hợp lệ; ghi theo dạng NNNN-TT, ví dụ 2026-03.", month=month)
        ) from None
    points = q2(_number(points, _("Điểm đánh giá")))
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
