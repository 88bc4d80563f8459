from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from lms.auth.permissions import LOGIN, requires
from lms.db import db
from lms.org.models import CadreProfile
from lms.results.models import PURPOSE_LABELS
from lms.results.services import learning_gains, results_for_cadre

bp = Blueprint("results", __name__)


@bp.get("/results/me")
@requires(LOGIN)
def my_results():
    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    rows = results_for_cadre(db.session, profile) if profile else []
    gains = learning_gains(db.session, profile) if profile else {}
    return render_template(
        "results/mine.html", rows=rows, gains=gains, profile=profile, purpose_labels=PURPOSE_LABELS
    )
