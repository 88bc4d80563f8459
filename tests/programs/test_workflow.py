"""Authoring and approval rules at the service/model level."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.audit import AuditEntry
from lms.auth.models import Role
from lms.errors import Conflict, Forbidden, LmsError
from lms.programs import services as svc
from lms.programs.models import VersionStatus

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
FIELDS = {
    "title": "Chuyên đề mới",
    "kind": "group",
    "field": "tu-phap",
    "hours": 3,
    "target_groups": ["ubnd"],
    "legal_basis": "",
    "as_of": None,
    "body": "## Nội dung\n\nVăn bản <script>x()</script>",
}


@pytest.fixture()
def draft(session, world):
    return svc.create_topic(session, world.users["instructor"], NOW, "t-moi", FIELDS)


def actions(session, version) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "topic_version", AuditEntry.object_id == str(version.id))
            .order_by(AuditEntry.id)
        )
    )


def test_full_workflow_is_audited(session, world, draft):
    approver = world.users["approver"]
    assert draft.status is VersionStatus.draft and "<script>" not in draft.body_html
    svc.submit_version(session, world.users["instructor"], NOW, draft)
    svc.approve_version(session, approver, NOW, draft)
    svc.publish_version(session, approver, NOW, draft)
    assert draft.status is VersionStatus.published and draft.topic.published is draft
    assert actions(session, draft) == [
        "topic.create",
        "topic.submit",
        "topic.approve",
        "topic.publish",
    ]


def test_author_cannot_approve_own_version(session, world, factory):
    approver = world.users["approver"]
    version = svc.create_topic(session, approver, NOW, "t-cua-toi", FIELDS)  # e.g. an approver who wrote it
    svc.submit_version(session, approver, NOW, version)
    with pytest.raises(Forbidden, match="tác giả"):
        svc.approve_version(session, approver, NOW, version)
    with pytest.raises(Forbidden):
        svc.return_version(session, approver, NOW, version, "sửa lại")
    assert version.status is VersionStatus.submitted


def test_only_approvers_review(session, world, draft):
    svc.submit_version(session, world.users["instructor"], NOW, draft)
    for role in ("instructor", "admin", "board", "learner"):
        with pytest.raises(Forbidden, match="người duyệt"):
            svc.approve_version(session, world.users[role], NOW, draft)


def test_illegal_transitions_are_refused(session, world, draft):
    approver = world.users["approver"]
    with pytest.raises(Conflict):
        svc.approve_version(session, approver, NOW, draft)  # not submitted
    with pytest.raises(Conflict):
        svc.publish_version(session, approver, NOW, draft)  # not approved
    svc.submit_version(session, world.users["instructor"], NOW, draft)
    with pytest.raises(Conflict):
        svc.submit_version(session, world.users["instructor"], NOW, draft)
    with pytest.raises(Conflict):
        svc.publish_version(session, approver, NOW, draft)  # submitted, not approved


def test_return_needs_a_comment_and_allows_editing_again(session, world, draft):
    approver = world.users["approver"]
    svc.submit_version(session, world.users["instructor"], NOW, draft)
    with pytest.raises(LmsError, match="nhận xét"):
        svc.return_version(session, approver, NOW, draft, "  ")
    svc.return_version(session, approver, NOW, draft, "Bổ sung căn cứ pháp lý")
    assert draft.status is VersionStatus.returned and draft.review_comment == "Bổ sung căn cứ pháp lý"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "topic.return"))
    assert entry.note == "Bổ sung căn cứ pháp lý"
    svc.edit_topic(session, world.users["instructor"], NOW, draft.topic, {**FIELDS, "title": "Đã sửa"})
    assert draft.title == "Đã sửa" and draft.version == 1
    svc.submit_version(session, world.users["instructor"], NOW, draft)


def test_submitted_version_cannot_be_edited(session, world, draft):
    svc.submit_version(session, world.users["instructor"], NOW, draft)
    with pytest.raises(Conflict):
        svc.edit_topic(session, world.users["instructor"], NOW, draft.topic, FIELDS)


def test_editing_published_topic_creates_new_draft_and_publishing_archives_old(session, world, draft):
    instructor, approver = world.users["instructor"], world.users["approver"]
    svc.submit_version(session, instructor, NOW, draft)
    svc.approve_version(session, approver, NOW, draft)
    svc.publish_version(session, approver, NOW, draft)
    second = svc.edit_topic(session, instructor, NOW, draft.topic, {**FIELDS, "body": "Bản hai"})
    assert second is not draft and second.version == 2 and second.status is VersionStatus.draft
    topic = draft.topic
    assert topic.published is draft  # learners still see version 1
    svc.submit_version(session, instructor, NOW, second)
    svc.approve_version(session, approver, NOW, second)
    svc.publish_version(session, approver, NOW, second)
    assert topic.published is second and draft.status is VersionStatus.archived


def test_another_approver_can_review_an_approvers_version(session, world, factory):
    author = world.users["approver"]
    other = factory.user(Role.approver, world.province)
    version = svc.create_topic(session, author, NOW, "t-khac", FIELDS)
    svc.submit_version(session, author, NOW, version)
    svc.approve_version(session, other, NOW, version)
    assert version.status is VersionStatus.approved


def test_duplicate_topic_code_is_refused(session, world, draft):
    with pytest.raises(Conflict):
        svc.create_topic(session, world.users["instructor"], NOW, "t-moi", FIELDS)
    with pytest.raises(LmsError):
        svc.create_topic(session, world.users["instructor"], NOW, "Mã Sai", FIELDS)


def test_beacon_is_capped(session, course):
    progress = svc.add_time(session, course.enrollment, course.topic, 10_000, "phan-2", NOW)
    assert progress.seconds_spent == svc.BEACON_CAP_SECONDS and progress.last_anchor == "phan-2"
    progress = svc.add_time(session, course.enrollment, course.topic, -50, "not-a-lesson", NOW)
    assert progress.seconds_spent == svc.BEACON_CAP_SECONDS and progress.last_anchor == "phan-2"


def test_progress_survives_a_new_version(session, course, world):
    svc.mark_studied(session, course.enrollment, course.topic, NOW)
    svc.edit_topic(session, world.users["instructor"], NOW, course.topic, {**FIELDS, "body": "Bản hai"})
    assert svc.progress_for(session, course.enrollment, course.topic, NOW).studied_at is not None


def test_sniff_type():
    import io
    import zipfile

    assert svc.sniff_type(b"%PDF-1.7 ...") == "pdf"
    assert svc.sniff_type(b"\x89PNG\r\n\x1a\n....") == "png"
    assert svc.sniff_type(b"\xff\xd8\xff\xe0....") == "jpg"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert svc.sniff_type(buffer.getvalue()) == "docx"
    assert svc.sniff_type(b"PK\x03\x04 broken") is None
    assert svc.sniff_type(b"hello") is None
