"""Numbers in the evaluation pages' messages and texts in the reader's locale: "10,5" on a
Vietnamese page, "10.5" on an English one; the same message outside a request (the CLI) keeps
Python's "10.5"."""

from __future__ import annotations

import html

import pytest

from lms.errors import LmsError
from lms.evaluation import services
from tests.fixtures import csrf_token

SCHEME = {
    "pass_mark": "5",
    "component_min": "5",
    "attendance_min_pct": "90",
    "bands": "Xuất sắc | 10,5\nĐạt | 5\nKhông đạt | 0",
    "rules": "",
    "note": "Thử",
    "w_entrance": "0",
    "w_exit": "0.6",
    "w_scenarios": "0.4",
    "w_assessment": "0",
    "w_attendance": "0",
    "w_reflection": "0",
}


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("vi", "Mức “Xuất sắc” phải nằm trong khoảng 0–10 (đang là 10,5)."),
        ("en", "Mức “Xuất sắc” must be between 0 and 10 (it is 10.5)."),
    ],
)
def test_scheme_form_message_writes_the_number_the_readers_way(client, world, login_as, lang, message):
    login_as(world.users["admin"])
    if lang == "en":
        with client.session_transaction() as s:
            s["lang"] = "en"
    url = "/evaluation/schemes/p9/edit"
    response = client.post(url, data=dict(SCHEME, csrf_token=csrf_token(client, url)))
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))


def test_the_message_outside_a_request_keeps_pythons_numbers(app, session):
    block = {"bands": [["Xuất sắc", 10.5], ["Không đạt", 0]]}
    with app.app_context(), pytest.raises(LmsError) as caught:
        services.ensure_scheme(session, "p9", block)
    assert caught.value.message == "Mức “Xuất sắc” phải nằm trong khoảng 0–10 (đang là 10.5)."
