from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from lms.auth.permissions import authorize, requires, unit_scope
from lms.db import db
from lms.org.forms import CadreEditForm, CadreFilterForm, QualificationForm
from lms.org.models import (
    GENDER_LABELS,
    PLANNING_STATUS_LABELS,
    QUALIFICATION_KIND_LABELS,
    UNIT_KIND_LABELS,
    CadreQualification,
    QualificationLevel,
    Title,
    Unit,
)
from lms.org.services import (
    cadre_list_query,
    get_profile,
    profile_state,
    standard_gaps,
    update_profile,
)
from lms.web import checked_filters, page_arg

bp = Blueprint("org", __name__)
PAGE_SIZE = 50


def _scoped_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(unit_scope(current_user)).order_by(Unit.path)))


def _indent(unit: Unit) -> str:
    return "— " * (unit.path.count("/") - 2) + unit.name


@bp.get("/units")
@requires("units.view")
def units():
    units = _scoped_units()
    base_depth = min((u.path.count("/") for u in units), default=2)
    return render_template("org/units.html", units=units, base_depth=base_depth, kind_labels=UNIT_KIND_LABELS)


@bp.get("/cadres")
@requires("cadres.list")
def cadres():
    form = CadreFilterForm(request.args)
    units = _scoped_units()
    form.unit_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [
        SelectChoice(u.id, _indent(u)) for u in units
    ]
    titles = db.session.scalars(select(Title).order_by(Title.sort_order)).all()
    form.title_id.choices = [SelectChoice(0, _("— Tất cả —"))] + [SelectChoice(t.id, t.name) for t in titles]
    checked_filters(form)
    query = cadre_list_query(
        unit_scope(current_user),
        unit_id=form.unit_id.data or None,
        title_id=form.title_id.data or None,
        planning_status=form.planning_status.data or None,
        name=form.name.data or None,
    )
    page = page_arg()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "org/cadres.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        planning_labels=PLANNING_STATUS_LABELS,
    )


@bp.get("/cadres/<public_id>")
@requires("cadre.view")
def cadre(public_id: str):
    profile = get_profile(db.session, public_id)
    authorize("cadre.view", profile)
    today = dt.date.today()
    return render_template(
        "org/cadre.html",
        profile=profile,
        gaps=standard_gaps(db.session, profile, today),
        today=today,
        gender_labels=GENDER_LABELS,
        planning_labels=PLANNING_STATUS_LABELS,
        kind_labels=QUALIFICATION_KIND_LABELS,
    )


@bp.get("/me")
@requires("login")
def my_profile():
    from lms.org.models import CadreProfile

    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    if profile is None:
        flash(_("Tài khoản của đồng chí chưa gắn với hồ sơ cán bộ."), "info")
        return redirect(url_for("core.home"))
    return redirect(url_for("org.cadre", public_id=profile.public_id))


@bp.route("/cadres/<public_id>/edit", methods=["GET", "POST"])
@requires("cadre.view")
def cadre_edit(public_id: str):
    profile = get_profile(db.session, public_id)
    authorize("cadre.edit", profile)
    form = CadreEditForm(obj=profile)
    form.unit_id.choices = [SelectChoice(u.id, _indent(u)) for u in _scoped_units()]
    titles = db.session.scalars(select(Title).order_by(Title.sort_order)).all()
    form.title_id.choices = [SelectChoice(0, _("— Chưa có —"))] + [SelectChoice(t.id, t.name) for t in titles]
    qual_form = QualificationForm(prefix="q")
    levels = db.session.scalars(
        select(QualificationLevel).order_by(QualificationLevel.kind, QualificationLevel.rank)
    ).all()
    qual_form.level_id.choices = [
        SelectChoice(lv.id, f"{QUALIFICATION_KIND_LABELS[lv.kind]}: {lv.name}") for lv in levels
    ]
    status = 200
    if request.method == "POST":
        handled = _handle_edit_post(profile, form, qual_form)
        if handled:
            return handled
        status = 400
    return render_template(
        "org/cadre_edit.html",
        profile=profile,
        form=form,
        qual_form=qual_form,
        kind_labels=QUALIFICATION_KIND_LABELS,
    ), status


def _handle_edit_post(profile, form, qual_form):
    remove_id = request.form.get("remove_qualification", type=int)
    if "q-submit" in request.form:
        if not qual_form.validate_on_submit():
            return None
        before = profile_state(profile)
        profile.qualifications.append(
            CadreQualification(
                level=db.session.get(QualificationLevel, qual_form.level_id.data),
                field=qual_form.field.data or None,
                obtained_on=qual_form.obtained_on.data,
            )
        )
        _audit_qualifications(profile, before)
    elif remove_id:  # CSRFProtect has already checked the token of every POST
        before = profile_state(profile)
        profile.qualifications = [q for q in profile.qualifications if q.id != remove_id]
        _audit_qualifications(profile, before)
    else:
        if not form.validate_on_submit():
            return None
        update_profile(
            db.session,
            profile,
            current_user,
            full_name=form.full_name.data,
            birth_year=form.birth_year.data,
            gender=form.gender.data,
            ethnicity=form.ethnicity.data.strip(),
            unit_id=form.unit_id.data,
            title_id=form.title_id.data or None,
            title_since=form.title_since.data,
        )
        db.session.refresh(profile)
    db.session.commit()
    flash(_("Đã lưu hồ sơ."), "success")
    return redirect(url_for("org.cadre_edit", public_id=profile.public_id))


def _audit_qualifications(profile, before) -> None:
    from lms import audit

    db.session.flush()
    db.session.refresh(profile)
    audit.record(
        db.session,
        current_user,
        "profile.update",
        "cadre_profile",
        profile.id,
        before=before,
        after=profile_state(profile),
    )
