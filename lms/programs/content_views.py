"""Content for staff: the lists of programs and topics, the review queue, and programs (view,
create, edit).

Each view: load → authorize → validate → act (service) → commit once → respond.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from lms.auth.permissions import requires
from lms.db import db
from lms.errors import LmsError
from lms.org.models import TargetGroup, Title
from lms.programs import services as svc
from lms.programs.blueprint import _labels, bp
from lms.programs.forms import ProgramForm
from lms.programs.models import Program, Topic, TopicVersion
from lms.web import now

# --- content: lists for staff ---------------------------------------------------------------


@bp.get("/content")
@requires("programs.view_topic")
def content_index():
    programs = db.session.scalars(
        select(Program).options(selectinload(Program.items)).order_by(Program.code)
    ).all()
    topics = db.session.scalars(
        select(Topic).options(selectinload(Topic.versions)).order_by(Topic.code)
    ).all()
    return render_template("programs/content.html", programs=programs, topics=topics, **_labels())


@bp.get("/content/review")
@requires("programs.approve")
def review_queue():
    from lms.programs.models import VersionStatus

    versions = db.session.scalars(
        select(TopicVersion)
        .where(TopicVersion.status.in_([VersionStatus.submitted, VersionStatus.approved]))
        .options(selectinload(TopicVersion.topic))
        .order_by(TopicVersion.submitted_at)
    ).all()
    return render_template("programs/review.html", versions=versions, **_labels())


# --- programs -------------------------------------------------------------------------------


@bp.get("/programs/<code>")
@requires("programs.view_topic")
def program_view(code: str):
    program = svc.get_program(db.session, code)
    return render_template("programs/program.html", program=program, **_labels())


def _program_form(program: Program | None) -> ProgramForm:
    form = ProgramForm(obj=program)
    form.target_group_ids.choices = [
        SelectChoice(g.id, g.name) for g in db.session.scalars(select(TargetGroup).order_by(TargetGroup.id))
    ]
    form.title_ids.choices = [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Title).order_by(Title.sort_order))
    ]
    if program is not None and request.method == "GET":
        form.target_group_ids.data = [g.id for g in program.target_groups]
        form.title_ids.data = [t.id for t in program.titles]
        form.topic_codes.data = "\n".join(t.code for t in program.topics)
    return form


@bp.route("/programs/new", methods=["GET", "POST"])
@requires("programs.author")
def program_new():
    return _program_edit(None)


@bp.route("/programs/<code>/edit", methods=["GET", "POST"])
@requires("programs.author")
def program_edit(code: str):
    return _program_edit(svc.get_program(db.session, code))


def _program_edit(program: Program | None):
    form = _program_form(program)
    if program is None and request.method == "POST" and not form.code.data:
        form.code.errors = [_("Cần nhập mã chương trình.")]
    elif form.validate_on_submit():
        fields = {name: f.data for name, f in form._fields.items()}
        fields["code"] = program.code if program else form.code.data
        fields["topic_codes"] = [
            c.strip() for c in (form.topic_codes.data or "").replace(",", "\n").splitlines()
        ]
        try:
            saved = svc.save_program(db.session, current_user, now(), program, fields)
        except LmsError as exc:
            db.session.rollback()
            form.topic_codes.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã lưu chương trình."), "success")
            return redirect(url_for("programs.program_view", code=saved.code))
    return render_template("programs/program_edit.html", form=form, program=program)
