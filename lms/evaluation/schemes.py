"""Evaluation schemes: defaults, validation of a YAML ``evaluation`` block, versions per
program. Plain functions over a session; they flush, the caller commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit, events
from lms.db import utcnow
from lms.errors import LmsError
from lms.evaluation.models import (
    COMPONENTS,
    DEFAULT_PROGRAM,
    Decision,
    EvaluationRecord,
    EvaluationScheme,
    dumps,
)
from lms.evaluation.numbers import _number, q2

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
# A record stores its band's name as the scheme wrote it; the default names are shown in the
# reader's language, a name a board chose itself as written.
BAND_LABELS = {
    "Xuất sắc": _l("Xuất sắc"),
    "Giỏi": _l("Giỏi"),
    "Khá": _l("Khá"),
    "Trung bình": _l("Trung bình"),
    "Không đạt": _l("Không đạt"),
}


def band_label(name: str | None) -> str:
    return str(BAND_LABELS.get(name, name)) if name else ""


# Notes the system writes on a scheme version (stored in Vietnamese; "content import" by older code)
IMPORT_NOTE = "nhập từ nội dung"
SYSTEM_NOTES = {IMPORT_NOTE: _l("nhập từ nội dung"), "content import": _l("nhập từ nội dung")}


def note_text(note: str | None) -> str:
    """A scheme version's note: the system's own in the reader's language, a person's as written."""
    return str(SYSTEM_NOTES.get(note, note)) if note else ""


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
        raise LmsError(
            _("Khóa không hợp lệ trong khối evaluation: %(value)s.", value=", ".join(sorted(unknown)))
        )
    raw_weights = evaluation.get("weights")
    if raw_weights is not None and not isinstance(raw_weights, dict):
        raise LmsError(_("weights phải là một bảng {thành phần: trọng số}."))
    weights = dict(DEFAULT_WEIGHTS) if raw_weights is None else {c: 0.0 for c in COMPONENTS}
    for key, value in (raw_weights or {}).items():
        if key not in COMPONENTS:
            raise LmsError(
                _("Thành phần “%(key)s” không có; dùng: %(value)s.", key=key, value=", ".join(COMPONENTS))
            )
        weights[key] = _number(value, _("Trọng số %(key)s", key=key), 0, 100)
    if not any(weights.values()):
        raise LmsError(_("Cần ít nhất một thành phần có trọng số lớn hơn 0."))
    bands = evaluation.get("bands") or DEFAULT_BANDS
    if isinstance(bands, dict):
        bands = list(bands.items())
    try:
        bands = sorted(
            ([str(n).strip(), _number(v, _("Mức “%(name)s”", name=n))] for n, v in bands), key=lambda b: -b[1]
        )
    except (TypeError, ValueError):
        raise LmsError(_("bands phải là danh sách [tên mức, điểm tối thiểu].")) from None
    if not bands or bands[-1][1] != 0 or any(not name or len(name) > 40 for name, _ in bands):
        raise LmsError(
            _("Bảng xếp loại cần tên cho mỗi mức (tối đa 40 ký tự) và một mức thấp nhất từ 0 điểm.")
        )
    rules = [_check_rule(r, i + 1) for i, r in enumerate(evaluation.get("rules", DEFAULT_RULES) or [])]
    return {
        "weights": weights,
        "pass_mark": _number(evaluation.get("pass_mark", 5.0), _("Điểm đạt")),
        "component_min": _number(evaluation.get("component_min", 5.0), _("Điểm tối thiểu mỗi thành phần")),
        "attendance_min_pct": int(
            _number(evaluation.get("attendance_min_pct", 100), _("Tỷ lệ chuyên cần"), 0, 100)
        ),
        "bands": bands,
        "rules": rules,
    }


def _check_rule(rule: Any, number: int) -> dict:
    if not isinstance(rule, dict):
        raise LmsError(_("Quy tắc %(number)s: cần một bảng when/recommend/text/reference.", number=number))
    when, recommend = rule.get("when"), rule.get("recommend")
    if when not in RULE_CONDITIONS:
        raise LmsError(
            _(
                "Quy tắc %(number)s: điều kiện “%(when)s” không có; dùng: %(value)s.",
                number=number,
                when=when,
                value=", ".join(RULE_CONDITIONS),
            )
        )
    if recommend not in Decision.__members__:
        raise LmsError(
            _(
                "Quy tắc %(number)s: đề xuất “%(recommend)s” không có; dùng: %(value)s.",
                number=number,
                recommend=recommend,
                value=", ".join(Decision),
            )
        )
    value = rule.get("value")
    if when in ("total_min", "total_below"):
        value = _number(value, _("Quy tắc %(number)s: ngưỡng điểm", number=number))
    text, reference = str(rule.get("text") or "").strip(), str(rule.get("reference") or "").strip()
    if not text or not reference:
        raise LmsError(_("Quy tắc %(number)s: cần ghi nội dung quy tắc và căn cứ (văn bản).", number=number))
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
        raise LmsError(_("Mã chương trình dài quá 80 ký tự."))
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
