"""The gradebook of a cohort: every enrolled learner × every component (entrance, exit,
scenarios, assessment, attendance) with the state of its score.

Read from the evaluation record of (cadre, cohort) when there is one; for a learner without a
record yet, the same components are computed from their results, assessments and attendance
(``services.compute``, nothing stored). Scoped like the evaluation cohort page: the learners of
the viewer's unit subtree (``unit_scope``).
"""

from __future__ import annotations

import csv
import dataclasses
import io

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms.evaluation import inputs, services
from lms.evaluation.models import COMPONENT_LABELS, EvaluationRecord
from lms.org.models import CadreProfile, Unit
from lms.spreadsheet import safe_row

GRADEBOOK_COMPONENTS = ("entrance", "exit", "scenarios", "assessment", "attendance")
STATE_LABELS = {"scored": "có điểm", "pending": "chờ chấm", "missing": "còn thiếu", "none": "—"}


@dataclasses.dataclass(frozen=True)
class Cell:
    state: str  # scored | pending | missing | none (not weighted and no score)
    score: str | None
    note: str = ""

    @property
    def text(self) -> str:
        if self.score is not None:
            value = self.score.replace(".", ",")
            return value + (" (chờ chấm)" if self.state == "pending" else "")
        return STATE_LABELS[self.state] + (f" ({self.note})" if self.note and self.state != "none" else "")


@dataclasses.dataclass(frozen=True)
class Row:
    profile: CadreProfile
    cells: dict[str, Cell]
    total: str | None
    record: EvaluationRecord | None  # None: computed now from the results, not yet recorded


def _cells(components: dict, missing: list[str], pending: list[str]) -> dict[str, Cell]:
    cells = {}
    for code in GRADEBOOK_COMPONENTS:
        data = components.get(code) or {}
        score = data.get("score")
        if code in pending or data.get("pending"):
            state = "pending"
        elif score is not None:
            state = "scored"
        elif code in missing:
            state = "missing"
        else:
            state = "none"
        cells[code] = Cell(state, score, data.get("note") or "")
    return cells


def gradebook(session: Session, cohort_id: int, scope) -> list[Row]:
    enrolled = inputs.enrolled_cadres(session, cohort_id)
    if not enrolled:
        return []
    profiles = session.scalars(
        select(CadreProfile)
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(CadreProfile.id.in_(enrolled), scope)
        .options(selectinload(CadreProfile.unit))
        .order_by(CadreProfile.name_key)
    ).all()
    records = {
        r.cadre_id: r
        for r in session.scalars(
            select(EvaluationRecord).where(
                EvaluationRecord.cohort_id == cohort_id,
                EvaluationRecord.cadre_id.in_([p.id for p in profiles]),
            )
        )
    }
    info = inputs.cohort_info(session, cohort_id) or {}
    scheme = None
    rows = []
    for profile in profiles:
        record = records.get(profile.id)
        if record is not None:
            cells = _cells(record.components_data, record.missing_list, record.pending_list)
            total = str(record.total) if record.total is not None else None
        else:
            scheme = scheme or services.scheme_for(session, info.get("program_code"))
            outputs = services.compute(scheme, *services._inputs(session, profile.id, cohort_id))
            cells = _cells(outputs["components"], outputs["missing"], outputs["pending"])
            total = str(outputs["total"]) if outputs["total"] is not None else None
        rows.append(Row(profile, cells, total, record))
    return rows


def to_csv(rows: list[Row]) -> bytes:
    """UTF-8 with BOM (Excel shows Vietnamese); one row per learner, one column per component."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Họ và tên", "Đơn vị"] + [COMPONENT_LABELS[c] for c in GRADEBOOK_COMPONENTS] + ["Tổng điểm", "Hồ sơ"]
    )
    for row in rows:
        values = [row.profile.full_name, row.profile.unit.name if row.profile.unit else ""]
        values += [row.cells[c].text for c in GRADEBOOK_COMPONENTS]
        values += [
            (row.total or "").replace(".", ","),
            "đã ghi" if row.record is not None else "tính tạm từ kết quả",
        ]
        writer.writerow(safe_row(values))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
