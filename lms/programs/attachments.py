"""Attachments of a topic version: sniffing the file type, adding and removing them.

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import zipfile
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from lms import audit
from lms.errors import Conflict, LmsError
from lms.programs.models import Attachment, TopicVersion

# --- attachments ----------------------------------------------------------------------------

ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def sniff_type(data: bytes) -> str | None:
    """The file type from its first bytes (and, for Office files, the parts inside the zip)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
    return None


def add_attachment(
    session: Session,
    actor: Any,
    now: dt.datetime,
    version: TopicVersion,
    filename: str,
    data: bytes,
    upload_dir: Path,
    max_mb: int,
) -> Attachment:
    if not version.editable:
        raise Conflict(
            _("Chỉ thêm tài liệu vào bản nháp hoặc bản bị trả lại; hãy bấm “Sửa” để tạo bản nháp mới.")
        )
    name = Path(filename or "").name.strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise LmsError(_("Chỉ nhận tệp PDF, DOCX, PPTX, JPG hoặc PNG."))
    if not data:
        raise LmsError(_("Tệp rỗng."))
    if len(data) > max_mb * 1024 * 1024:
        raise LmsError(_("Tệp lớn hơn %(max_mb)s MB.", max_mb=max_mb))
    detected = sniff_type(data)
    if detected is None or ATTACHMENT_TYPES[detected] != ATTACHMENT_TYPES[extension]:
        raise LmsError(
            _("Nội dung tệp không đúng với đuôi tên tệp (chỉ nhận PDF, DOCX, PPTX, JPG, PNG thật).")
        )
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{'jpg' if detected == 'jpg' else detected}"
    (upload_dir / stored).write_bytes(data)
    attachment = Attachment(
        version=version,
        filename=name[:255],
        stored_name=stored,
        mimetype=ATTACHMENT_TYPES[detected],
        size=len(data),
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        actor,
        "topic.attach",
        "topic_version",
        version.id,
        after={"file": attachment.filename, "size": attachment.size},
        now=now,
    )
    return attachment


def remove_attachment(session: Session, actor: Any, now: dt.datetime, attachment: Attachment) -> None:
    version = attachment.version
    if not version.editable:
        raise Conflict(_("Chỉ gỡ tài liệu khỏi bản nháp hoặc bản bị trả lại."))
    audit.record(
        session,
        actor,
        "topic.detach",
        "topic_version",
        version.id,
        before={"file": attachment.filename},
        now=now,
    )
    session.delete(attachment)  # the stored file stays: older versions may share it
    session.flush()
