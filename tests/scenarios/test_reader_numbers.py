"""Points and weights on the scenario pages in the reader's locale: "2,5" on a Vietnamese page,
"2.5" on an English one (the editor's flash and check report, the graph's labels, the source
editor's flash), the essay weight as a percentage; the ``scenarios validate`` CLI keeps Python's
"2.5" (an interface)."""

from __future__ import annotations

import html

import flask
import pytest

from lms.scenarios import drawing
from lms.scenarios import services as sv
from tests.fixtures import csrf_token
from tests.scenarios.helpers import DATA, NOW, import_good

# d1's best choice worth 2.5 instead of 3: path scores from -2 to 4.5
HALF = 'points: 2.5\n        feedback: "Đúng Điều 235."'


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(client) -> None:
    with client.session_transaction() as s:
        s["lang"] = "en"


@pytest.fixture()
def draft(session, world):
    published = import_good(session, world.province)
    d = sv.new_version(session, published, world.users["instructor"], NOW)
    session.commit()
    return d


@pytest.mark.parametrize(("lang", "shown", "other"), [("vi", "2,5", "2.5"), ("en", "2.5", "2,5")])
def test_editor_flash_and_report_write_points_the_readers_way(login_as, world, draft, lang, shown, other):
    client = login_as(world.users["instructor"])
    if lang == "en":
        english(client)
    url = f"/scenarios/manage/{draft.public_id}/author/nodes/d1/choices/1"
    data = {"label": "Thụ lý", "points": "2.5", "feedback": "", "effects": "trust=+1", "next": "d2"}
    response = client.post(url, data=dict(data, csrf_token=csrf_token(client, url)), follow_redirects=True)
    text = page(response)
    assert response.status_code == 200
    if lang == "vi":
        assert "Đã lưu. Hợp lệ: điểm thấp nhất -2, cao nhất 4,5." in text  # the flash
        assert "Điểm đường đi: thấp nhất -2, cao nhất 4,5." in text  # the check report
    else:
        assert "Saved. Valid: lowest score -2, highest 4.5." in text
        assert "Path score: lowest -2, highest 4.5." in text
    overview = page(client.get(f"/scenarios/manage/{draft.public_id}/author"))
    assert "<svg" in overview and ("cao nhất 4,5." if lang == "vi" else "highest 4.5.") in overview
    assert f"({shown}" in overview and f"({other}" not in overview  # the choice's points on the graph


def test_source_editor_flash_writes_points_the_readers_way(login_as, world, draft):
    client = login_as(world.users["instructor"])
    url = f"/scenarios/manage/{draft.public_id}/edit"
    source = sv.export_text(draft)
    assert source.count("points: 3\n") == 1
    data = {"source": source.replace("points: 3\n", "points: 2.5\n")}
    for lang, flash_text in (
        ("vi", "Đã lưu. Hợp lệ: điểm thấp nhất -2, cao nhất 4,5."),
        ("en", "Saved. Valid: lowest score -2, highest 4.5."),
    ):
        if lang == "en":
            english(client)
            data["source"] = data["source"].replace("points: 2.5\n", "points: 2.50\n")  # a change to save
        response = client.post(
            url, data=dict(data, csrf_token=csrf_token(client, url)), follow_redirects=True
        )
        assert response.status_code == 200
        assert flash_text in page(response), lang


@pytest.mark.parametrize(("lang", "shown", "other"), [("vi", "1,5", "1.5"), ("en", "1.5", "1,5")])
def test_graph_labels_write_points_the_readers_way(app, lang, shown, other):
    doc = {
        "start": "d",
        "nodes": [
            {
                "id": "d",
                "kind": "decision",
                "title": "Bước",
                "choices": [
                    {"label": "Một", "points": 1.5, "next": "e"},
                    {"label": "Hai", "points": 10, "next": "e"},
                ],
            },
            {"id": "e", "kind": "ending", "title": "Hết"},
        ],
    }
    with app.test_request_context():
        flask.session["lang"] = lang
        built = drawing.build(doc)
        source = drawing.dot_source(built)
        titles = [edge.full_label for edge in built.edges]
    assert f"({shown}" in titles[0] and other not in titles[0]  # the edge's title in the SVG
    assert "(10 " in titles[1]
    assert f"({shown}" in source and f"({other}" not in source  # the label Graphviz draws


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_detail_shows_the_essay_weight_as_a_percentage(login_as, world, draft, lang):
    client = login_as(world.users["instructor"])
    if lang == "en":
        english(client)
    text = page(client.get(f"/scenarios/manage/{draft.public_id}"))
    facts = text.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    label = "Trọng số tự luận" if lang == "vi" else "Weight of the written part"
    assert f"<dt>{label}</dt><dd>30%</dd>" in facts


def test_validate_cli_keeps_pythons_numbers(runner, tmp_path):
    source = (DATA / "good.yaml").read_text("utf-8")
    assert HALF.replace("2.5", "3") in source
    path = tmp_path / "half.yaml"
    path.write_text(source.replace(HALF.replace("2.5", "3"), HALF), "utf-8")
    result = runner.invoke(args=["scenarios", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("ok: min score -2, max score 4.5\n")
