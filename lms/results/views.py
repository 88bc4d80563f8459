from __future__ import annotations

from flask import Blueprint, g, render_template
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


def topic_titles(codes: set[str]) -> dict[str, str]:
    """Topic code → the title a learner reads: the latest published version's, else the latest
    version's (a topic whose only version is being revised still has a name)."""
    from lms.programs.models import Topic, TopicVersion, VersionStatus  # no cycle, as above

    codes = {c for c in codes if c}
    if not codes:
        return {}
    rows = db.session.execute(
        select(Topic.code, TopicVersion.title, TopicVersion.status)
        .join(TopicVersion, TopicVersion.topic_id == Topic.id)
        .where(Topic.code.in_(codes))
        .order_by(Topic.code, TopicVersion.version)
    ).all()
    latest: dict[str, str] = {}
    published: dict[str, str] = {}
    for code, title, status in rows:
        latest[code] = title
        if status is VersionStatus.published:
            published[code] = title
    return latest | published


def subject_titles(codes: set[str]) -> dict[str, str]:
    """A gain's subject (a topic code, else a program code) → its name; a code that names
    neither stays as it is (the caller shows it rather than nothing)."""
    return program_titles(codes) | topic_titles(codes)


@bp.app_template_filter("subject_name")
def subject_name_filter(code: str | None) -> str:
    """A learning gain's subject for a person to read: a topic's or a program's title, never its
    code when one of that code exists. Each code is looked up once a request (kept on ``g``)."""
    if not code:
        return "—"
    names = g.get("subject_titles")
    if names is None or code not in names:
        names = (names or {}) | subject_titles({code})
        names.setdefault(code, code)
        g.subject_titles = names
    return names[code]


@bp.get("/results/me")
@requires(LOGIN)
def my_results():
    profile = db.session.scalar(select(CadreProfile).where(CadreProfile.user_id == current_user.id))
    rows = results_for_cadre(db.session, profile) if profile else []
    gains = learning_gain_details(db.session, profile) if profile else []
    titles = program_titles({r.program_code for r in rows} | {g["program_code"] for g in gains})
    topics = topic_titles({g["code"] for g in gains})
    return render_template(
        "results/mine.html",
        rows=rows,
        gains=gains,
        profile=profile,
        purpose_labels=PURPOSE_LABELS,
        reviews=events.result_reviews(db.session, current_user, rows),
        titles=titles,
        topics=topics,
    )
