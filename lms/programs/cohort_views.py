"""Cohorts: the list, creating one, its page, enrolment, attendance of a session and the CSV
export.

Each view: load → authorize → validate → act (service) → commit once → respond.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lms.auth.models import Role
from lms.auth.permissions import authorize, can, requires, unit_scope
from lms.db import db
from lms.errors import LmsError
from lms.org.models import CadreProfile, Unit
from lms.programs import services as svc
from lms.programs.blueprint import bp
from lms.programs.forms import CohortForm, EnrollForm
from lms.programs.models import ATTENDANCE_LABELS, AttendanceStatus, Cohort, Program
from lms.web import now

# --- cohorts --------------------------------------------------------------------------------


def _cohort(public_id: str, action: str) -> Cohort:
    cohort = svc.get_cohort(db.session, public_id)
    authorize(action, cohort)
    return cohort


@bp.get("/cohorts")
@requires("cohort.view")
def cohorts():
    role = current_user.role.value
    rows = svc.cohorts_for(db.session, current_user, unit_scope(current_user), role)
    return render_template("programs/cohorts.html", cohorts=rows)


@bp.route("/cohorts/new", methods=["GET", "POST"])
@requires("cohort.manage")
def cohort_new():
    form = CohortForm()
    form.program_id.choices = [
        SelectChoice(p.id, p.title) for p in db.session.scalars(select(Program).order_by(Program.code))
    ]
    units = db.session.scalars(select(Unit).where(unit_scope(current_user)).order_by(Unit.path)).all()
    form.unit_id.choices = [SelectChoice(u.id, u.name) for u in units]
    if form.validate_on_submit():
        program = db.session.get(Program, form.program_id.data)
        unit = db.session.get(Unit, form.unit_id.data)
        start = form.start_date.data
        days = program.duration_days
        schedule = [(start + dt.timedelta(days=i), f"Ngày {i + 1}", None) for i in range(days)]
        try:
            cohort = svc.create_cohort(
                db.session,
                current_user,
                now(),
                program=program,
                code=form.code.data,
                title=form.title.data,
                unit=unit,
                start_date=start,
                end_date=start + dt.timedelta(days=days - 1),
                instructors=[current_user] if current_user.role is Role.instructor else [],
                schedule=schedule,
            )
        except LmsError as exc:
            db.session.rollback()
            form.code.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã tạo lớp."), "success")
            return redirect(url_for("programs.cohort_view", public_id=cohort.public_id))
    return render_template("programs/cohort_new.html", form=form)


@bp.get("/cohorts/<public_id>")
@requires("cohort.view")
def cohort_view(public_id: str):
    cohort = _cohort(public_id, "cohort.view")
    enrollments = svc.roster(db.session, cohort)
    enroll_form = None
    if can(current_user, "cohort.manage", cohort):
        enroll_form = _enroll_form(cohort, enrollments)
    attendance = svc.attendance_map(db.session, cohort)
    present_counts: dict[int, int] = {}
    for (_enrollment_id, session_id), status in attendance.items():
        if status is AttendanceStatus.present:
            present_counts[session_id] = present_counts.get(session_id, 0) + 1
    return render_template(
        "programs/cohort.html",
        cohort=cohort,
        enrollments=enrollments,
        topics=cohort.program.topics,
        progress=svc.progress_map(db.session, cohort),
        present_counts=present_counts,
        attendance_labels=ATTENDANCE_LABELS,
        enroll_form=enroll_form,
    )


def _enroll_form(cohort: Cohort, enrollments) -> EnrollForm:
    form = EnrollForm()
    enrolled = {e.profile_id for e in enrollments}
    candidates = db.session.scalars(
        select(CadreProfile)
        .join(Unit, Unit.id == CadreProfile.unit_id)
        .where(Unit.path.startswith(cohort.unit.path, autoescape=True), unit_scope(current_user))
        .order_by(CadreProfile.name_key)
        .limit(500)
    )
    form.profile_ids.choices = [
        SelectChoice(p.id, f"{p.full_name} — {p.unit.name}") for p in candidates if p.id not in enrolled
    ]
    return form


@bp.post("/cohorts/<public_id>/enroll")
@requires("cohort.manage")
def cohort_enroll(public_id: str):
    cohort = _cohort(public_id, "cohort.manage")
    form = _enroll_form(cohort, svc.roster(db.session, cohort))
    if not form.validate_on_submit():
        raise LmsError(_("Chọn ít nhất một cán bộ trong danh sách."))
    for profile_id in form.profile_ids.data:
        svc.enroll(db.session, current_user, now(), cohort, db.session.get(CadreProfile, profile_id))
    db.session.commit()
    flash(_("Đã ghi danh %(n)s cán bộ.", n=len(form.profile_ids.data)), "success")
    return redirect(url_for("programs.cohort_view", public_id=cohort.public_id))


@bp.route("/cohorts/<public_id>/sessions/<int:position>/attendance", methods=["GET", "POST"])
@requires("cohort.manage")
def cohort_attendance(public_id: str, position: int):
    cohort = _cohort(public_id, "cohort.manage")
    session_obj = next((s for s in cohort.sessions if s.position == position), None)
    if session_obj is None:
        abort(404)
    enrollments = svc.roster(db.session, cohort)
    if request.method == "POST":
        action = request.form.get("action", "save")
        if action not in ("save", "all-present"):
            abort(400)
        statuses = {e.id: request.form.get(f"status-{e.id}", "") for e in enrollments}
        if action == "save":
            changed = svc.record_attendance(db.session, current_user, now(), cohort, session_obj, statuses)
            db.session.commit()
            flash(_("Đã lưu điểm danh (%(n)s thay đổi).", n=changed), "success")
            return redirect(url_for("programs.cohort_view", public_id=cohort.public_id))
        marked, changed = svc.record_all_present(
            db.session, current_user, now(), cohort, session_obj, statuses
        )
        db.session.commit()
        flash(
            _(
                "Đã ghi “Có mặt” cho %(m)s học viên chưa điểm danh (%(n)s thay đổi). "
                "Nếu có ai vắng, chọn lại ở dưới rồi bấm “Lưu điểm danh”.",
                m=marked,
                n=changed,
            ),
            "success",
        )
        # back to the same list: the monitor sees everyone and corrects the few exceptions
        return redirect(url_for("programs.cohort_attendance", public_id=cohort.public_id, position=position))
    attendance = svc.attendance_map(db.session, cohort)
    unrecorded = sum(1 for e in enrollments if (e.id, session_obj.id) not in attendance)
    return render_template(
        "programs/attendance.html",
        cohort=cohort,
        session_obj=session_obj,
        enrollments=enrollments,
        attendance=attendance,
        attendance_labels=ATTENDANCE_LABELS,
        unrecorded=unrecorded,
    )


@bp.get("/cohorts/<public_id>/export.csv")
@requires("cohort.view")
def cohort_export(public_id: str):
    cohort = _cohort(public_id, "cohort.view")
    body = svc.cohort_csv(db.session, cohort).encode("utf-8")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{cohort.code}.csv"'},
    )
