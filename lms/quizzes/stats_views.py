"""The statistics page and the actions that feed it: "Tính lại" and "Đóng bài kiểm tra ngay".
On the quizzes blueprint (lms/quizzes/blueprint.py).

The page shows the stored figures (lms/quizzes/stored_stats.py) with their date. Without any:
a small quiz is computed in the request as before; a big one (more finished attempts than
``LMS_JOB_EXPORT_INLINE_MAX``) is handed to a ``quiz_stats`` job and the page says so.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.auth.permissions import requires
from lms.db import db
from lms.quizzes import services, stored_stats
from lms.quizzes.blueprint import bp, quiz_for
from lms.quizzes.stats import flag_label, quiz_statistics
from lms.web import now


def _ask_stats(quiz, delay: float = 0):
    from lms.jobs.views import submit

    return submit("quiz_stats", {"quiz_id": quiz.id}, unit=quiz.owner_unit, delay=delay)


def _waiting_job(quiz):
    """The person's (or the system's) quiz_stats job for this quiz still queued or running."""
    from sqlalchemy import select

    from lms.jobs.models import ACTIVE, Job

    params = f'{{"quiz_id": {quiz.id}}}'
    return db.session.scalar(
        select(Job)
        .where(Job.kind == "quiz_stats", Job.params == params, Job.status.in_(ACTIVE))
        .where((Job.owner_id == current_user.id) | Job.owner_id.is_(None))
        .order_by(Job.id.desc())
        .limit(1)
    )


@bp.get("/quizzes/manage/<public_id>/stats")
@requires("quizzes.stats")
def stats(public_id: str):
    quiz = quiz_for("quizzes.stats", public_id)
    stored = stored_stats.stored_for(db.read_session, quiz)  # the replica, if any
    report, job = None, _waiting_job(quiz)
    if stored is not None:
        report = stored.report
    elif stored_stats.finished_count(db.read_session, quiz) <= int(
        current_app.config["LMS_JOB_EXPORT_INLINE_MAX"]
    ):
        report = quiz_statistics(db.read_session, quiz)
    elif job is None:
        job = _ask_stats(quiz)  # a big exam is never computed in the request
    return render_template(
        "quizzes/stats.html",
        quiz=quiz,
        report=report,
        stored=stored,
        job=job,
        form=FlaskForm(),
        flag_label=flag_label,
    )


@bp.post("/quizzes/manage/<public_id>/stats/recompute")
@requires("quizzes.stats")
def stats_recompute(public_id: str):
    quiz = quiz_for("quizzes.stats", public_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    job = _ask_stats(quiz)
    return redirect(url_for("jobs.status", public_id=job.public_id), code=303)


@bp.post("/quizzes/manage/<public_id>/close")
@requires("quizzes.author")
def close_quiz(public_id: str):
    quiz = quiz_for("quizzes.author", public_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not services.close_now(db.session, current_user, quiz, now()):
        db.session.rollback()
        flash(_("Bài kiểm tra đã đóng từ trước."), "info")
        return redirect(url_for("quizzes.manage_quiz", public_id=public_id))
    db.session.commit()
    # after the autosave grace, so the papers still open are submitted first (the job closes them)
    _ask_stats(quiz, delay=services.GRACE.total_seconds() + 1)
    flash(
        _("Đã đóng bài kiểm tra. Các bài đang làm được nộp với phần đã lưu; thống kê đang được tính."),
        "success",
    )
    return redirect(url_for("quizzes.stats", public_id=public_id))
