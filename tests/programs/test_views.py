"""Pages: every route guarded; learners, authors, approvers, instructors and boards."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from lms.auth.models import Role
from lms.programs import services as svc
from lms.programs.models import (
    Attendance,
    AttendanceStatus,
    Topic,
    TopicProgress,
    TopicVersion,
    TrainingNeed,
    VersionStatus,
)
from tests.fixtures import csrf_token

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def token(client, path="/my/training") -> str:
    return csrf_token(client, path)


def test_every_programs_route_declares_a_permission(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("programs."):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "lms_permission", None), rule.endpoint


# --- learners -------------------------------------------------------------------------------


def test_my_training_lists_cohort_topics_and_progress(client, login_as, course, world):
    login_as(world.users["learner"])
    html = client.get("/my/training").get_data(as_text=True)
    assert "Lớp thử" in html
    assert "Chuyên đề chung thử nghiệm" in html and "Quản lý nhà nước ở xã" in html
    assert "Đã học 0/2 chuyên đề" in html
    assert "Học tiếp" not in html


def _resume_link(html: str) -> str | None:
    """The "Học tiếp" button of /my/training: its href and text, or None."""
    match = re.search(r'<a class="button primary" href="([^"]+)">Học tiếp: ([^<]+)</a>', html)
    return f"{match.group(1)} {match.group(2)}" if match else None


def test_topic_page_mark_studied_and_resume(client, login_as, course, world, session):
    login_as(world.users["learner"])
    url = f"/my/topics/{course.topic.public_id}"
    other_url = f"/my/topics/{course.other_topic.public_id}"
    html = client.get(url + "?at=phan-2").get_data(as_text=True)
    assert 'id="phan-1"' in html and "<script>alert" not in html
    assert "Đánh dấu đã học" in html
    # 1. the last topic opened is not studied yet: back to it, at the lesson being read
    html = client.get("/my/training").get_data(as_text=True)
    assert _resume_link(html) == f"{url}#phan-2 Chuyên đề chung thử nghiệm"
    assert "Chúc mừng" not in html

    # 2. once it is studied: the next topic of the program not yet studied (no lesson anchor)
    response = client.post(url + "/studied", data={"csrf_token": token(client, url)})
    assert response.status_code == 302
    html = client.get("/my/training").get_data(as_text=True)
    assert "Đã học 1/2 chuyên đề" in html
    assert _resume_link(html) == f"{other_url} Quản lý nhà nước ở xã"
    assert "Chúc mừng" not in html

    # 3. everything studied: a congratulation instead of the button
    response = client.post(other_url + "/studied", data={"csrf_token": token(client, other_url)})
    assert response.status_code == 302
    html = client.get("/my/training").get_data(as_text=True)
    assert "Đã học 2/2 chuyên đề" in html
    assert _resume_link(html) is None and "Học tiếp" not in html
    assert "Chúc mừng! Đồng chí đã học xong tất cả chuyên đề của chương trình này." in html


def test_resume_goes_round_to_a_topic_skipped_earlier(client, login_as, course, world, session):
    """The learner studied the last topic of the program first: "Học tiếp" goes back to the
    first one, which is still to do (program order, going round)."""
    login_as(world.users["learner"])
    other_url = f"/my/topics/{course.other_topic.public_id}"
    client.get(other_url + "?at=")
    assert (
        client.post(other_url + "/studied", data={"csrf_token": token(client, other_url)}).status_code == 302
    )
    html = client.get("/my/training").get_data(as_text=True)
    assert _resume_link(html) == f"/my/topics/{course.topic.public_id} Chuyên đề chung thử nghiệm"


def test_resume_skips_topics_that_are_not_published(client, login_as, course, world, session):
    """The next topic is only ever one the learner can open (a published one)."""
    from lms.programs.models import ProgramTopic

    draft = svc.create_topic(
        session,
        world.users["instructor"],
        NOW,
        "t-nhap",
        {"title": "Chưa công bố", "kind": "common", "field": "tu-phap", "hours": 1},
    )
    for item in course.program.items:
        if item.topic_id == course.other_topic.id:
            item.position = 2
    session.add(ProgramTopic(program=course.program, topic=draft.topic, position=1))  # between the two
    session.commit()
    svc.mark_studied(session, course.enrollment, course.topic, NOW)
    session.commit()
    login_as(world.users["learner"])
    html = client.get("/my/training").get_data(as_text=True)
    assert _resume_link(html) == f"/my/topics/{course.other_topic.public_id} Quản lý nhà nước ở xã"


def test_beacon_adds_capped_seconds_with_csrf_header(client, login_as, course, world, session):
    login_as(world.users["learner"])
    url = f"/my/topics/{course.topic.public_id}"
    csrf = re.search(r'data-csrf="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    response = client.post(
        url + "/beacon", json={"seconds": 60, "anchor": "phan-1"}, headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 200 and response.get_json() == {"seconds_spent": 60}
    response = client.post(url + "/beacon", json={"seconds": 9999}, headers={"X-CSRFToken": csrf})
    assert response.get_json() == {"seconds_spent": 180}
    assert client.post(url + "/beacon", json={"seconds": 60}).status_code == 400  # no CSRF header
    bad = client.post(url + "/beacon", json={"seconds": "many"}, headers={"X-CSRFToken": csrf})
    assert bad.status_code == 400
    progress = session.scalar(select(TopicProgress).where(TopicProgress.topic_id == course.topic.id))
    assert progress.seconds_spent == 180 and progress.last_anchor == "phan-1"


def test_learner_cannot_see_drafts_or_staff_pages(client, login_as, course, world, session):
    svc.edit_topic(
        session,
        world.users["instructor"],
        NOW,
        course.topic,
        {
            "title": "Tiêu đề bản nháp bí mật",
            "kind": "common",
            "field": "xay-dung-dang",
            "hours": 4,
            "body": "Nội dung nháp bí mật",
        },
    )
    draft_only = svc.create_topic(
        session,
        world.users["instructor"],
        NOW,
        "t-nhap",
        {"title": "Nháp", "kind": "common", "field": "tu-phap", "hours": 1, "body": "x"},
    )
    session.commit()
    login_as(world.users["learner"])
    html = client.get(f"/my/topics/{course.topic.public_id}").get_data(as_text=True)
    assert "Chuyên đề chung thử nghiệm" in html and "bí mật" not in html
    assert client.get(f"/my/topics/{draft_only.topic.public_id}").status_code == 404
    assert client.get(f"/topics/{course.topic.public_id}").status_code == 403
    assert client.get("/content").status_code == 403
    assert client.get(f"/topics/{draft_only.topic.public_id}?v={draft_only.public_id}").status_code == 403


def test_learner_not_enrolled_is_refused(client, login_as, course, world, factory, session):
    factory.profile(user=world.learner_b, name="Trần Thị B")
    session.commit()
    login_as(world.learner_b)
    assert client.get(f"/my/topics/{course.topic.public_id}").status_code == 403
    assert "chưa được ghi danh" in client.get("/my/training").get_data(as_text=True)


# --- authoring and approval over HTTP ---------------------------------------------------------


def _topic_form(**extra) -> dict:
    data = {
        "code": "t-web",
        "title": "Chuyên đề soạn trên web",
        "kind": "group",
        "field": "tu-phap",
        "hours": "2",
        "target_groups": ["ubnd"],
        "legal_basis": "",
        "as_of": "",
        "body": "## Phần 1 {#phan-1}\n\nChữ **đậm** <script>alert(1)</script>",
    }
    data.update(extra)
    return data


def test_preview_renders_sanitized_html_without_saving(client, login_as, world, session):
    login_as(world.users["instructor"])
    response = client.post(
        "/topics/new", data=_topic_form(preview="1", csrf_token=token(client, "/topics/new"))
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>đậm</strong>" in html and "<script>alert(1)" not in html
    assert session.scalar(select(Topic).where(Topic.code == "t-web")) is None


def test_author_creates_submits_approver_returns_then_publishes(client, login_as, world, session, app):
    login_as(world.users["instructor"])
    response = client.post(
        "/topics/new", data=_topic_form(submit="1", csrf_token=token(client, "/topics/new"))
    )
    assert response.status_code == 302
    topic = session.scalar(select(Topic).where(Topic.code == "t-web"))
    version = topic.versions[0]
    page = f"/topics/{topic.public_id}"
    client.post(f"/versions/{version.public_id}/submit", data={"csrf_token": token(client, page)})
    # the author cannot approve (not an approver)
    assert (
        client.post(
            f"/versions/{version.public_id}/approve", data={"csrf_token": token(client, page)}
        ).status_code
        == 403
    )
    client.post("/logout", data={"csrf_token": token(client, page)})

    login_as(world.users["approver"])
    empty = client.post(
        f"/versions/{version.public_id}/return", data={"csrf_token": token(client, page), "comment": ""}
    )
    assert empty.status_code == 400
    client.post(
        f"/versions/{version.public_id}/return",
        data={"csrf_token": token(client, page), "comment": "Thiếu căn cứ"},
    )
    session.expire_all()
    assert version.status is VersionStatus.returned
    # publish from returned is refused with a clear message
    refused = client.post(f"/versions/{version.public_id}/publish", data={"csrf_token": token(client, page)})
    assert refused.status_code == 409 and "Bị trả lại" in refused.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(client, page)})

    login_as(world.users["instructor"])
    form = _topic_form(submit="1", legal_basis="Luật Hộ tịch 2014", as_of="2026-11-01")
    del form["code"]
    assert client.post(f"{page}/edit", data={**form, "csrf_token": token(client, page)}).status_code == 302
    client.post(f"/versions/{version.public_id}/submit", data={"csrf_token": token(client, page)})
    client.post("/logout", data={"csrf_token": token(client, page)})

    login_as(world.users["approver"])
    assert "Thiếu căn cứ" not in client.get("/content/review").get_data(as_text=True)
    client.post(f"/versions/{version.public_id}/approve", data={"csrf_token": token(client, page)})
    client.post(f"/versions/{version.public_id}/publish", data={"csrf_token": token(client, page)})
    session.expire_all()
    assert version.status is VersionStatus.published and version.legal_basis == "Luật Hộ tịch 2014"


def test_approver_cannot_approve_own_version_over_http(client, login_as, world, session):
    approver = world.users["approver"]
    version = svc.create_topic(
        session, approver, NOW, "t-tu-duyet", {"title": "x", "kind": "common", "field": "tu-phap", "hours": 1}
    )
    svc.submit_version(session, approver, NOW, version)
    session.commit()
    login_as(approver)
    page = f"/topics/{version.topic.public_id}"
    assert "không thể tự duyệt" in client.get(page).get_data(as_text=True)
    response = client.post(f"/versions/{version.public_id}/approve", data={"csrf_token": token(client, page)})
    assert response.status_code == 403


def test_editing_published_topic_in_browser_creates_new_draft(client, login_as, course, world, session):
    login_as(world.users["instructor"])
    page = f"/topics/{course.topic.public_id}"
    html = client.get(f"{page}/edit").get_data(as_text=True)
    assert "phan-1 | Phần một" in html
    form = _topic_form(submit="1", title="Bản sửa", kind="common", field="xay-dung-dang")
    form["body"] = "### Một {#phan-1}\n\n### Hai {#phan-2}\n"
    form["lessons"] = "phan-1 | Phần một\nphan-2 | Phần hai"
    del form["code"]
    bad = client.post(
        f"{page}/edit", data={**form, "lessons": "phan-9 | Không có", "csrf_token": token(client, page)}
    )
    assert bad.status_code == 200 and "phan-9" in bad.get_data(as_text=True)
    bad = client.post(
        f"{page}/edit", data={**form, "lessons": "thiếu dấu gạch", "csrf_token": token(client, page)}
    )
    assert bad.status_code == 200 and "mã-phần | Tiêu đề" in bad.get_data(as_text=True)
    assert client.post(f"{page}/edit", data={**form, "csrf_token": token(client, page)}).status_code == 302
    session.expire_all()
    topic = session.get(Topic, course.topic.id)
    assert [(v.version, v.status) for v in topic.versions] == [
        (1, VersionStatus.published),
        (2, VersionStatus.draft),
    ]
    assert topic.published.title == "Chuyên đề chung thử nghiệm"
    assert [x.anchor for x in topic.versions[1].lessons] == ["phan-1", "phan-2"]


# --- attachments ------------------------------------------------------------------------------


@pytest.fixture()
def draft_version(session, world):
    version = svc.create_topic(
        session,
        world.users["instructor"],
        NOW,
        "t-tai-lieu",
        {"title": "Tài liệu", "kind": "common", "field": "tu-phap", "hours": 1, "body": "x"},
    )
    session.commit()
    return version


def _upload(client, version, name, data):
    page = f"/topics/{version.topic.public_id}"
    return client.post(
        f"/versions/{version.public_id}/attachments",
        data={"csrf_token": token(client, page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_attachment_upload_and_download(client, login_as, world, draft_version, session, app):
    login_as(world.users["instructor"])
    assert _upload(client, draft_version, "Bài giảng.pdf", PDF).status_code == 302
    session.expire_all()
    [attachment] = session.get(TopicVersion, draft_version.id).attachments
    assert attachment.mimetype == "application/pdf" and attachment.stored_name != "Bài giảng.pdf"
    response = client.get(f"/attachments/{attachment.public_id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    # a learner cannot download attachments of a draft
    client.post("/logout", data={"csrf_token": token(client, "/content")})
    login_as(world.users["learner"])
    assert client.get(f"/attachments/{attachment.public_id}").status_code == 403


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bai.pdf", b"just text pretending", "không đúng với đuôi"),
        ("anh.pdf", PNG, "không đúng với đuôi"),
        ("virus.exe", PDF, "Chỉ nhận tệp"),
        ("trong.pdf", b"", "Tệp rỗng"),
    ],
)
def test_bad_uploads_are_refused(client, login_as, world, draft_version, name, data, message):
    login_as(world.users["instructor"])
    response = _upload(client, draft_version, name, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_upload_too_large(client, login_as, world, draft_version, app, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_UPLOAD_MAX_MB", 0)
    login_as(world.users["instructor"])
    response = _upload(client, draft_version, "a.pdf", PDF)
    assert response.status_code == 400 and "lớn hơn" in response.get_data(as_text=True)


def test_upload_to_published_version_refused(client, login_as, world, course):
    login_as(world.users["instructor"])
    response = _upload(client, course.topic.published, "a.pdf", PDF)
    assert response.status_code == 409


def test_learner_downloads_published_material(client, login_as, world, course, session, tmp_path, app):
    version = svc.new_draft(session, world.users["instructor"], NOW, course.other_topic)
    from pathlib import Path

    svc.add_attachment(
        session,
        world.users["instructor"],
        NOW,
        version,
        "Tài liệu.pdf",
        PDF,
        Path(app.instance_path) / "uploads",
        5,
    )
    approver = world.users["approver"]
    svc.submit_version(session, world.users["instructor"], NOW, version)
    svc.approve_version(session, approver, NOW, version)
    svc.publish_version(session, approver, NOW, version)
    session.commit()
    login_as(world.users["learner"])
    html = client.get("/my/training").get_data(as_text=True)
    assert "Tài liệu.pdf" in html
    public_id = version.attachments[0].public_id
    assert client.get(f"/attachments/{public_id}").data == PDF


# --- cohorts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("instructor", 200),
        ("other_instructor", 403),
        ("admin", 200),
        ("board", 200),
        ("board_a", 403),
        ("learner", 403),
        ("approver", 403),
    ],
)
def test_cohort_page_access(client, login_as, course, world, who, status):
    users = {
        **world.users,
        "board_a": world.board_a,
        "other_instructor": course.other_instructor,
    }
    login_as(users[who])
    url = f"/cohorts/{course.cohort.public_id}"
    assert client.get(url).status_code == status
    assert client.get(url + "/export.csv").status_code == status


def test_cohort_list_is_scoped(client, login_as, course, world):
    login_as(course.other_instructor)
    assert "Lớp thử" not in client.get("/cohorts").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(client, "/cohorts")})
    login_as(world.users["instructor"])
    assert "Lớp thử" in client.get("/cohorts").get_data(as_text=True)


def test_board_cannot_manage_attendance(client, login_as, course, world):
    login_as(world.users["board"])
    assert client.get(f"/cohorts/{course.cohort.public_id}/sessions/0/attendance").status_code == 403


def test_bulk_attendance_and_csv(client, login_as, course, world, session, factory):
    second = factory.profile(unit=world.commune_a, name="=Lê Thị Hoa")
    other = svc.enroll(session, None, NOW, course.cohort, second)
    svc.mark_studied(session, course.enrollment, course.topic, NOW)
    session.commit()
    login_as(world.users["instructor"])
    url = f"/cohorts/{course.cohort.public_id}/sessions/0/attendance"
    html = client.get(url).get_data(as_text=True)
    assert "Nguyễn Văn Học" in html and "=Lê Thị Hoa" in html
    response = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            f"status-{course.enrollment.id}": "present",
            f"status-{other.id}": "excused",
        },
    )
    assert response.status_code == 302
    rows = {a.enrollment_id: a.status for a in session.scalars(select(Attendance))}
    assert svc.attendance_summary(session, course.enrollment) == (1, 2)
    assert svc.attendance_summary(session, other) == (0, 2)
    assert rows == {course.enrollment.id: AttendanceStatus.present, other.id: AttendanceStatus.excused}
    bad = client.post(url, data={"csrf_token": token(client, url), f"status-{other.id}": "ngủ"})
    assert bad.status_code == 400
    page = client.get(f"/cohorts/{course.cohort.public_id}").get_data(as_text=True)
    assert "1/2" in page and "✓" in page
    csv_response = client.get(f"/cohorts/{course.cohort.public_id}/export.csv")
    assert csv_response.mimetype == "text/csv"
    assert csv_response.data.startswith(b"\xef\xbb\xbf")
    text = csv_response.data.decode("utf-8-sig")
    assert "Họ và tên" in text and "Nguyễn Văn Học" in text and "Có mặt" in text and "Vắng có phép" in text
    assert "'=Lê Thị Hoa" in text  # no formula injection


def test_all_present_fills_only_learners_not_yet_recorded(client, login_as, course, world, session, factory):
    """The "Có mặt tất cả" button: nobody already recorded is overwritten, what the form chose is kept,
    and the rest are present; through record_attendance, so audit and signals fire."""
    import json

    from lms import events
    from lms.audit import AuditEntry

    absent = svc.enroll(
        session, None, NOW, course.cohort, factory.profile(unit=world.commune_a, name="An Vắng")
    )
    excused = svc.enroll(
        session, None, NOW, course.cohort, factory.profile(unit=world.commune_a, name="Bình Phép")
    )
    first = course.cohort.sessions[0]
    svc.record_attendance(session, course.instructor, NOW, course.cohort, first, {absent.id: "absent"})
    session.commit()
    login_as(world.users["instructor"])
    url = f"/cohorts/{course.cohort.public_id}/sessions/0/attendance"
    html = client.get(url).get_data(as_text=True)
    assert "Chưa điểm danh: 2/3 học viên." in html
    assert 'name="action" value="all-present"' in html and "Có mặt tất cả" in html
    assert "mọi học viên chưa điểm danh" in html  # the page says what the button does

    signals = []

    def heard(_session, cohort_id):
        signals.append(cohort_id)

    events.attendance_changed.connect(heard)
    try:
        form = {
            "csrf_token": token(client, url),
            "action": "all-present",
            f"status-{course.enrollment.id}": "",  # not recorded, nothing chosen: present
            f"status-{absent.id}": "",  # recorded absent; blank in the form: stays absent
            f"status-{excused.id}": "excused",  # chosen in the form before tapping: kept
        }
        response = client.post(url, data=form)
        again = client.post(url, data=form)  # a double tap changes nothing more
    finally:
        events.attendance_changed.disconnect(heard)
    assert response.status_code == again.status_code == 302
    assert response.headers["Location"].endswith(url)  # back to the list to fix exceptions
    rows = {a.enrollment_id: a.status for a in session.scalars(select(Attendance))}
    assert rows == {
        course.enrollment.id: AttendanceStatus.present,
        absent.id: AttendanceStatus.absent,
        excused.id: AttendanceStatus.excused,
    }
    assert signals == [course.cohort.id]  # once: the second tap changed nothing
    html = client.get(url).get_data(as_text=True)
    assert "Đã ghi “Có mặt” cho 1 học viên chưa điểm danh (2 thay đổi)." in html
    assert "Đã điểm danh đủ 3 học viên." in html and 'value="all-present"' not in html
    audits = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "cohort.attendance").order_by(AuditEntry.id)
    ).all()
    assert [json.loads(a.after) for a in audits[-2:]] == [
        {"changed": 2, "how": "all_present"},
        {"changed": 0, "how": "all_present"},
    ]


def test_all_present_refuses_bad_input_and_other_roles(client, login_as, course, world, session):
    url = f"/cohorts/{course.cohort.public_id}/sessions/0/attendance"
    login_as(world.users["instructor"])
    assert client.post(url, data={"csrf_token": token(client, url), "action": "xoa-het"}).status_code == 400
    bad = client.post(
        url,
        data={
            "csrf_token": token(client, url),
            "action": "all-present",
            f"status-{course.enrollment.id}": "ngủ",
        },
    )
    assert bad.status_code == 400
    assert client.post(url, data={"action": "all-present"}).status_code == 400  # no CSRF token
    assert session.scalars(select(Attendance)).all() == []
    client.post("/logout", data={"csrf_token": token(client, "/cohorts")})
    login_as(world.users["board"])
    refused = client.post(url, data={"csrf_token": token(client, "/cohorts"), "action": "all-present"})
    assert refused.status_code == 403


def test_instructor_enrolls_cadres(client, login_as, course, world, factory, session):
    profile = factory.profile(unit=world.commune_b, name="Phạm Văn Mới")
    session.commit()
    login_as(world.users["instructor"])
    url = f"/cohorts/{course.cohort.public_id}"
    assert "Phạm Văn Mới" in client.get(url).get_data(as_text=True)
    response = client.post(
        url + "/enroll", data={"csrf_token": token(client, url), "profile_ids": [profile.id]}
    )
    assert response.status_code == 302
    assert len(svc.roster(session, course.cohort)) == 2


def test_instructor_opens_a_cohort(client, login_as, course, world, session):
    login_as(world.users["instructor"])
    data = {
        "csrf_token": token(client, "/cohorts/new"),
        "program_id": course.program.id,
        "code": "lop-moi",
        "title": "Lớp mới",
        "unit_id": world.province.id,
        "start_date": "2027-03-01",
    }
    response = client.post("/cohorts/new", data=data)
    assert response.status_code == 302
    cohort = svc.get_cohort(session, response.headers["Location"].rsplit("/", 1)[-1])
    assert len(cohort.sessions) == 5 and cohort.end_date == dt.date(2027, 3, 5)
    assert cohort.has_instructor(world.users["instructor"])
    again = client.post("/cohorts/new", data=data)
    assert again.status_code == 200 and "đã có" in again.get_data(as_text=True)


# --- training needs ---------------------------------------------------------------------------


def test_needs_filed_by_commune_and_summed_for_board(client, login_as, world, factory, session):
    title = factory.title("chu-tich-ubnd")
    login_as(world.users["learner"])  # commune A
    for people in ("3", "2"):
        data = {
            "csrf_token": token(client, "/needs/new"),
            "title_id": title.id,
            "topic_text": "Quản lý đất đai",
            "people": people,
            "period": "2027",
        }
        assert client.post("/needs/new", data=data).status_code == 302
    bad = client.post("/needs/new", data={**data, "people": "-1", "csrf_token": token(client, "/needs/new")})
    assert (
        bad.status_code == 200 and session.scalar(select(TrainingNeed).where(TrainingNeed.people < 0)) is None
    )
    client.post("/logout", data={"csrf_token": token(client, "/needs/new")})
    svc.file_need(
        session,
        world.learner_b,
        NOW,
        unit=world.commune_b,
        title=title,
        topic_text="x",
        people=7,
        period="2027",
    )
    session.commit()

    login_as(world.board_a)  # commune A's board sees only commune A
    html = client.get("/needs").get_data(as_text=True)
    assert "<td>5</td>" in html and "Xã A" in html and "Xã B" not in html
    client.post("/logout", data={"csrf_token": token(client, "/needs")})
    login_as(world.users["board"])
    html = client.get("/needs?period=2027").get_data(as_text=True)
    assert "<td>5</td>" in html and "<td>7</td>" in html


def test_province_staff_cannot_file_needs(client, login_as, world):
    login_as(world.users["instructor"])  # unit: province
    assert client.get("/needs/new").status_code == 403
    assert client.get("/needs").status_code == 403


def test_instructor_role_sees_nav_links(client, login_as, world):
    login_as(world.users["instructor"])
    html = client.get("/").get_data(as_text=True)
    assert "/content" in html and "/cohorts" in html and "/my/training" in html


def test_non_instructor_cannot_author(client, login_as, world):
    for role in (Role.learner, Role.board, Role.approver):
        user = world.users[role.value]
        login_as(user)
        assert client.get("/topics/new").status_code == 403
        client.post("/logout", data={"csrf_token": token(client, "/my/training")})


def test_staff_content_pages_render(client, login_as, course, world):
    login_as(world.users["instructor"])
    assert "Bồi dưỡng Chủ tịch UBND xã (thử)" in client.get("/content").get_data(as_text=True)
    html = client.get("/programs/p-ubnd").get_data(as_text=True)
    assert "Kiến thức" in html and "Chuyên đề chung thử nghiệm" in html
    assert client.get("/programs/p-ubnd/edit").status_code == 200
    assert client.get("/programs/khong-co").status_code == 404
    html = client.get(f"/topics/{course.topic.public_id}").get_data(as_text=True)
    assert "Sửa (tạo bản nháp mới)" in html and 'id="phan-2"' in html
    assert client.get("/topics/khong-co").status_code == 404
    client.post("/logout", data={"csrf_token": token(client, "/content")})
    login_as(world.users["approver"])
    assert client.get("/content/review").status_code == 200


def test_program_form_creates_and_reports_unknown_topics(client, login_as, course, world, session):
    login_as(world.users["instructor"])
    data = {
        "csrf_token": token(client, "/programs/new"),
        "code": "p-moi",
        "title": "Chương trình mới",
        "duration_days": "3",
        "target_group_ids": [],
        "topic_codes": "t-ubnd-1\nt-khong-co",
    }
    response = client.post("/programs/new", data=data)
    assert response.status_code == 200 and "t-khong-co" in response.get_data(as_text=True)
    response = client.post("/programs/new", data={**data, "topic_codes": "t-ubnd-1, t-chung-1"})
    assert response.status_code == 302
    program = svc.get_program(session, "p-moi")
    assert [t.code for t in program.topics] == ["t-ubnd-1", "t-chung-1"]


def test_my_training_query_count_does_not_grow_with_topics(client, login_as, course, world, app, session):
    from sqlalchemy import event

    from lms.db import db
    from lms.programs.models import ProgramTopic

    def count_queries() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        engine = db.state(app).engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/my/training").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    login_as(world.users["learner"])
    before = count_queries()
    for n in range(3):
        version = svc.create_topic(
            session,
            world.users["instructor"],
            NOW,
            f"t-them-{n}",
            {"title": f"Thêm {n}", "kind": "common", "field": "tu-phap", "hours": 1},
        )
        version.publish_from_import(NOW)
        session.add(ProgramTopic(program=course.program, topic=version.topic, position=10 + n))
    session.commit()
    assert "Thêm 2" in client.get("/my/training").get_data(as_text=True)
    assert count_queries() == before


def test_path_traversal_in_the_file_name_is_harmless(client, login_as, world, draft_version, session, app):
    login_as(world.users["instructor"])
    assert _upload(client, draft_version, "../../../etc/bai.pdf", PDF).status_code == 302
    session.expire_all()
    [attachment] = session.get(TopicVersion, draft_version.id).attachments
    assert attachment.filename == "bai.pdf"
    assert "/" not in attachment.stored_name and ".." not in attachment.stored_name
    disposition = client.get(f"/attachments/{attachment.public_id}").headers["Content-Disposition"]
    assert "/" not in disposition and ".." not in disposition


def test_zip_bomb_shaped_docx_is_never_inflated(client, login_as, world, draft_version):
    """The type check reads the zip's directory only; nothing is ever decompressed on the server."""
    import tracemalloc
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 200_000_000)  # 200 MB inflated, ~200 KB stored
    data = bomb.getvalue()
    assert len(data) < 1_000_000
    login_as(world.users["instructor"])
    tracemalloc.start()
    response = _upload(client, draft_version, "bom.docx", data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 302
    assert peak < 50_000_000, f"upload used {peak} bytes: something inflated the archive"
