"""The approver's review queue: topics and scenarios waiting for them, counted on the home page,
each linking to its page; the scenario list shows them too; a scenario version shows its diff."""

from __future__ import annotations

import html

import pytest

from lms.auth.models import Role
from lms.programs import services as psvc
from lms.scenarios import services as sv
from lms.scenarios.models import ScenarioStatus
from tests.scenarios.helpers import NOW, import_good


@pytest.fixture()
def waiting(session, world):
    """A scenario version and a topic version submitted by the instructor."""
    published = import_good(session, world.province)
    draft = sv.new_version(session, published, world.users["instructor"], NOW)
    doc = draft.doc
    doc["title"] = "Tình huống thử nghiệm (bản sửa)"
    next(n for n in doc["nodes"] if n["id"] == "d1")["title"] = "Bước 1 đã sửa"
    sv.save_document(session, draft, world.users["instructor"], doc, NOW, "edit")
    sv.transition(session, draft, world.users["instructor"], "submit", NOW)
    topic = psvc.create_topic(
        session,
        world.users["instructor"],
        NOW,
        "t-cho-duyet",
        {"title": "Chuyên đề chờ duyệt", "kind": "common", "field": "tu-phap", "hours": 1, "body": "x"},
    )
    psvc.submit_version(session, world.users["instructor"], NOW, topic)
    session.commit()
    return draft, topic


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_approver_sees_everything_waiting_counted_on_home(login_as, world, waiting):
    scenario, topic = waiting
    client = login_as(world.users["approver"])
    home = text(client.get("/"))
    assert "Chờ duyệt: 2" in home and 'href="/review/"' in home
    page = text(client.get("/review/"))
    assert "Chuyên đề chờ duyệt" in page and "Tình huống thử nghiệm (bản sửa)" in page
    assert f'href="/scenarios/manage/{scenario.public_id}"' in page
    assert f"v={topic.public_id}" in page
    assert "Bước tiếp: duyệt hoặc trả lại" in page


def test_scenario_list_of_an_approver_is_not_empty(login_as, world, waiting):
    scenario, _topic = waiting
    client = login_as(world.users["approver"])
    page = text(client.get("/scenarios/manage"))
    assert "Chưa có tình huống." not in page
    assert f"/scenarios/manage/{scenario.public_id}" in page


def test_approved_scenario_stays_in_the_queue_until_published(login_as, world, waiting, session):
    scenario, _topic = waiting
    sv.transition(session, scenario, world.users["approver"], "approve", NOW)
    session.commit()
    client = login_as(world.users["approver"])
    page = text(client.get("/review/"))
    assert "Bước tiếp: ban hành" in page
    sv.transition(session, scenario, world.users["approver"], "publish", NOW)
    session.commit()
    assert "Chờ duyệt: 1" in text(client.get("/"))


def test_queue_is_scoped_and_refused_to_others(login_as, world, waiting, factory, session):
    other_province = factory.unit("Tỉnh Khác", kind="province")
    outsider = factory.user(Role.approver, other_province, username="approver-other")
    session.commit()
    client = login_as(outsider)
    page = text(client.get("/review/"))
    assert "Tình huống thử nghiệm (bản sửa)" not in page  # another unit's scenario
    for role in ("learner", "instructor", "board"):
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else client._cookies.clear()
        client = login_as(world.users[role])
        assert client.get("/review/").status_code == 403
        assert "Chờ duyệt:" not in text(client.get("/"))


def test_own_work_is_not_in_ones_queue(login_as, world, session):
    admin = world.users["admin"]
    published = import_good(session, world.province)
    draft = sv.new_version(session, published, admin, NOW)
    sv.transition(session, draft, admin, "submit", NOW)
    session.commit()
    assert draft.status == ScenarioStatus.submitted
    client = login_as(admin)
    assert f"/scenarios/manage/{draft.public_id}" not in text(client.get("/review/"))


def test_scenario_version_shows_its_diff(login_as, world, waiting):
    scenario, _topic = waiting
    client = login_as(world.users["approver"])
    page = text(client.get(f"/scenarios/manage/{scenario.public_id}"))
    section = page.split('id="changes-title"', 1)[1].split("</section>", 1)[0]
    assert "Thay đổi so với bản 1 (Đang sử dụng)" in section
    assert (
        "đã sửa</mark>" in section
        and "title: Bước 1" in section
        and "<ins>" in section
        and "<del>" in section
    )
    assert "dòng thêm" in section
