"""The "Thay đổi so với bản đang công bố" section of the topic page (view + template)."""

from __future__ import annotations

import datetime as dt
import re

from lms.programs import services as svc
from lms.programs.models import VersionStatus

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
HEADING = "Thay đổi so với bản đang công bố"
AUTHOR_HTML = '<script>alert("x")</script><img src=x onerror=alert(2)>'


def changes_section(html: str) -> str:
    match = re.search(r'<section class="changes".*?</section>', html, re.S)
    assert match, "no changes section on the page"
    return match.group(0)


def edited_fields(version, **changes) -> dict:
    """The fields of a published version as the edit form would send them, with changes."""
    fields = {
        "title": version.title,
        "kind": str(version.kind),
        "field": version.field,
        "hours": version.hours,
        "target_groups": version.target_group_codes,
        "legal_basis": version.legal_basis,
        "as_of": version.as_of,
        "body": version.body,
        "lessons": [(x.title, x.anchor) for x in version.lessons],
    }
    fields.update(changes)
    return fields


def submit_edit(session, course, **changes):
    published = course.topic.published
    draft = svc.edit_topic(session, course.instructor, NOW, course.topic, edited_fields(published, **changes))
    svc.submit_version(session, course.instructor, NOW, draft)
    session.commit()
    return published, draft


def test_approver_sees_what_a_submitted_version_changes(client, login_as, course, world, session):
    published = course.topic.published
    body = published.body.replace("Nội dung phần một.", "Nội dung phần một, đã bổ sung.")
    body += f"\n### Phần ba {{#phan-3}}\n\nMới: {AUTHOR_HTML}\n"
    _published, draft = submit_edit(
        session,
        course,
        title="Chuyên đề chung (bản sửa)",
        hours=5,
        body=body,
        lessons=[*[(x.title, x.anchor) for x in published.lessons], ("Phần <b>ba</b>", "phan-3")],
    )
    login_as(world.users["approver"])
    html = client.get(f"/topics/{course.topic.public_id}").get_data(as_text=True)
    assert "Chờ duyệt" in html and 'action="/versions/' in html  # the review page itself
    section = changes_section(html)
    assert HEADING in section and "So sánh bản 2 (đang xem) với bản 1" in section
    # metadata: old → new with the form's labels
    assert re.search(
        r"<dt>Tiêu đề</dt>\s*<dd><del>.*Chuyên đề chung thử nghiệm</del>"
        r".*→.*Chuyên đề chung \(bản sửa\)</ins>",
        section,
    )
    assert re.search(r"<dt>Số giờ</dt>\s*<dd><del>.*4</del>.*5</ins>", section)
    assert "Lĩnh vực" not in section  # unchanged fields are not listed
    # lessons and the changed lesson body, line by line with +/− besides the colour
    assert "Thêm phần 3: “Phần &lt;b&gt;ba&lt;/b&gt;”" in section
    assert "Phần “Phần một”" in section and "Phần “Phần &lt;b&gt;ba&lt;/b&gt;”" in section
    assert re.search(
        r'class="diff-removed"><span class="diff-mark" aria-hidden="true">−</span>'
        r"<del>.*Nội dung phần một\.</del>",
        section,
    )
    assert re.search(
        r'class="diff-added"><span class="diff-mark" aria-hidden="true">\+</span>'
        r"<ins>.*<mark>, đã bổ sung</mark>",
        section,
    )
    # author HTML is shown as text, never as markup
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in section
    assert "<script>" not in section and "<img" not in section and "<b>" not in section
    # the published version's own page has no such section
    published_page = client.get(f"/topics/{course.topic.public_id}?v={course.topic.published.public_id}")
    assert HEADING not in published_page.get_data(as_text=True)
    assert draft.status is VersionStatus.submitted


def test_author_sees_the_changes_too(client, login_as, course, world, session):
    submit_edit(session, course, legal_basis="Điều lệ Đảng; Quy định 22-QĐ/TW")
    login_as(course.instructor)
    section = changes_section(client.get(f"/topics/{course.topic.public_id}").get_data(as_text=True))
    assert "Căn cứ pháp lý" in section and "Quy định 22-QĐ/TW</ins>" in section


def test_a_copy_of_the_published_version_says_nothing_changed(client, login_as, course, world, session):
    submit_edit(session, course)
    login_as(world.users["approver"])
    section = changes_section(client.get(f"/topics/{course.topic.public_id}").get_data(as_text=True))
    assert "Không có gì khác so với bản đang công bố." in section
    assert 'class="diff' not in section


def test_a_topic_never_published_has_nothing_to_compare_with(client, login_as, world, session):
    draft = svc.create_topic(
        session,
        world.users["instructor"],
        NOW,
        "t-chua-cong-bo",
        {"title": "Mới", "kind": "common", "field": "tu-phap", "hours": 1, "body": "x"},
    )
    svc.submit_version(session, world.users["instructor"], NOW, draft)
    session.commit()
    login_as(world.users["approver"])
    section = changes_section(client.get(f"/topics/{draft.topic.public_id}").get_data(as_text=True))
    assert "Chưa có bản công bố để so sánh." in section


def test_learner_still_cannot_open_the_submitted_version(client, login_as, course, world, session):
    body = course.topic.published.body + "\nNội dung bí mật của bản 2\n"
    _published, draft = submit_edit(session, course, body=body)
    login_as(world.users["learner"])
    topic_id = course.topic.public_id
    assert client.get(f"/topics/{topic_id}?v={draft.public_id}").status_code == 403
    assert client.get(f"/topics/{topic_id}").status_code == 403
    html = client.get(f"/my/topics/{topic_id}").get_data(as_text=True)
    assert "bí mật" not in html and HEADING not in html
