"""Asking for a report, following its progress, downloading it; the admins' list of jobs.

Each view: load → authorize → validate → act → commit once → enqueue → respond.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import authorize, requires
from lms.db import db, utcnow
from lms.errors import LmsError
from lms.jobs import (
    permissions,  # noqa: F401  (registers the rules)
    queue,
    services,
)
from lms.jobs.forms import AdminJobForm, ReportJobForm, RetryForm
from lms.jobs.kinds import KINDS
from lms.jobs.models import Job, JobStatus
from lms.jobs.runner import result_dir
from lms.jobs.steps import step_text

bp = Blueprint("jobs", __name__)


def status_label(status: JobStatus) -> str:
    labels = {
        JobStatus.queued: _("Đang chờ"),
        JobStatus.running: _("Đang tạo"),
        JobStatus.done: _("Xong"),
        JobStatus.failed: _("Lỗi"),
        JobStatus.expired: _("Đã hết hạn"),
    }
    return labels[status]


@bp.app_context_processor
def _helpers() -> dict:
    return {
        "job_status_label": status_label,
        "job_kind_label": lambda k: str(KINDS[k].label) if k in KINDS else k,
        "job_step": step_text,
    }


def _load(public_id: str, action: str) -> Job:
    job = services.by_public_id(db.session, public_id)
    if job is None:
        abort(404)
    authorize(action, job)
    return job


def _submit(job: Job, created: bool) -> None:
    """After the commit: hand the job to the queue (a job already waiting is not sent twice)."""
    if created:
        queue.enqueue(current_app, job.id)


@bp.post("/jobs/report")
@requires("evaluation.export")
def request_report():
    from lms.org.models import Unit

    form = ReportJobForm()
    if not form.validate_on_submit():
        problems = "; ".join(
            f"{form[name].label.text}: {', '.join(errs)}" for name, errs in form.errors.items()
        )
        flash(_("Chưa tạo được báo cáo: %(problems)s", problems=problems), "error")
        return redirect(url_for("evaluation.reports"))
    unit = db.session.get(Unit, form.unit_id.data)
    if unit is None:
        abort(404)
    authorize("evaluation.export", unit)
    year_from, year_to = sorted((form.year_from.data, form.year_to.data))
    params = {"unit_id": unit.id, "year_from": year_from, "year_to": year_to, "fmt": form.fmt.data}
    job, created = services.request_job(
        db.session,
        current_user,
        "report",
        params,
        utcnow(),
        unit=unit,
        max_attempts=int(current_app.config["LMS_JOB_MAX_ATTEMPTS"]),
    )
    db.session.commit()
    _submit(job, created)
    return redirect(url_for("jobs.status", public_id=job.public_id), code=303)


def submit(kind: str, params: dict, unit=None, delay: float = 0) -> Job:
    """For other features' views: ask for a job as the signed-in person, commit, hand it to the
    queue (after ``delay`` seconds). Asking again while it waits gives the same job."""
    job, created = services.request_job(
        db.session,
        current_user,
        kind,
        params,
        utcnow(),
        unit=unit,
        max_attempts=int(current_app.config["LMS_JOB_MAX_ATTEMPTS"]),
    )
    db.session.commit()
    if created:
        queue.enqueue(current_app, job.id, delay=delay)
    return job


def request_export(kind: str, params: dict, unit=None):
    """For other features' views: run an export as a job and send the person to its page."""
    job = submit(kind, params, unit=unit)
    return redirect(url_for("jobs.status", public_id=job.public_id), code=303)


@bp.get("/jobs/<public_id>")
@requires("jobs.view")
def status(public_id: str):
    job = _load(public_id, "jobs.view")
    kind = KINDS.get(job.kind)
    back = kind.back(job) if kind is not None and kind.back is not None else None
    return render_template("jobs/status.html", job=job, retry=RetryForm(), back=back)


@bp.get("/jobs/<public_id>/status.json")
@requires("jobs.view")
def status_json(public_id: str):
    job = _load(public_id, "jobs.view")
    body = {
        "status": job.status.value,
        "label": status_label(job.status),
        "progress": job.progress,
        "step": step_text(job.step),
        "attempts": job.attempts,
        "done": job.status == JobStatus.done,
        "finished": not job.active,
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jobs/<public_id>/download")
@requires("jobs.download")
def download(public_id: str):
    job = _load(public_id, "jobs.download")
    if job.kind == "quiz_results" and job.owner_id == current_user.id:
        from lms.quizzes.models import Quiz

        authorize("quizzes.export", db.session.get(Quiz, job.data.get("quiz_id")))
    if job.status != JobStatus.done or not job.result_file:
        abort(404)
    path = result_dir(current_app) / job.result_file
    if not path.is_file():
        abort(404)
    from lms import audit

    audit.record(
        db.session, current_user, "job.download", "job", job.public_id, after={"file": job.result_name}
    )
    db.session.commit()
    response = send_file(path, mimetype=job.result_mime, as_attachment=True, download_name=job.result_name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/jobs", methods=["GET", "POST"])
@requires("jobs.admin")
def admin_jobs():
    form = AdminJobForm()
    if form.validate_on_submit():
        job, created = services.request_job(
            db.session,
            current_user,
            form.kind.data,
            {},
            utcnow(),
            max_attempts=int(current_app.config["LMS_JOB_MAX_ATTEMPTS"]),
        )
        db.session.commit()
        _submit(job, created)
        return redirect(url_for("jobs.status", public_id=job.public_id), code=303)
    raw = request.args.get("status", "")
    chosen = JobStatus(raw) if raw in JobStatus.__members__ else None
    jobs = services.listing(db.session, chosen)
    return render_template(
        "jobs/admin.html",
        jobs=jobs,
        form=form,
        retry=RetryForm(),
        chosen=chosen,
        statuses=list(JobStatus),
        counts=services.counts(db.session),
        worker=queue.worker_mode(current_app),
        broker=queue.state(current_app).describe(),
    ), (400 if form.errors else 200)


@bp.post("/admin/jobs/<public_id>/retry")
@requires("jobs.admin")
def retry(public_id: str):
    job = _load(public_id, "jobs.admin")
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.retry_job(db.session, current_user, job, utcnow())
    except LmsError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("jobs.admin_jobs"))
    db.session.commit()
    queue.enqueue(current_app, job.id)
    flash(_("Đã đưa công việc vào hàng đợi để chạy lại."), "success")
    return redirect(url_for("jobs.status", public_id=job.public_id), code=303)
