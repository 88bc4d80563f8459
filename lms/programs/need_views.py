"""Training needs: filing one and the summary by unit and title.

Each view: load → authorize → validate → act (service) → commit once → respond.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lms.auth.permissions import requires, unit_scope
from lms.db import db
from lms.org.models import Title
from lms.programs import services as svc
from lms.programs.blueprint import bp
from lms.programs.forms import NeedForm
from lms.web import now

# --- training needs -------------------------------------------------------------------------


@bp.route("/needs/new", methods=["GET", "POST"])
@requires("needs.file")
def need_new():
    form = NeedForm()
    form.title_id.choices = [SelectChoice(0, _("— Không theo chức danh —"))] + [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Title).order_by(Title.sort_order))
    ]
    if form.validate_on_submit():
        title = db.session.get(Title, form.title_id.data) if form.title_id.data else None
        svc.file_need(
            db.session,
            current_user,
            now(),
            unit=current_user.unit,
            title=title,
            topic_text=form.topic_text.data,
            people=form.people.data,
            period=form.period.data,
        )
        db.session.commit()
        flash(_("Đã gửi đăng ký nhu cầu bồi dưỡng."), "success")
        return redirect(url_for("programs.need_new"))
    return render_template("programs/need_new.html", form=form)


@bp.get("/needs")
@requires("needs.view")
def needs():
    period = request.args.get("period", "").strip()[:20] or None
    rows = svc.needs_summary(db.session, unit_scope(current_user), period)
    return render_template("programs/needs.html", rows=rows, period=period or "")
