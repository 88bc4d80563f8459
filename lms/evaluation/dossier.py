"""The cadre dossier a board reads before a planning or appointment decision, and its XLSX."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import io
from collections import defaultdict
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.evaluation import inputs
from lms.evaluation.models import DECISION_LABELS, EvaluationRecord, EvaluationSnapshot
from lms.evaluation.services import decisions_for, limit_warning
from lms.org.models import (
    GENDER_LABELS,
    PLANNING_STATUS_LABELS,
    QUALIFICATION_KIND_LABELS,
    CadreProfile,
    PlanningStatus,
)
from lms.org.services import standard_gaps
from lms.results.models import PURPOSE_LABELS
from lms.spreadsheet import safe_row


@dataclasses.dataclass
class HistoryRow:
    year: int
    program: str
    results: int
    average: decimal.Decimal | None
    best_exit: decimal.Decimal | None


def time_in_title(since: dt.date | None, today: dt.date) -> str | None:
    if since is None:
        return None
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    years, months = divmod(max(months, 0), 12)
    return f"{years} năm {months} tháng" if years else f"{months} tháng"


def _scenario_steps(details: Any) -> list[str]:
    """Choices a cadre made in a scenario run, whatever shape the scenario player stores."""
    if not isinstance(details, dict):
        return []
    steps = details.get("path") or details.get("decisions") or details.get("choices") or []
    labels = []
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict):
            label = step.get("choice") or step.get("label") or step.get("text") or step.get("node")
            if label:
                labels.append(str(label))
        elif step:
            labels.append(str(step))
    return labels[:12]


def dossier_data(session: Session, profile: CadreProfile, today: dt.date) -> dict:
    results = inputs.results_for(session, [profile.id])
    history: dict[tuple[int, str], list] = defaultdict(list)
    scenarios = []
    for result in results:
        history[(result.finished_at.year, result.program_code or "—")].append(result)
        if result.kind == "scenario":
            scenarios.append({"result": result, "steps": _scenario_steps(result.details_data)})
    rows = []
    for (year, program), items in sorted(history.items(), reverse=True):
        final = [r.score for r in items if not r.pending]
        exits = [r.score for r in items if r.purpose in ("exit", "final") and not r.pending]
        rows.append(
            HistoryRow(
                year=year,
                program=program,
                results=len(items),
                average=(sum(final) / len(final)).quantize(decimal.Decimal("0.01")) if final else None,
                best_exit=max(exits) if exits else None,
            )
        )
    records = list(
        session.scalars(
            select(EvaluationRecord)
            .where(EvaluationRecord.cadre_id == profile.id)
            .order_by(EvaluationRecord.year.desc(), EvaluationRecord.id.desc())
        )
    )
    snapshots = list(
        session.scalars(
            select(EvaluationSnapshot)
            .where(EvaluationSnapshot.cadre_id == profile.id)
            .order_by(EvaluationSnapshot.id)
        )
    )
    return {
        "profile": profile,
        "today": today,
        "time_in_title": time_in_title(profile.title_since, today),
        "gaps": standard_gaps(session, profile, today),
        "history": rows,
        "results": results,
        "scenarios": scenarios,
        "records": records,
        "snapshots": snapshots,
        "decisions": decisions_for(session, profile),
        "recommendation": records[0].recommendation_data if records else None,
        "limit_warning": limit_warning(session, profile, today)
        if profile.planning_status == PlanningStatus.in_pool
        else None,
    }


def _sheet(workbook: Workbook, title: str, headers: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(safe_row(headers))
    for row in rows:
        sheet.append(safe_row(float(v) if isinstance(v, decimal.Decimal) else v for v in row))
    for column, header in zip(sheet.columns, headers, strict=False):
        width = max([len(str(header))] + [len(str(c.value or "")) for c in column])
        sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    sheet.freeze_panes = "A2"


def dossier_xlsx(data: dict) -> bytes:
    profile: CadreProfile = data["profile"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        "Hồ sơ",
        ["Thông tin", "Giá trị"],
        [
            ["Họ và tên", profile.full_name],
            ["Năm sinh", profile.birth_year],
            ["Giới tính", GENDER_LABELS.get(profile.gender, profile.gender)],
            ["Đơn vị", profile.unit.name],
            ["Chức danh", profile.title.name if profile.title else ""],
            ["Thời gian giữ chức danh", data["time_in_title"] or ""],
            ["Quy hoạch", PLANNING_STATUS_LABELS[profile.planning_status]],
            *[
                [QUALIFICATION_KIND_LABELS[q.level.kind], q.level.name + (f" ({q.field})" if q.field else "")]
                for q in profile.qualifications
            ],
            *[
                [
                    f"Chưa đạt chuẩn: {QUALIFICATION_KIND_LABELS[g.kind]}",
                    f"cần {g.required}; hạn {g.due_by.isoformat() if g.due_by else 'không ghi'}"
                    + ("; đã quá hạn" if g.overdue else ""),
                ]
                for g in data["gaps"]
            ],
        ],
    )
    _sheet(
        workbook,
        "Quá trình bồi dưỡng",
        ["Năm", "Chương trình", "Số bài", "Điểm trung bình", "Điểm đầu ra cao nhất"],
        [[h.year, h.program, h.results, h.average, h.best_exit] for h in data["history"]],
    )
    _sheet(
        workbook,
        "Kết quả đánh giá",
        ["Năm", "Chương trình", "Lớp", "Điểm tổng hợp", "Xếp loại", "Chứng chỉ", "Lý do", "Tiến bộ", "Chốt"],
        [
            [
                r.year,
                r.program_code or "",
                r.cohort_id,
                r.total,
                r.band or "",
                "Có" if r.certificate else "Không",
                r.certificate_reason or "",
                "; ".join(f"{t}: {g}" for t, g in r.gains_data.items()),
                "Đã chốt" if r.finalized_at else "Đang tính",
            ]
            for r in data["records"]
        ],
    )
    _sheet(
        workbook,
        "Kết quả chi tiết",
        ["Ngày", "Bài", "Mục đích", "Chuyên đề", "Điểm", "Đạt", "Mã kết quả"],
        [
            [
                r.finished_at.date().isoformat(),
                r.source_title,
                PURPOSE_LABELS.get(r.purpose, r.purpose),
                r.topic_code or "",
                r.score,
                "Chờ chấm" if r.pending else ("Đạt" if r.passed else "Không đạt"),
                r.public_id,
            ]
            for r in data["results"]
        ],
    )
    _sheet(
        workbook,
        "Quy hoạch",
        ["Thời điểm", "Quyết định", "Trước", "Sau", "Lý do", "Căn cứ"],
        [
            [
                d.created_at.isoformat(timespec="minutes"),
                DECISION_LABELS[d.decision],
                PLANNING_STATUS_LABELS[PlanningStatus(d.status_before)],
                PLANNING_STATUS_LABELS[PlanningStatus(d.status_after)],
                d.reason,
                d.policy_reference,
            ]
            for d in data["decisions"]
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
