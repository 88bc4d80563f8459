from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from lms import events
from lms.auth.permissions import LOGIN, requires
from lms.db import db
from lms.org.models import CadreProfile
from lms.results.models import PURPOSE_LABELS
from lms.results.services import learning_gain_details, results_for_cadre

bp = Blueprint("results", __name__)


def program_titles(codes: set[str]) -> dict[str, str]:
    """Program code → title, so a learner reads "Bồi dưỡng ... UBND cấp xã", not "qn-2022-ubnd"."""
    from lms.programs.models import Program  # programs never imports results: no cycle

    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(db.session.execute(select(Program.code, Program.title).where(Program.code.in_(codes))).all())


@bp.get("/results/me")
@requires(LOGIN)
def my_results():
    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    rows = results_for_cadre(db.session, profile) if profile else []
    gains = learning_gain_details(db.session, profile) if profile else []
    titles = program_titles({r.program_code for r in rows} | {g["code"] for g in gains})
    return render_template(
        "results/mine.html",
        rows=rows,
        gains=gains,
        profile=profile,
        purpose_labels=PURPOSE_LABELS,
        reviews=events.result_reviews(db.session, current_user, rows),
        titles=titles,
    )
