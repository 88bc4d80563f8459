"""What a learner sees of evaluation: the post-training survey and their own records.

Each view: load → authorize → validate → act → commit once → respond.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.auth.permissions import authorize, requires
from lms.db import db
from lms.evaluation import services
from lms.evaluation.blueprint import bp
from lms.evaluation.models import EvaluationRecord
from lms.org.models import CadreProfile

# --- post-training survey ------------------------------------------------------------------


@bp.route("/survey/<int(max=2147483647):cohort_id>", methods=["GET", "POST"])
@requires("evaluation.survey")
def survey(cohort_id: int):
    from lms.evaluation.forms import SurveyForm
    from lms.evaluation.models import SurveyResponse

    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    if profile is None or not services.may_answer_survey(db.session, profile, cohort_id):
        abort(403)
    authorize("evaluation.survey", profile)
    done = db.session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.cadre_id == profile.id, SurveyResponse.cohort_id == cohort_id
        )
    )
    form = SurveyForm()
    if done is None and form.validate_on_submit():
        services.submit_survey(
            db.session,
            profile,
            cohort_id,
            form.improvement.data,
            form.needs_update.data,
            form.comment.data or "",
        )
        db.session.commit()
        flash(_("Cảm ơn đồng chí đã gửi phiếu khảo sát."), "success")
        return redirect(url_for("evaluation.survey", cohort_id=cohort_id))
    status = 400 if form.errors else 200
    return render_template("evaluation/survey.html", form=form, done=done, cohort_id=cohort_id), status


@bp.get("/me")
@requires("evaluation.survey")
def my_evaluation():
    """A learner's own records (no recommendation: that is for the board) and survey links."""
    from lms.evaluation.models import SurveyResponse
    from lms.results.models import Result

    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    records, cohorts, answered = [], [], set()
    if profile is not None:
        records = db.session.scalars(
            select(EvaluationRecord)
            .where(EvaluationRecord.cadre_id == profile.id)
            .order_by(EvaluationRecord.year.desc(), EvaluationRecord.id.desc())
        ).all()
        cohorts = sorted(
            set(
                db.session.scalars(
                    select(Result.cohort_id).where(
                        Result.cadre_id == profile.id, Result.cohort_id.is_not(None)
                    )
                )
            ),
            reverse=True,
        )
        answered = set(
            db.session.scalars(select(SurveyResponse.cohort_id).where(SurveyResponse.cadre_id == profile.id))
        )
    return render_template(
        "evaluation/mine.html", profile=profile, records=records, cohorts=cohorts, answered=answered
    )
