"""Evaluation schemes: the list and the edit form (a new version per change).

Each view: load → authorize → validate → act → commit once → respond.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.auth.permissions import requires
from lms.db import db
from lms.errors import LmsError
from lms.evaluation import services
from lms.evaluation.blueprint import bp
from lms.evaluation.forms import SchemeForm
from lms.evaluation.models import (
    COMPONENT_NAMES,
    COMPONENTS,
    DECISION_LABELS,
    DEFAULT_PROGRAM,
    EvaluationScheme,
)

# --- schemes -------------------------------------------------------------------------------


@bp.get("/schemes")
@requires("evaluation.schemes")
def schemes():
    rows = db.session.scalars(
        select(EvaluationScheme).order_by(EvaluationScheme.program_code, EvaluationScheme.version.desc())
    ).all()
    return render_template(
        "evaluation/schemes.html", rows=rows, labels=COMPONENT_NAMES, default=DEFAULT_PROGRAM
    )


def _lines_to_bands(text: str) -> list[list]:
    bands = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 2:
            raise LmsError(
                _("Dòng %(number)s của bảng xếp loại: cần “tên mức | điểm tối thiểu”.", number=number)
            )
        bands.append([parts[0], parts[1].replace(",", ".")])
    return bands


def _lines_to_rules(text: str) -> list[dict]:
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 5:
            raise LmsError(_("Dòng %(number)s của quy tắc: cần 5 phần ngăn bởi “|”.", number=number))
        when, value, recommend, text_, reference = parts
        rules.append(
            {
                "when": when,
                "value": value.replace(",", ".") or None,
                "recommend": recommend,
                "text": text_,
                "reference": reference,
            }
        )
    return rules


@bp.route("/schemes/<program_code>/edit", methods=["GET", "POST"])
@requires("evaluation.schemes")
def scheme_edit(program_code: str):
    if len(program_code) > 80:
        abort(404)
    current = services.scheme_for(db.session, program_code)
    form = SchemeForm()
    if not form.is_submitted():
        content = services.scheme_content(current)
        form.pass_mark.data, form.component_min.data = content["pass_mark"], content["component_min"]
        form.attendance_min_pct.data = content["attendance_min_pct"]
        for component in COMPONENTS:
            getattr(form, f"w_{component}").data = content["weights"].get(component, 0)
        form.bands.data = "\n".join(f"{name} | {minimum:g}" for name, minimum in content["bands"])
        form.rules.data = "\n".join(
            f"{r['when']} | {'' if r.get('value') is None else r['value']} | {r['recommend']} | "
            f"{r['text']} | {r['reference']}"
            for r in content["rules"]
        )
    elif form.validate():
        try:
            block = {
                "pass_mark": float(form.pass_mark.data),
                "component_min": float(form.component_min.data),
                "attendance_min_pct": form.attendance_min_pct.data,
                "weights": {c: float(getattr(form, f"w_{c}").data) for c in COMPONENTS},
                "bands": _lines_to_bands(form.bands.data),
                "rules": _lines_to_rules(form.rules.data or ""),
            }
            scheme = services.ensure_scheme(
                db.session, program_code, block, current_user, note=form.note.data
            )
        except LmsError as exc:
            db.session.rollback()
            form.note.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã lưu phiên bản %(v)s của cách đánh giá.", v=scheme.version), "success")
            recompute = _recompute_job_asked()
            if recompute:  # open records used the old weights: follow their recompute
                flash(
                    _("Các hồ sơ đánh giá của chương trình đang được tính lại theo cách đánh giá mới."),
                    "info",
                )
                return redirect(url_for("jobs.status", public_id=recompute), code=303)
            return redirect(url_for("evaluation.schemes"))
    return render_template(
        "evaluation/scheme_edit.html",
        form=form,
        program_code=program_code,
        current=current,
        components=COMPONENTS,
        conditions=services.RULE_CONDITIONS,
        decisions=DECISION_LABELS,
    )


def _recompute_job_asked() -> str | None:
    """The public id of the recompute job the scheme change asked for (lms/jobs/hooks.py)."""
    from lms.jobs.hooks import asked_jobs

    return next((public_id for public_id, kind, _ in asked_jobs(db.session) if kind == "recompute"), None)
