"""Topics: authoring (new, edit), the topic page for staff and the approval workflow buttons.

Each view: load → authorize → validate → act (service) → commit once → respond.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from lms.auth.permissions import authorize, requires
from lms.db import db
from lms.errors import LmsError
from lms.org.models import TargetGroup
from lms.programs import services as svc
from lms.programs.blueprint import _labels, bp
from lms.programs.forms import AttachmentForm, ReturnForm, TopicForm
from lms.programs.models import TopicVersion
from lms.sanitize import markdown_to_html
from lms.web import now

# --- topics: authoring ----------------------------------------------------------------------


def _topic_form(version: TopicVersion | None) -> TopicForm:
    form = TopicForm(obj=version)
    form.target_groups.choices = [
        SelectChoice(g.code, g.name) for g in db.session.scalars(select(TargetGroup).order_by(TargetGroup.id))
    ]
    if version is not None and request.method == "GET":
        form.target_groups.data = version.target_group_codes
        form.kind.data = str(version.kind)
        form.lessons.data = "\n".join(f"{lesson.anchor} | {lesson.title}" for lesson in version.lessons)
    return form


def _parse_lessons(text: str | None) -> list[tuple[str, str]]:
    lessons = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        anchor, bar, title = line.partition("|")
        if not bar or not anchor.strip() or not title.strip():
            raise LmsError(_("Dòng %(n)s của “Các phần” phải có dạng: mã-phần | Tiêu đề", n=number))
        lessons.append((title.strip(), anchor.strip()))
    return lessons


def _topic_fields(form: TopicForm) -> dict:
    return {
        "title": form.title.data,
        "kind": form.kind.data,
        "field": form.field.data,
        "hours": float(form.hours.data),
        "target_groups": form.target_groups.data or [],
        "legal_basis": form.legal_basis.data,
        "as_of": form.as_of.data,
        "body": form.body.data or "",
        "lessons": _parse_lessons(form.lessons.data),
    }


@bp.route("/topics/new", methods=["GET", "POST"])
@requires("programs.author")
def topic_new():
    form = _topic_form(None)
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = markdown_to_html(form.body.data or "")
        elif not form.code.data:
            form.code.errors = [_("Cần nhập mã chuyên đề.")]
        else:
            try:
                version = svc.create_topic(
                    db.session, current_user, now(), form.code.data, _topic_fields(form)
                )
            except LmsError as exc:
                db.session.rollback()
                form.code.errors = [exc.message]
            else:
                db.session.commit()
                flash(_("Đã tạo bản nháp chuyên đề."), "success")
                return redirect(url_for("programs.topic_view", public_id=version.topic.public_id))
    return render_template("programs/topic_edit.html", form=form, topic=None, preview=preview)


@bp.route("/topics/<public_id>/edit", methods=["GET", "POST"])
@requires("programs.author")
def topic_edit(public_id: str):
    topic = svc.get_topic(db.session, public_id)
    source = topic.open_version or topic.published or topic.latest
    if source is not None and not source.editable and source.status.value in ("submitted", "approved"):
        flash(_("Phiên bản đang chờ duyệt hoặc đã duyệt nên chưa sửa được."), "error")
        return redirect(url_for("programs.topic_view", public_id=topic.public_id))
    form = _topic_form(source)
    del form.code
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = markdown_to_html(form.body.data or "")
        else:
            try:
                svc.edit_topic(db.session, current_user, now(), topic, _topic_fields(form))
            except LmsError as exc:
                db.session.rollback()
                flash(exc.message, "error")
            else:
                db.session.commit()
                flash(_("Đã lưu bản nháp."), "success")
                return redirect(url_for("programs.topic_view", public_id=topic.public_id))
    return render_template("programs/topic_edit.html", form=form, topic=topic, preview=preview)


@bp.get("/topics/<public_id>")
@requires("programs.view_topic")
def topic_view(public_id: str):
    topic = svc.get_topic(db.session, public_id)
    version_id = request.args.get("v")
    version = next((v for v in topic.versions if v.public_id == version_id), None) if version_id else None
    version = version or topic.open_version or topic.published or topic.latest
    if version is None:
        abort(404)
    authorize("programs.view_topic", version)
    return render_template(
        "programs/topic.html",
        topic=topic,
        version=version,
        changes=svc.changes_since_published(db.session, version),
        attach_form=AttachmentForm(),
        return_form=ReturnForm(),
        **_labels(),
    )


def _version_action(public_id: str, action: str):
    version = svc.get_version(db.session, public_id)
    authorize("programs.view_topic", version)
    if action == "submit":
        authorize("programs.author", version)
        svc.submit_version(db.session, current_user, now(), version)
        message = _("Đã gửi duyệt.")
    else:
        authorize("programs.approve", version)
        if action == "approve":
            svc.approve_version(db.session, current_user, now(), version)
            message = _("Đã duyệt.")
        elif action == "publish":
            svc.publish_version(db.session, current_user, now(), version)
            message = _("Đã công bố; học viên sẽ thấy phiên bản này.")
        else:
            form = ReturnForm()
            if not form.validate_on_submit():
                raise LmsError(_("Khi trả lại cần ghi nhận xét để tác giả biết phải sửa gì."))
            svc.return_version(db.session, current_user, now(), version, form.comment.data)
            message = _("Đã trả lại cho tác giả.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("programs.topic_view", public_id=version.topic.public_id, v=version.public_id))


@bp.post("/versions/<public_id>/submit")
@requires("programs.author")
def version_submit(public_id: str):
    return _version_action(public_id, "submit")


@bp.post("/versions/<public_id>/approve")
@requires("programs.approve")
def version_approve(public_id: str):
    return _version_action(public_id, "approve")


@bp.post("/versions/<public_id>/return")
@requires("programs.approve")
def version_return(public_id: str):
    return _version_action(public_id, "return")


@bp.post("/versions/<public_id>/publish")
@requires("programs.approve")
def version_publish(public_id: str):
    return _version_action(public_id, "publish")
