"""Instructor assessments of a cadre (monthly, reflection), with the cohort's monthly rubric.

Each view: load → authorize → validate → act → commit once → respond.
"""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.auth.permissions import requires
from lms.db import db
from lms.errors import LmsError
from lms.evaluation import inputs, services
from lms.evaluation.blueprint import _load_profile, bp
from lms.evaluation.forms import AssessmentForm
from lms.evaluation.models import ASSESSMENT_KIND_LABELS, Assessment
from lms.numerals import written

# --- instructor assessments ----------------------------------------------------------------


@bp.route("/assess/<public_id>", methods=["GET", "POST"])
@requires("evaluation.assess")
def assess(public_id: str):
    profile = _load_profile(public_id, "evaluation.assess")
    chosen = (
        request.args.get("cohort", type=int)
        if request.method == "GET"
        else request.form.get("cohort_id", type=int)
    )
    rubric = inputs.rubric_for_cohort(db.session, chosen) if chosen and chosen <= 2**31 - 1 else None
    formdata, rubric_errors = None, []
    if request.method == "POST" and rubric:
        formdata, rubric_errors = _apply_rubric(rubric, request.form)
    form = AssessmentForm(formdata=formdata) if formdata is not None else AssessmentForm()
    if request.method == "GET" and chosen:
        form.cohort_id.data = chosen
    form.cohort_id.set_cohorts(
        inputs.cohort_rows(db.session, inputs.enrolled_in(profile.id)), _("— Chọn lớp —")
    )
    if form.validate_on_submit() and not rubric_errors:
        try:
            services.save_assessment(
                db.session,
                current_user,
                cadre=profile,
                cohort_id=form.cohort_id.data,
                month=form.month.data,
                points=form.points.data,
                comment=form.comment.data or "",
                kind=form.kind.data,
            )
        except LmsError as exc:
            db.session.rollback()
            form.points.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã lưu đánh giá và tính lại kết quả."), "success")
            return redirect(url_for("evaluation.assess", public_id=public_id))
    rows = db.session.scalars(
        select(Assessment)
        .where(Assessment.cadre_id == profile.id)
        .order_by(Assessment.cohort_id.desc(), Assessment.month.desc())
    ).all()
    status = 400 if form.errors or rubric_errors else 200
    return (
        render_template(
            "evaluation/assess.html",
            profile=profile,
            form=form,
            rows=rows,
            kind_labels=ASSESSMENT_KIND_LABELS,
            cohorts=inputs.cohorts_of(db.session, profile.id),
            rubric=rubric,
            rubric_errors=rubric_errors,
            picked={k: v for k, v in request.form.items() if k.startswith("rubric-")},
        ),
        status,
    )


def _apply_rubric(rubric: dict, form) -> tuple[MultiDict | None, list[str]]:
    """The monthly rubric of the cohort's program: one level per criterion gives the points (the
    levels' sum, on 10) and a comment naming each level. No level chosen at all: the points field
    is used as typed. Some but not all: an error naming the criteria left."""
    picks = [form.get(f"rubric-{i}", "") for i in range(len(rubric["criteria"]))]
    if not any(picks):
        return None, []
    data = MultiDict(form)
    chosen, missing = [], []
    for number, (criterion, pick) in enumerate(zip(rubric["criteria"], picks, strict=True), 1):
        levels = criterion["levels"]
        if not pick.isdigit() or int(pick) >= len(levels):
            missing.append(str(number))
            continue
        chosen.append((criterion["criterion"], *levels[int(pick)]))
    if missing:
        return data, [_("Chọn một mức cho mọi tiêu chí (còn thiếu tiêu chí %(n)s).", n=", ".join(missing))]
    data["points"] = str(sum(points for _c, _label, points in chosen))
    # stored as data, the points as Python writes them ("2.5"); comment_text shows them the reader's way
    summary = "; ".join(f"{c}: {label} ({points:g})" for c, label, points in chosen)
    data["comment"] = (summary + ("\n" + form["comment"] if form.get("comment") else ""))[:2000]
    return data, []


# one "criterion: level (points)" of the summary line _apply_rubric writes
_SUMMARY_PART = re.compile(r"(?P<named>.+?: .*) \((?P<points>\d+(?:\.\d+)?)\)")


def comment_text(comment: str | None) -> str:
    """An assessment's comment as shown: when its first line is the rubric's summary
    ("Chuyên cần: Đủ buổi (2.5); Thực hành: Làm được (3)", every part so), its points in the
    reader's locale ("2,5" on a Vietnamese page); anything else as stored."""
    first, newline, rest = (comment or "").partition("\n")
    parts = [_SUMMARY_PART.fullmatch(part) for part in first.split("; ")]
    if not first or not all(parts):
        return comment or ""
    shown = "; ".join(f"{m['named']} ({written(float(m['points']))})" for m in parts)
    return shown + newline + rest
