"""Board review, dossiers, records, schemes, assessments, reports and the post-training survey.

Each view: load → authorize → validate → act → commit once → respond.

The routes live by concern in board_views (board, dossier, decisions), record_views (records,
cohorts, gradebook, finalization), scheme_views, assess_views, report_views and learner_views
(survey, own records), all on the blueprint of ``lms.evaluation.blueprint``; importing them here
registers them. This module keeps the template filters and is what create_app imports.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.db import db
from lms.evaluation import (  # noqa: F401  (importing registers the rules and the routes)
    assess_views,
    board_views,
    learner_views,
    permissions,
    record_views,
    report_views,
    scheme_views,
)
from lms.evaluation.blueprint import bp
from lms.evaluation.models import COMPONENT_NAMES

__all__ = ["bp"]


@bp.app_template_filter("component_name")
def component_name_filter(code: str) -> str:
    """An evaluation component's name in the reader's language."""
    return str(COMPONENT_NAMES.get(code, code))


@bp.app_template_filter("assessment_comment")
def assessment_comment_filter(comment: str | None) -> str:
    """An instructor assessment's comment, the rubric's points in the reader's locale."""
    return assess_views.comment_text(comment)


@bp.app_template_filter("band")
def band_filter(name: str | None) -> str:
    """A band's name: the default bands in the reader's language, a board's own as written."""
    from lms.evaluation.schemes import band_label

    return band_label(name)


@bp.app_template_filter("certificate_reason")
def certificate_reason_filter(stored: str | None) -> str:
    """Why a certificate is refused, in the reader's language (stored in Vietnamese)."""
    from lms.evaluation.reasons import reason_text

    return reason_text(stored)


@bp.app_template_filter("scheme_note")
def scheme_note_filter(note: str | None) -> str:
    from lms.evaluation.schemes import note_text

    return note_text(note)


@bp.app_template_filter("score")
def score_filter(value, signed: bool = False) -> str:
    """A score kept as text in JSON ("7.50") shown the request's way ("7,50"; "+1,50"): the
    app's one number helper (lms.web)."""
    from lms.web import _vnnumber

    return _vnnumber(value, 2, signed)


@bp.app_template_filter("program_name")
def program_name_filter(code: str | None) -> str:
    """A program's title for a person to read ("Bồi dưỡng ... UBND cấp xã", not its code);
    the code only when no program of that code is published. One query per request."""
    from flask import g

    from lms.programs.models import Program

    if not code:
        return "—"
    titles = g.get("program_titles")
    if titles is None:
        titles = g.program_titles = dict(db.session.execute(select(Program.code, Program.title)).all())
    return titles.get(code, code)


@bp.app_template_filter("cohort_name")
def cohort_name_filter(cohort_id: int | None) -> str:
    """A cohort's title as its learners know it ("Lớp 1 — ..."), never its database id; one
    query per request for the cohorts a page names."""
    from flask import g
    from flask_babel import gettext as _

    from lms.evaluation import inputs

    if cohort_id is None:
        return "—"
    titles = g.get("cohort_titles")
    if titles is None:
        titles = g.cohort_titles = {}
    if cohort_id not in titles:
        titles.update(
            inputs.names_for(db.session, cohort_ids={cohort_id}, program_codes=set(), user_ids=set())[
                "cohorts"
            ]
        )
    return titles.get(cohort_id) or _("Lớp %(c)s", c=cohort_id)
