"""Drafts of free-text answers: saved as typed, restored on the page, never emptied by a refusal,
no silent cut, rubric and expected length shown while writing."""

import re

import pytest
from sqlalchemy import select

from lms.scenarios import drafts
from lms.scenarios.models import ScenarioDraft, ScenarioResponse
from tests.fixtures import csrf_token
from tests.scenarios.helpers import import_good


@pytest.fixture()
def scenario(session, world):
    s = import_good(session, world.province)
    session.commit()
    return s


def _post(client, path, data, page=None):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, page or path)))


def _at_response(client, scenario):
    """Start a practice run and walk to its response node; returns the run's URL."""
    intro = f"/scenarios/{scenario.public_id}"
    run_url = _post(client, f"{intro}/start", {"mode": "practice"}, page=intro).headers["Location"]
    _post(client, run_url, {"step": 0, "action": "continue"})
    _post(client, run_url, {"step": 1, "action": "choose", "choice": 1})
    _post(client, run_url, {"step": 2, "action": "choose", "choice": 0})
    assert 'id="answer-form"' in client.get(run_url).get_data(as_text=True)
    return run_url


def _save(client, run_url, text, seq, node="r1"):
    return client.post(
        f"{run_url}/draft",
        json={"node": node, "text": text, "seq": seq},
        headers={"X-CSRFToken": csrf_token(client, run_url), "Accept": "application/json"},
    )


def _node_id(client, run_url):
    return re.search(r'data-node="([^"]+)"', client.get(run_url).get_data(as_text=True)).group(1)


def test_draft_is_saved_newest_wins_and_shown_after_a_new_login(client, login_as, world, scenario, session):
    login_as(world.users["learner"])
    run_url = _at_response(client, scenario)
    node = _node_id(client, run_url)
    assert _save(client, run_url, "Bản nháp mới nhất", 2000, node).get_json() == {
        "state": "saved",
        "seq": 2000,
    }
    # an older save arriving late changes nothing
    assert _save(client, run_url, "Bản cũ", 1000, node).get_json()["state"] == "stale"
    client.post("/logout", data={"csrf_token": csrf_token(client, run_url)})
    login_as(world.users["learner"])
    page = client.get(run_url).get_data(as_text=True)
    assert ">Bản nháp mới nhất</textarea>" in page
    assert 'data-draft-seq="2000"' in page


def test_draft_for_another_step_or_with_bad_payload_is_refused(client, login_as, world, scenario):
    login_as(world.users["learner"])
    run_url = _at_response(client, scenario)
    assert _save(client, run_url, "x", 5, "d1").status_code == 409
    bad = client.post(
        f"{run_url}/draft", json={"node": "r1"}, headers={"X-CSRFToken": csrf_token(client, run_url)}
    )
    assert bad.status_code == 400 and bad.get_json()["error"]


def test_draft_save_without_a_session_answers_json_the_page_can_read(client, login_as, world, scenario):
    login_as(world.users["learner"])
    run_url = _at_response(client, scenario)
    token = csrf_token(client, run_url)
    client.post("/logout", data={"csrf_token": token})  # another tab logs out
    response = client.post(
        f"{run_url}/draft",
        json={"node": "r1", "text": "đang viết", "seq": 5},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["reason"] == "session"


def test_too_long_answer_is_refused_with_the_text_kept(client, login_as, world, scenario, session):
    login_as(world.users["learner"])
    run_url = _at_response(client, scenario)
    step = int(re.search(r'name="step" value="(\d+)"', client.get(run_url).get_data(as_text=True)).group(1))
    long_text = "Ý kiến " * 2000 + "KẾT-THÚC"  # 14,008 characters
    response = _post(client, run_url, {"step": step, "action": "respond", "answer": long_text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "14.008 ký tự" in page and "rút gọn 4.008" in page
    assert "KẾT-THÚC</textarea>" in page  # the whole text is back in the box, not cut
    assert session.scalars(select(ScenarioResponse)).all() == []
    draft = session.scalar(select(ScenarioDraft))
    assert draft.text == long_text  # and kept on the server
    # the page itself no longer cuts a paste
    assert "maxlength" not in page.split('id="answer"', 1)[1].split(">", 1)[0]


def test_sending_the_answer_removes_the_draft(client, login_as, world, scenario, session):
    login_as(world.users["learner"])
    run_url = _at_response(client, scenario)
    node = _node_id(client, run_url)
    _save(client, run_url, "Điều 235", 10, node)
    step = int(re.search(r'name="step" value="(\d+)"', client.get(run_url).get_data(as_text=True)).group(1))
    assert (
        _post(client, run_url, {"step": step, "action": "respond", "answer": "Điều 235"}).status_code == 302
    )
    assert session.scalars(select(ScenarioDraft)).all() == []
    assert session.scalar(select(ScenarioResponse)).answer == "Điều 235"


def test_rubric_and_expected_length_are_shown_while_writing(client, login_as, world, scenario):
    login_as(world.users["learner"])
    run_url = _at_response(client, scenario)
    page = client.get(run_url).get_data(as_text=True)
    node = scenario.doc["nodes"]
    response_node = next(n for n in node if n["kind"] == "response")
    assert "Tiêu chí chấm phần này" in page
    for criterion in response_node["rubric"]:
        assert criterion["criterion"] in page
    assert "MODEL-ANSWER-SECRET" not in page


def test_expected_words_forms():
    assert drafts.expected_words({"expected_words": 150}) == (150, 150)
    assert drafts.expected_words({"expected_words": [150, 200]}) == (150, 200)
    assert drafts.expected_words({}) is None
    assert drafts.count_words("  Hòa giải   thành\nngay ") == 4


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("150", True),
        ("[150, 200]", True),
        ("[200, 150]", False),
        ("0", False),
        ("abc", False),
        ("[1, 2, 3]", False),
    ],
)
def test_expected_words_is_validated(value, ok):
    from lms.scenarios.validate import validate_text
    from tests.scenarios.helpers import DATA

    text = (DATA / "good.yaml").read_text(encoding="utf-8")
    text = text.replace(
        '    prompt: "Nêu căn cứ pháp lý của việc hòa giải."',
        f'    prompt: "Nêu căn cứ pháp lý của việc hòa giải."\n    expected_words: {value}',
    )
    checked = validate_text(text, "good.yaml")
    assert checked.ok is ok, checked.problems
    if not ok:
        assert any("expected_words" in p.message and p.line == 62 for p in checked.problems)


def test_expected_length_is_shown_on_the_page(client, login_as, world, session):
    from lms.scenarios.services import check_paths, import_checked, latest
    from tests.scenarios.helpers import DATA, NOW

    source = (
        (DATA / "good.yaml")
        .read_text(encoding="utf-8")
        .replace(
            '    prompt: "Nêu căn cứ pháp lý của việc hòa giải."',
            '    prompt: "Nêu căn cứ pháp lý của việc hòa giải."\n    expected_words: [150, 200]',
        )
    )
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "good.yaml"
        path.write_text(source, encoding="utf-8")
        import_checked(session, check_paths([path]), world.province, actor=None, now=NOW)
    session.commit()
    login_as(world.users["learner"])
    run_url = _at_response(client, latest(session, "thu-nghiem"))
    page = client.get(run_url).get_data(as_text=True)
    assert "Độ dài mong đợi: 150–200 chữ." in page
    assert 'data-words-low="150" data-words-high="200"' in page
