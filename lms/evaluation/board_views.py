"""The board's list of cadres and a cadre's dossier: viewing, exporting, planning decisions and
who read the dossier.

Each view: load → authorize → validate → act → commit once → respond.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lms import audit
from lms.auth.permissions import requires, unit_scope
from lms.db import db
from lms.errors import LmsError
from lms.evaluation import inputs, services
from lms.evaluation.blueprint import (
    PAGE_SIZE,
    XLSX,
    _download,
    _load_profile,
    _today,
    bp,
    indent,
    scoped_units,
)
from lms.evaluation.board import BoardFilters, board_count, board_query, with_records_in
from lms.evaluation.dossier import dossier_data, dossier_xlsx
from lms.evaluation.forms import BoardFilterForm, DecisionForm
from lms.evaluation.models import DECISION_LABELS, EvaluationRecord
from lms.evaluation.schemes import band_label
from lms.org.models import (
    GENDER_LABELS,
    PLANNING_STATUS_LABELS,
    QUALIFICATION_KIND_LABELS,
    CadreProfile,
    PlanningStatus,
    TargetGroup,
    Title,
)
from lms.org.services import get_profile
from lms.results.models import PURPOSE_LABELS
from lms.web import checked_filters, page_arg

# --- board ---------------------------------------------------------------------------------


@bp.get("/board")
@requires("evaluation.board")
def board():
    form = BoardFilterForm(request.args)
    units = scoped_units()
    form.unit_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [SelectChoice(u.id, indent(u)) for u in units]
    titles = db.session.scalars(select(Title).order_by(Title.sort_order)).all()
    form.title_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [SelectChoice(t.id, t.name) for t in titles]
    groups = db.session.scalars(select(TargetGroup).order_by(TargetGroup.code)).all()
    form.target_group_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [
        SelectChoice(g.id, g.name) for g in groups
    ]
    bands = [name for name, _minimum in services.DEFAULT_BANDS]
    form.band.choices = [SelectChoice("", _("— Tất cả —"))] + [SelectChoice(b, band_label(b)) for b in bands]
    valid = checked_filters(form)
    form.cohort_id.set_cohorts(
        inputs.cohort_rows(db.session, with_records_in(unit_scope(current_user))), _("— Tất cả —")
    )
    filters = BoardFilters()
    if valid:
        filters = BoardFilters(
            unit_id=form.unit_id.data or None,
            title_id=form.title_id.data or None,
            target_group_id=form.target_group_id.data or None,
            planning_status=form.planning_status.data or None,
            band=form.band.data or None,
            gap=form.gap.data or None,
            cohort_id=form.cohort_id.data or None,
            year=form.year.data or None,
        )
    query = board_query(unit_scope(current_user), filters, _today())
    page = page_arg()
    total = db.session.scalar(board_count(unit_scope(current_user), filters, _today()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    from lms.evaluation.models import _loads

    return render_template(
        "evaluation/board.html",
        form=form,
        rows=[(row, _loads(row.recommendation, None)) for row in rows],
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        planning_labels=PLANNING_STATUS_LABELS,
    )


# --- dossier -------------------------------------------------------------------------------


def _render_dossier(profile: CadreProfile, form: DecisionForm, status: int = 200):
    data = dossier_data(db.session, profile, _today())
    return (
        render_template(
            "evaluation/dossier.html",
            form=form,
            gender_labels=GENDER_LABELS,
            planning_labels=PLANNING_STATUS_LABELS,
            kind_labels=QUALIFICATION_KIND_LABELS,
            decision_labels=DECISION_LABELS,
            purpose_labels=PURPOSE_LABELS,
            PlanningStatus=PlanningStatus,
            **data,
        ),
        status,
    )


@bp.get("/dossier/<public_id>")
@requires("evaluation.dossier")
def dossier(public_id: str):
    profile = _load_profile(public_id, "evaluation.dossier")
    form = DecisionForm()
    records = db.session.scalars(
        select(EvaluationRecord)
        .where(EvaluationRecord.cadre_id == profile.id)
        .order_by(EvaluationRecord.year.desc(), EvaluationRecord.id.desc())
        .limit(1)
    ).all()
    advice = records[0].recommendation_data if records else None
    if advice and not form.is_submitted():
        form.decision.data = advice["decision"]
        form.policy_reference.data = advice["reference"]
    audit.record(db.session, current_user, "dossier.view", "cadre_profile", profile.id)
    response = _render_dossier(profile, form)
    db.session.commit()
    return response


@bp.get("/dossier/<public_id>/export.xlsx")
@requires("evaluation.export")
def dossier_export(public_id: str):
    profile = _load_profile(public_id, "evaluation.export")
    data = dossier_xlsx(dossier_data(db.session, profile, _today()))
    audit.record(db.session, current_user, "dossier.export", "cadre_profile", profile.id)
    db.session.commit()
    return _download(data, f"ho-so-{profile.public_id}.xlsx", XLSX)


@bp.post("/dossier/<public_id>/decide")
@requires("evaluation.decide")
def decide(public_id: str):
    profile = _load_profile(public_id, "evaluation.decide")
    form = DecisionForm()
    if not form.validate():
        return _render_dossier(profile, form, 400)
    try:
        row = services.decide(
            db.session,
            current_user,
            profile,
            form.decision.data,
            form.reason.data,
            form.policy_reference.data,
        )
    except LmsError as exc:
        db.session.rollback()
        form.reason.errors = [exc.message]
        return _render_dossier(get_profile(db.session, public_id), form, 400)
    db.session.commit()
    flash(_("Đã ghi quyết định: %(d)s.", d=DECISION_LABELS[row.decision]), "success")
    if row.limit_warning:
        flash(_("Lưu ý: %(w)s", w=row.limit_warning), "warning")
    return redirect(url_for("evaluation.dossier", public_id=public_id) + "#quy-hoach")


@bp.get("/dossier/<public_id>/reads")
@requires("audit.view")
def dossier_reads(public_id: str):
    profile = get_profile(db.session, public_id)
    from lms.audit import AuditEntry
    from lms.auth.models import User

    rows = db.session.execute(
        select(AuditEntry, User)
        .outerjoin(User, AuditEntry.actor_id == User.id)
        .where(
            AuditEntry.object_type == "cadre_profile",
            AuditEntry.object_id == str(profile.id),
            AuditEntry.action.in_(("dossier.view", "dossier.export")),
        )
        .order_by(AuditEntry.id.desc())
        .limit(500)
    ).all()
    return render_template("evaluation/reads.html", profile=profile, rows=rows)
