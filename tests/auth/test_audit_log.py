"""The admin audit log page: Vietnamese labels, changed fields instead of raw JSON, filters by
person/action/object kind/date, hostile filter values, pagination with a count, constant queries."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import event

from lms import audit
from lms.audit_display import ACTION_LABELS, OBJECT_LABELS, changes, short
from lms.db import db

LMS = Path(__file__).resolve().parents[2] / "lms"
# the codes built with an f-string in audit.record(...) calls, expanded by hand
FORMATTED = {
    "topic.{action}": {"topic.submit", "topic.approve", "topic.return", "topic.publish"},
    "question.{status}": {"question.updated", "question.new_version"},
    "quiz.{status}": {"quiz.created", "quiz.updated"},
    "scenario.{action}": {"scenario.submit", "scenario.return", "scenario.approve", "scenario.publish"},
}
CALL = re.compile(r"audit\.record\(\s*[\w.]+,\s*[\w.]+,\s*(.+?),\s*\"(\w+)\"", re.S)


def recorded_codes() -> tuple[set[str], set[str]]:
    actions, kinds = set(), set()
    for path in LMS.rglob("*.py"):
        for expr, kind in CALL.findall(path.read_text(encoding="utf-8")):
            kinds.add(kind)
            for literal in re.findall(r'f?"([\w.{}]+)"', expr):
                actions |= FORMATTED.get(literal, {literal})
    return actions, kinds


def test_every_recorded_action_and_object_kind_has_a_label():
    actions, kinds = recorded_codes()
    assert len(actions) > 40 and "profile.create" in actions and "topic.approve" in actions
    assert not actions - set(ACTION_LABELS), sorted(actions - set(ACTION_LABELS))
    assert not kinds - set(OBJECT_LABELS), sorted(kinds - set(OBJECT_LABELS))


def test_changes_list_only_what_changed_and_cut_long_values():
    listed = changes({"a": 1, "same": "x", "gone": True}, {"a": 2, "same": "x", "new": "y" * 200})
    assert [(c.key, c.old, c.new) for c in listed] == [
        ("a", "1", "2"),
        ("gone", "✓", None),
        ("new", None, "y" * 59 + "…"),
    ]
    assert [(c.key, c.old, c.new) for c in changes(None, {"code": "CD-1"})] == [("code", None, "CD-1")]
    assert changes({"a": 1}, {"a": 1}) == [] and changes(None, None) == []
    assert short({"k": [1, 2]}) == '{"k": [1, 2]}'


def get_page(client, query: str = ""):
    response = client.get("/admin/audit" + query)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_labels_and_changed_fields_not_raw_json(client, world, login_as, session):
    admin = world.users["admin"]
    audit.record(
        session,
        admin,
        "profile.update",
        "cadre_profile",
        42,
        before={"full_name": "Nguyễn Văn A", "phone": "0900"},
        after={"full_name": "Nguyễn Văn B", "phone": "0900", "notes": "z" * 300},
    )
    audit.record(session, None, "mystery.code", "thing", 7)
    session.commit()
    login_as(admin)
    html = get_page(client)
    assert "Sửa hồ sơ cán bộ" in html and "Hồ sơ cán bộ #42" in html
    assert "full_name</span>: Nguyễn Văn A → Nguyễn Văn B" in html
    assert "phone</span>" not in html  # unchanged
    assert "z" * 59 + "…" in html and "z" * 61 not in html.split("<details")[0]
    # the raw JSON is only inside the folded <details>
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    assert "&#34;full_name&#34;" not in outside and '"full_name"' not in outside
    assert "<details" in html
    assert "mystery.code" in html and "thing #7" in html  # unknown codes fall back to themselves
    assert "profile.update" not in outside.split("<tbody>")[1]


@pytest.fixture
def logged(session, world):
    admin, learner = world.users["admin"], world.learner_b
    day = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
    audit.record(session, admin, "user.create", "user", 1, now=day)
    audit.record(session, learner, "user.password_change", "user", 2, now=day + dt.timedelta(days=5))
    audit.record(session, admin, "profile.create", "cadre_profile", 3, now=day + dt.timedelta(days=10))
    # 17:30 UTC on 19/3 is 00:30 on 20/3 in Vietnam: it belongs to the 20th
    audit.record(
        session, admin, "result.record", "result", 4, now=dt.datetime(2026, 3, 19, 17, 30, tzinfo=dt.UTC)
    )
    session.commit()
    return admin, learner


def rows_of(html: str) -> list[str]:
    return re.findall(r"<td data-label=\"Đối tượng\">([^<]+)</td>", html)


def test_filters_by_actor_action_kind_and_date(client, login_as, logged):
    admin, learner = logged
    login_as(admin)
    html = get_page(client)
    assert f'<option value="{learner.id}">' in html  # people who appear in the log
    assert rows_of(get_page(client, f"?actor={learner.id}")) == ["Tài khoản #2"]
    assert rows_of(get_page(client, "?action=profile.create")) == ["Hồ sơ cán bộ #3"]
    assert rows_of(get_page(client, "?object_type=user")) == ["Tài khoản #2", "Tài khoản #1"]
    assert rows_of(get_page(client, "?date_from=2026-03-15&date_to=2026-03-19")) == ["Tài khoản #2"]
    assert rows_of(get_page(client, "?date_from=2026-03-20&date_to=2026-03-20")) == [
        "Kết quả học tập #4",
        "Hồ sơ cán bộ #3",
    ]
    html = get_page(client, "?action=profile.create&date_from=2026-03-01")
    assert "Tìm thấy 1 mục." in html


@pytest.mark.parametrize(
    "query",
    [
        "?actor=" + "9" * 30,
        "?actor=-1",
        "?actor=abc",
        "?action=" + "x" * 100_000,
        "?action=profile.nope",
        "?object_type=" + "9" * 30,
        "?object_id=" + "x" * 100_000,
        "?date_from=" + "9" * 30,
        "?date_from=0001-01-01",
        "?date_to=9999-12-31",
        "?date_from=2026-13-45",
        "?date_from=2026-03-20&date_to=2026-03-01",
        "?page=" + "9" * 30,
    ],
)
def test_hostile_filter_values_give_a_message_or_an_empty_page(client, login_as, logged, query):
    login_as(logged[0])
    response = client.get("/admin/audit" + query)
    assert response.status_code in (200, 400), response.status_code
    html = response.get_data(as_text=True)
    if "page=" in query:
        assert "Không có mục nào." in html
    elif "object_id" not in query:
        assert 'class="error"' in html  # the field says what is wrong, and is ignored


def test_pagination_with_count_and_constant_queries(app, client, login_as, world, session):
    admin = world.users["admin"]
    users = [world.learner_b, world.board_a, *world.users.values()]

    def add(n: int) -> None:
        for i in range(n):
            audit.record(session, users[i % len(users)], "user.create", "user", i, after={"i": i})
        session.commit()

    def statements() -> int:
        seen: list[str] = []
        engine = db.state(app).engine

        def listener(*args):
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            get_page(client, "?page=2")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    login_as(admin)
    add(110)
    first = statements()
    add(60)
    assert statements() == first
    html = get_page(client)
    assert "Tìm thấy 170 mục." in html
    assert html.count('<td data-label="Thời điểm">') == 50
    assert 'aria-label="Phân trang"' in html and "Trang 1 / 4" in html
    last = get_page(client, "?page=4&object_type=user")
    assert last.count('<td data-label="Thời điểm">') == 20 and "Trang 4 / 4" in last
    assert "object_type=user" in get_page(client, "?object_type=user").split('aria-label="Phân trang"')[1]
