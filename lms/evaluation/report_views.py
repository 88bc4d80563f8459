"""Reports of a unit over years: the page and its exports.

Each view: load → authorize → validate → act → commit once → respond.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from lms import audit
from lms.auth.permissions import authorize, requires
from lms.db import db
from lms.evaluation.blueprint import XLSX, _download, _today, bp, indent, scoped_units
from lms.org.models import Unit
from lms.web import checked_filters

# --- reports -------------------------------------------------------------------------------


def _report_params():
    from lms.evaluation.forms import ReportForm

    form = ReportForm(request.args)
    units = scoped_units()
    form.unit_id.choices = [SelectChoice(u.id, indent(u)) for u in units]
    this_year = _today().year
    checked_filters(form, keep=("unit_id",))  # a unit outside the scope is a 403 below
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else current_user.unit
    if unit is None:
        abort(404)
    year_from = form.year_from.data if not form.year_from.errors and form.year_from.data else this_year - 4
    year_to = form.year_to.data if not form.year_to.errors and form.year_to.data else this_year
    if year_from > year_to:
        year_from, year_to = year_to, year_from
    form.unit_id.data, form.year_from.data, form.year_to.data = unit.id, year_from, year_to
    return form, unit, year_from, year_to


@bp.get("/reports")
@requires("evaluation.reports")
def reports():
    from lms.evaluation import reports as stats
    from lms.jobs.forms import ReportJobForm

    form, unit, year_from, year_to = _report_params()
    authorize("evaluation.reports", unit)
    cadres = stats.cadre_count(db.read_session, unit)
    inline = cadres <= int(current_app.config["LMS_REPORT_INLINE_MAX_CADRES"])
    # a province takes 11-16 s: above the limit the tables come only from a job (lms/jobs)
    tables = stats.build(db.read_session, unit, year_from, year_to) if inline else []  # the replica, if any
    job_form = ReportJobForm(unit_id=unit.id, year_from=year_from, year_to=year_to, fmt="xlsx")
    return render_template(
        "evaluation/reports.html",
        form=form,
        unit=unit,
        tables=tables,
        year_from=year_from,
        year_to=year_to,
        inline=inline,
        cadres=cadres,
        job_form=job_form,
    )


@bp.get("/reports/export.<fmt>")
@requires("evaluation.export")
def reports_export(fmt: str):
    from lms.evaluation import reports as stats

    if fmt not in ("xlsx", "csv"):
        abort(404)
    _form, unit, year_from, year_to = _report_params()
    authorize("evaluation.export", unit)
    if stats.cadre_count(db.read_session, unit) > int(current_app.config["LMS_REPORT_INLINE_MAX_CADRES"]):
        flash(_("Phạm vi này lớn: đồng chí hãy bấm “Tạo báo cáo” để hệ thống tạo tệp trong nền."), "warning")
        return redirect(url_for("evaluation.reports", unit_id=unit.id, year_from=year_from, year_to=year_to))
    tables = stats.build(db.read_session, unit, year_from, year_to)  # the replica, if any
    heading = f"{unit.name}, {year_from}–{year_to}"
    audit.record(
        db.session, current_user, "report.export", "unit", unit.id, after={"from": year_from, "to": year_to}
    )
    db.session.commit()
    name = f"bao-cao-{unit.code}-{year_from}-{year_to}.{fmt}"
    if fmt == "csv":
        return _download(stats.to_csv(tables, heading), name, "text/csv; charset=utf-8")
    return _download(stats.to_xlsx(tables, heading), name, XLSX)
