"""Topics: authoring versions and the approval workflow (submit, approve, return, publish).

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit
from lms.db import get_by_public_id
from lms.errors import Conflict, LmsError, NotFound
from lms.org.models import TargetGroup
from lms.programs.content_files import SLUG, version_canonical
from lms.programs.diff import VersionDiff, diff_versions
from lms.programs.models import FIELDS, Attachment, Lesson, Topic, TopicKind, TopicVersion, VersionStatus
from lms.sanitize import markdown_to_html

# --- topics: authoring and approval ---------------------------------------------------------


def get_topic(session: Session, public_id: str) -> Topic:
    return get_by_public_id(session, Topic, public_id, _("Không tìm thấy chuyên đề."))


def get_version(session: Session, public_id: str) -> TopicVersion:
    return get_by_public_id(session, TopicVersion, public_id, _("Không tìm thấy phiên bản chuyên đề."))


def _check_topic_fields(fields: dict[str, Any]) -> None:
    if fields["field"] not in FIELDS:
        raise LmsError(_("Lĩnh vực không có trong danh mục."))
    if not fields["title"].strip():
        raise LmsError(_("Chuyên đề phải có tiêu đề."))
    if not fields["hours"] or fields["hours"] <= 0:
        raise LmsError(_("Số giờ phải là số dương."))


def _fill(version: TopicVersion, fields: dict[str, Any]) -> None:
    version.title = fields["title"].strip()
    version.kind = TopicKind(fields["kind"])
    version.field = fields["field"]
    version.hours = float(fields["hours"])
    version.legal_basis = (fields.get("legal_basis") or "").strip()
    version.as_of = fields.get("as_of")
    version.target_groups = json.dumps(list(fields.get("target_groups") or []))
    version.body = fields.get("body") or ""
    version.body_html = markdown_to_html(version.body)  # sanitized once, here
    if "lessons" in fields:
        anchors = [anchor for _title, anchor in fields["lessons"]]
        for anchor in anchors:
            if not SLUG.match(anchor) or f'id="{anchor}"' not in version.body_html:
                raise LmsError(
                    _(
                        "Không có tiêu đề nào mang id “%(anchor)s” trong nội dung; hãy viết: ### "
                        "Tiêu đề phần {#%(anchor)s}",
                        anchor=anchor,
                    )
                )
        if len(set(anchors)) != len(anchors):
            raise LmsError(_("Hai phần trùng mã."))
        version.lessons = [
            Lesson(position=i, title=title, anchor=anchor)
            for i, (title, anchor) in enumerate(fields["lessons"])
        ]


def create_topic(
    session: Session, actor: Any, now: dt.datetime, code: str, fields: dict[str, Any]
) -> TopicVersion:
    code = code.strip()
    if not SLUG.match(code):
        raise LmsError(_("Mã chuyên đề chỉ gồm chữ thường không dấu, số và gạch nối (vd. qn-chung-5)."))
    if session.scalar(select(Topic.id).where(Topic.code == code)) is not None:
        raise Conflict(_("Mã chuyên đề “%(code)s” đã có; hãy chọn mã khác.", code=code))
    _check_topic_fields(fields)
    topic = Topic(code=code, created_at=now)
    version = TopicVersion(
        topic=topic, version=1, status=VersionStatus.draft, author_id=actor.id, created_at=now
    )
    _fill(version, fields)
    session.add_all([topic, version])
    session.flush()
    audit.record(session, actor, "topic.create", "topic_version", version.id, after={"code": code}, now=now)
    return version


def edit_topic(
    session: Session, actor: Any, now: dt.datetime, topic: Topic, fields: dict[str, Any]
) -> TopicVersion:
    """Save changes: into the open draft, or (when only published versions exist) a new draft."""
    _check_topic_fields(fields)
    version = topic.open_version
    if version is not None and not version.editable:
        raise Conflict(
            _(
                "Phiên bản đang chờ duyệt hoặc đã duyệt nên không sửa được; hãy đợi người duyệt "
                "trả lại hoặc công bố rồi sửa tiếp.",
            )
        )
    if version is None:
        version = new_draft(session, actor, now, topic)
    before = version_canonical(version)
    if "lessons" not in fields:  # keep the sections whose headings are still in the body
        html = markdown_to_html(fields.get("body") or "")
        kept = [(x.title, x.anchor) for x in version.lessons if f'id="{x.anchor}"' in html]
        fields = {**fields, "lessons": kept}
    _fill(version, fields)
    session.flush()
    audit.record(
        session,
        actor,
        "topic.edit",
        "topic_version",
        version.id,
        before=before,
        after=version_canonical(version),
        now=now,
    )
    return version


def new_draft(session: Session, actor: Any, now: dt.datetime, topic: Topic) -> TopicVersion:
    """A new draft copied from the latest published version (attachments carried over)."""
    source = topic.published or topic.latest
    if source is None:
        raise NotFound(_("Chuyên đề chưa có phiên bản nào."))
    version = TopicVersion(
        topic=topic,
        version=topic.latest.version + 1,
        status=VersionStatus.draft,
        author_id=actor.id,
        created_at=now,
        title=source.title,
        kind=source.kind,
        field=source.field,
        hours=source.hours,
        target_groups=source.target_groups,
        legal_basis=source.legal_basis,
        as_of=source.as_of,
        body=source.body,
        body_html=source.body_html,
    )
    session.add(version)
    with session.no_autoflush:
        lessons = list(source.lessons)
        attachments = list(source.attachments)
    version.lessons = [Lesson(position=x.position, title=x.title, anchor=x.anchor) for x in lessons]
    version.attachments = [
        Attachment(
            filename=a.filename,
            stored_name=a.stored_name,
            mimetype=a.mimetype,
            size=a.size,
            uploaded_by_id=a.uploaded_by_id,
            uploaded_at=a.uploaded_at,
        )
        for a in attachments
    ]
    session.flush()
    audit.record(
        session,
        actor,
        "topic.new_version",
        "topic_version",
        version.id,
        after={"code": topic.code, "version": version.version, "from": source.version},
        now=now,
    )
    return version


def _transition(session, actor, now, version: TopicVersion, action: str, do) -> TopicVersion:
    before = str(version.status)
    do()
    session.flush()
    audit.record(
        session,
        actor,
        f"topic.{action}",
        "topic_version",
        version.id,
        before={"status": before},
        after={"status": str(version.status)},
        note=version.review_comment if action == "return" else None,
        now=now,
    )
    return version


def submit_version(session: Session, actor: Any, now: dt.datetime, version: TopicVersion) -> TopicVersion:
    return _transition(session, actor, now, version, "submit", lambda: version.submit(actor, now))


def approve_version(session: Session, actor: Any, now: dt.datetime, version: TopicVersion) -> TopicVersion:
    return _transition(session, actor, now, version, "approve", lambda: version.approve(actor, now))


def return_version(
    session: Session, actor: Any, now: dt.datetime, version: TopicVersion, comment: str
) -> TopicVersion:
    return _transition(session, actor, now, version, "return", lambda: version.return_(actor, now, comment))


def publish_version(session: Session, actor: Any, now: dt.datetime, version: TopicVersion) -> TopicVersion:
    def do() -> None:
        previous = version.topic.published
        version.publish(actor, now)
        if previous is not None and previous is not version:
            previous.archive()

    return _transition(session, actor, now, version, "publish", do)


def changes_since_published(session: Session, version: TopicVersion) -> VersionDiff | None:
    """What a version changes in the one learners read now; None when it is that one or none is."""
    published = version.topic.published
    if published is None or published is version:
        return None
    codes = set(published.target_group_codes) | set(version.target_group_codes)
    rows = session.execute(select(TargetGroup.code, TargetGroup.name).where(TargetGroup.code.in_(codes)))
    names = {code: name for code, name in rows}
    return diff_versions(published, version, names)
