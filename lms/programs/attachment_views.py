"""Attachments of a topic version: upload, delete and download.

Each view: load → authorize → validate → act (service) → commit once → respond.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.auth.permissions import authorize, requires
from lms.db import db
from lms.errors import LmsError
from lms.programs import services as svc
from lms.programs.blueprint import bp
from lms.programs.forms import AttachmentForm
from lms.programs.models import Attachment
from lms.web import now

# --- attachments ----------------------------------------------------------------------------


def _upload_dir() -> Path:
    configured = current_app.config.get("LMS_UPLOAD_DIR")  # shared by every app host
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


@bp.post("/versions/<public_id>/attachments")
@requires("programs.author")
def attachment_add(public_id: str):
    version = svc.get_version(db.session, public_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        raise LmsError(_("Chọn một tệp để tải lên."))
    upload = form.file.data
    svc.add_attachment(
        db.session,
        current_user,
        now(),
        version,
        upload.filename,
        upload.read(),
        _upload_dir(),
        int(current_app.config["LMS_UPLOAD_MAX_MB"]),
    )
    db.session.commit()
    flash(_("Đã tải lên tài liệu."), "success")
    return redirect(url_for("programs.topic_view", public_id=version.topic.public_id, v=version.public_id))


@bp.post("/attachments/<public_id>/delete")
@requires("programs.author")
def attachment_delete(public_id: str):
    attachment = _attachment(public_id)
    topic_id, version_id = attachment.version.topic.public_id, attachment.version.public_id
    svc.remove_attachment(db.session, current_user, now(), attachment)
    db.session.commit()
    flash(_("Đã gỡ tài liệu."), "success")
    return redirect(url_for("programs.topic_view", public_id=topic_id, v=version_id))


def _attachment(public_id: str) -> Attachment:
    attachment = db.session.scalar(select(Attachment).where(Attachment.public_id == public_id))
    if attachment is None:
        abort(404)
    return attachment


@bp.get("/attachments/<public_id>")
@requires("training.mine")
def attachment_download(public_id: str):
    attachment = _attachment(public_id)
    authorize("programs.view_topic", attachment.version)
    path = _upload_dir() / attachment.stored_name
    if not path.is_file():
        abort(404)
    return send_file(
        path, mimetype=attachment.mimetype, as_attachment=True, download_name=attachment.filename
    )
