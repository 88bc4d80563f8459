"""The cadre dossier a board reads before a planning or appointment decision, and its XLSX."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import io
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.evaluation import inputs
from lms.evaluation.models import COMPONENT_LABELS, DECISION_LABELS, EvaluationRecord, EvaluationSnapshot
from lms.evaluation.reasons import reason_text
from lms.evaluation.schemes import band_label
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

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclasses.dataclass
class HistoryRow:
    year: int
    program: str
    results: int
    average: decimal.Decimal | None
    best_exit: decimal.Decimal | None


def gains_text(gains: dict, programs: dict[str, str]) -> str:
    """The gains cell a person reads: "Chương trình …: +1,83 điểm" (a name, a Vietnamese decimal,
    a sign and a unit), not "qn-2022-ubnd: 1.83"."""
    from babel.numbers import format_decimal

    parts = []
    for subject, gain in gains.items():
        value = decimal.Decimal(str(gain))
        text = format_decimal(value, format="#,##0.00", locale="vi")
        parts.append(f"{programs.get(subject, subject)}: {'+' if value > 0 else ''}{text} điểm")
    return "; ".join(parts)


def time_in_title(since: dt.date | None, today: dt.date) -> str | None:
    if since is None:
        return None
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    years, months = divmod(max(months, 0), 12)
    return duration_text(years, months)


def duration_text(years: int, months: int) -> str:
    """ "5 năm 5 tháng" / "5 years 5 months", "1 year 0 months", "7 tháng" / "7 months"."""
    month_text = ngettext("%(num)d tháng", "%(num)d tháng", months)
    if not years:
        return month_text
    return _("%(years)s %(months)s", years=ngettext("%(num)d năm", "%(num)d năm", years), months=month_text)


def _scenario_steps(details: Any) -> list[dict]:
    """The decisions of the counted run, each as the step's title and the choice's words (the
    player stores ``{node, title, choice: index, label, points}``; the index means nothing to a
    board, so it is never shown)."""
    if not isinstance(details, dict):
        return []
    steps = details.get("decisions") or details.get("path") or []
    shown = []
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        label = step.get("label") or step.get("text")
        if isinstance(label, str) and label:
            points = step.get("points")
            shown.append(
                {
                    "title": str(step.get("title") or step.get("node") or ""),
                    "label": label,
                    "points": points if isinstance(points, int | float) else None,
                }
            )
    return shown[:12]


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC time as the board's wall-clock time (naive, as spreadsheets want it)."""
    return value.astimezone(VN).replace(tzinfo=None) if value else None


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
    decisions = decisions_for(session, profile)
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
    names = inputs.names_for(
        session,
        cohort_ids={r.cohort_id for r in records},
        program_codes={r.program_code for r in records if r.program_code}
        | {p for (_y, p) in history}
        | {subject for r in records for subject in r.gains_data},  # a gain is per topic or program
        user_ids={d.actor_id for d in decisions if d.actor_id},
    )
    return {
        "profile": profile,
        "today": today,
        "names": names,
        "time_in_title": time_in_title(profile.title_since, today),
        "gaps": standard_gaps(session, profile, today),
        "history": rows,
        "results": results,
        "scenarios": scenarios,
        "records": records,
        "snapshots": snapshots,
        "decisions": decisions,
        "recommendation": records[0].recommendation_data if records else None,
        "limit_warning": limit_warning(session, profile, today)
        if profile.planning_status == PlanningStatus.in_pool
        else None,
    }


def score_status(record) -> str:
    """The words an export puts next to a total: provisional totals name what they lack."""
    if record.total is None:
        return "Chưa có điểm"
    if not record.provisional:
        return "Đủ thành phần"
    parts = []
    if record.missing_list:
        parts.append("còn thiếu: " + ", ".join(COMPONENT_LABELS[c].lower() for c in record.missing_list))
    if record.pending_list:
        parts.append("chờ chấm: " + ", ".join(COMPONENT_LABELS[c].lower() for c in record.pending_list))
    return "Tạm tính" + (" (" + "; ".join(parts) + ")" if parts else "")


def _sheet(workbook: Workbook, title: str, headers: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(safe_row(headers))
    for row in rows:
        sheet.append(safe_row(float(v) if isinstance(v, decimal.Decimal) else v for v in row))
        for cell in sheet[sheet.max_row]:  # real dates, shown the Vietnamese way
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"
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
        _("Hồ sơ"),
        [_("Thông tin"), _("Giá trị")],
        [
            [_("Họ và tên"), profile.full_name],
            [_("Năm sinh"), profile.birth_year],
            [_("Giới tính"), GENDER_LABELS.get(profile.gender, profile.gender)],
            [_("Đơn vị"), profile.unit.name],
            [_("Chức danh"), profile.title.name if profile.title else ""],
            [_("Thời gian giữ chức danh"), data["time_in_title"] or ""],
            [_("Quy hoạch"), PLANNING_STATUS_LABELS[profile.planning_status]],
            *[
                [QUALIFICATION_KIND_LABELS[q.level.kind], q.level.name + (f" ({q.field})" if q.field else "")]
                for q in profile.qualifications
            ],
            *[
                [
                    _("Chưa đạt chuẩn: %(value)s", value=QUALIFICATION_KIND_LABELS[g.kind]),
                    _(
                        "cần %(required)s; hạn %(value)s",
                        required=g.required,
                        value=g.due_by.isoformat() if g.due_by else _("không ghi"),
                    )
                    + (_("; đã quá hạn") if g.overdue else ""),
                ]
                for g in data["gaps"]
            ],
        ],
    )
    _sheet(
        workbook,
        _("Quá trình bồi dưỡng"),
        [_("Năm"), _("Chương trình"), _("Số bài"), _("Điểm trung bình"), _("Điểm đầu ra cao nhất")],
        [
            [h.year, data["names"]["programs"].get(h.program, h.program), h.results, h.average, h.best_exit]
            for h in data["history"]
        ],
    )
    _sheet(
        workbook,
        _("Kết quả đánh giá"),
        [
            _("Năm"),
            _("Chương trình"),
            _("Lớp"),
            _("Điểm tổng hợp"),
            _("Tình trạng điểm"),
            _("Xếp loại"),
            _("Chứng chỉ"),
            _("Lý do"),
            _("Tiến bộ"),
            _("Chốt lúc"),
            _("Tính lúc"),
        ],
        [
            [
                r.year,
                data["names"]["programs"].get(r.program_code, r.program_code or ""),
                data["names"]["cohorts"].get(r.cohort_id, r.cohort_id),
                r.total,
                score_status(r),
                "" if r.provisional else band_label(r.band),
                _("Có") if r.certificate else _("Không"),
                reason_text(r.certificate_reason),
                gains_text(r.gains_data, data["names"]["programs"]),
                local_time(r.finalized_at) or _("Đang tính"),
                local_time(r.computed_at),
            ]
            for r in data["records"]
        ],
    )
    _sheet(
        workbook,
        _("Kết quả chi tiết"),
        [_("Ngày"), _("Bài"), _("Mục đích"), _("Chuyên đề"), _("Điểm"), _("Đạt"), _("Mã kết quả")],
        [
            [
                local_time(r.finished_at).date(),
                r.source_title,
                PURPOSE_LABELS.get(r.purpose, r.purpose),
                r.topic_code or "",
                r.score,
                _("Chờ chấm") if r.pending else (_("Đạt") if r.passed else _("Không đạt")),
                r.public_id,
            ]
            for r in data["results"]
        ],
    )
    _sheet(
        workbook,
        _("Quy hoạch"),
        [_("Thời điểm"), _("Người quyết định"), _("Quyết định"), _("Trước"), "Sau", _("Lý do"), _("Căn cứ")],
        [
            [
                local_time(d.created_at),
                data["names"]["users"].get(d.actor_id, ""),
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
