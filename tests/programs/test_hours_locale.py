"""A topic's hours in the reader's locale: "3,5" on a Vietnamese page, "3.5" on an English one
(the topic page's facts and the changes a reviewer reads)."""

from __future__ import annotations

import html
import re

import pytest

from tests.programs.test_version_changes import changes_section, submit_edit


@pytest.mark.parametrize(
    ("lang", "label", "shown", "other"), [("vi", "Số giờ", "3,5", "3.5"), ("en", "Hours", "3.5", "3,5")]
)
def test_hours_are_written_the_readers_way(
    client, login_as, course, world, session, lang, label, shown, other
):
    submit_edit(session, course, hours=3.5)
    login_as(world.users["approver"])
    if lang == "en":
        with client.session_transaction() as s:
            s["lang"] = "en"
    page = html.unescape(client.get(f"/topics/{course.topic.public_id}").get_data(as_text=True))
    assert re.search(rf"<dt>{label}</dt>\s*<dd>{re.escape(shown)}</dd>", page)  # the version's facts
    section = changes_section(page)
    assert re.search(rf"<dt>{label}</dt>\s*<dd><del>.*4</del>.*{re.escape(shown)}</ins>", section)
    assert other not in page
