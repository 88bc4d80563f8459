"""Evaluation records and cohorts: a record and its corrections, a cohort's records, its
gradebook (page and CSV) and finalization.

Each view: load → authorize → validate → act → commit once → respond.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.auth.permissions import authorize, can, requires, unit_scope
from lms.db import db
from lms.evaluation import inputs, services
from lms.evaluation.blueprint import bp
from lms.evaluation.forms import CorrectionForm, FinalizeForm
from lms.evaluation.models import COMPONENTS, EvaluationRecord, EvaluationSnapshot
from lms.org.models import CadreProfile, Unit

# --- records, finalization, corrections -----------------------------------------------------


def _load_record(public_id: str, action: str) -> EvaluationRecord:
    record = db.session.scalar(select(EvaluationRecord).where(EvaluationRecord.public_id == public_id))
    if record is None:
        abort(404)
    authorize(action, record.cadre)
    return record


def _render_record(row: EvaluationRecord, form: CorrectionForm, status: int = 200):
    snapshots = db.session.scalars(
        select(EvaluationSnapshot)
        .where(EvaluationSnapshot.record_id == row.id)
        .order_by(EvaluationSnapshot.id)
    ).all()
    return render_template(
        "evaluation/record.html",
        record=row,
        snapshots=snapshots,
        components=COMPONENTS,
        form=form,
    ), status


@bp.get("/records/<public_id>")
@requires("evaluation.dossier")
def record(public_id: str):
    return _render_record(_load_record(public_id, "evaluation.dossier"), CorrectionForm())


@bp.post("/records/<public_id>/correct")
@requires("evaluation.schemes")
def correct(public_id: str):
    row = _load_record(public_id, "evaluation.schemes")
    form = CorrectionForm()
    if not form.validate():  # rendered in place with the typed reason, never a redirect
        return _render_record(row, form, 400)
    services.correct(db.session, row, current_user, form.reason.data)
    db.session.commit()
    flash(_("Đã lưu bản đính chính."), "success")
    return redirect(url_for("evaluation.record", public_id=public_id))


@bp.get("/cohorts/<int(max=2147483647):cohort_id>")
@requires("evaluation.board")
def cohort(cohort_id: int):
    rows = db.session.scalars(
        select(EvaluationRecord)
        .join(CadreProfile, EvaluationRecord.cadre_id == CadreProfile.id)
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(EvaluationRecord.cohort_id == cohort_id, unit_scope(current_user))
        .order_by(CadreProfile.name_key)
    ).all()

    info = inputs.cohort_info(db.session, cohort_id)
    # Scoped like every other object: a cohort is shown when it is run in the member's subtree
    # or holds records of cadres in it; anything else (a guessed id) is a 404 that says nothing.
    in_scope = bool(rows) or (
        info is not None and can(current_user, "evaluation.board", db.session.get(Unit, info["unit_id"]))
    )
    if not in_scope:
        abort(404)
    return render_template(
        "evaluation/cohort.html",
        cohort_id=cohort_id,
        info=info,
        rows=rows,
        form=FinalizeForm(),
    )


@bp.get("/cohorts/<int(max=2147483647):cohort_id>/gradebook")
@requires("evaluation.board")
def gradebook(cohort_id: int):
    from lms.evaluation import gradebook as book
    from lms.evaluation import inputs

    info = inputs.cohort_info(db.session, cohort_id)
    if info is None:
        abort(404)
    return render_template(
        "evaluation/gradebook.html",
        info=info,
        rows=book.gradebook(db.session, cohort_id, unit_scope(current_user)),
        components=book.GRADEBOOK_COMPONENTS,
    )


@bp.get("/cohorts/<int(max=2147483647):cohort_id>/gradebook.csv")
@requires("evaluation.board")
def gradebook_csv(cohort_id: int):
    from lms.evaluation import gradebook as book
    from lms.evaluation import inputs

    info = inputs.cohort_info(db.session, cohort_id)
    if info is None:
        abort(404)
    body = book.to_csv(book.gradebook(db.session, cohort_id, unit_scope(current_user)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{info["code"]}-bang-diem.csv"'},
    )


@bp.post("/cohorts/<int(max=2147483647):cohort_id>/finalize")
@requires("evaluation.schemes")
def finalize(cohort_id: int):
    form = FinalizeForm()
    if not form.validate():
        abort(400)
    count = services.finalize(db.session, cohort_id, current_user)
    db.session.commit()
    flash(_("Đã chốt %(n)s kết quả đánh giá.", n=count), "success")
    return redirect(url_for("evaluation.cohort", cohort_id=cohort_id))
