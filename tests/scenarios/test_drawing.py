"""The scenario graph drawn by Graphviz: edges go around nodes, carry the choice labels, nodes
carry their full titles and link to the editor, author text cannot inject DOT or SVG, and a
missing ``dot`` gives a text list instead of a 500."""

from __future__ import annotations

import html
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from lms.scenarios import drawing, svgclean
from lms.scenarios import services as sv
from tests.scenarios.helpers import NOW, import_good

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
SVG = "{http://www.w3.org/2000/svg}"
GROUP_UBND = "Chủ tịch, Phó Chủ tịch UBND cấp xã"
LONG = "Ủy ban nhân dân xã họp với các hộ dân về phương án bồi thường khi thu hồi đất làm đường liên thôn"


def crossing_doc(title_d1: str = "Bước một", label: str = "Đi thẳng tới bước hai") -> dict:
    """d1 → dx → d2 and d1 → d2 (the old layout drew this one through dx), d1 → e2."""
    return {
        "start": "s",
        "nodes": [
            {"id": "s", "kind": "situation", "title": LONG, "next": "d1"},
            {
                "id": "d1",
                "kind": "decision",
                "title": title_d1,
                "choices": [
                    {"label": "Hỏi thêm ý kiến", "points": 1, "next": "dx"},
                    {"label": label, "points": 2, "next": "d2"},
                    {"label": "Kết thúc sớm", "points": 0, "next": "e2"},
                ],
            },
            {
                "id": "dx",
                "kind": "decision",
                "title": "Bước giữa",
                "choices": [
                    {"label": "Tiếp", "points": 1, "next": "d2"},
                    {"label": "Dừng", "points": 0, "next": "e1"},
                ],
            },
            {
                "id": "d2",
                "kind": "decision",
                "title": "Bước hai",
                "choices": [
                    {"label": "Tốt", "points": 3, "next": "e1"},
                    {"label": "Kém", "points": 0, "next": "e2"},
                ],
            },
            {"id": "e1", "kind": "ending", "title": "Kết thúc tốt"},
            {"id": "e2", "kind": "ending", "title": "Kết thúc xấu"},
        ],
    }


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _boxes(root) -> dict[str, tuple[float, float, float, float]]:
    """Node id (sgnN) → bounding box of its shape."""
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if "node" not in (group.get("class") or ""):
            continue
        shape = next(e for e in group.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon"))
        values = _numbers(shape.get("d") or shape.get("points"))
        xs, ys = values[0::2], values[1::2]
        boxes[group.get("id")] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


def _curve_points(d: str, steps: int = 20) -> list[tuple[float, float]]:
    """Points along a Graphviz edge path ("M x,y C x1,y1 x2,y2 x3,y3 ...")."""
    values = _numbers(d)
    pts = list(zip(values[0::2], values[1::2], strict=False))
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(1, steps + 1):
            t = k / steps
            out.append(
                tuple(
                    (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * e
                    for a, b, c, e in zip(p0, p1, p2, p3, strict=True)
                )
            )
    return out


@needs_dot
def test_edges_go_around_other_nodes_and_every_edge_is_drawn(app):
    with app.test_request_context():
        graph = drawing.draw(crossing_doc())
    assert graph.svg is not None and graph.problem is None
    root = ET.fromstring(str(graph.svg))
    boxes = _boxes(root)
    index = {row.id: f"sgn{i}" for i, row in enumerate(graph.nodes)}
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert len(edges) == len(graph.edges) == 8  # d1 → e2 is drawn too
    for group, edge in zip(edges, graph.edges, strict=True):
        path = next(group.iter(f"{SVG}path")).get("d")
        ends = {index[edge.source], index[edge.target]}
        for name, (x0, y0, x1, y1) in boxes.items():
            if name in ends:
                continue
            inside = [p for p in _curve_points(path) if x0 + 1 < p[0] < x1 - 1 and y0 + 1 < p[1] < y1 - 1]
            assert not inside, f"{edge.source}→{edge.target} crosses {name}"


@needs_dot
def test_choice_labels_on_edges_and_full_titles_in_svg_title(app):
    with app.test_request_context():
        graph = drawing.draw(
            crossing_doc(), href_for=lambda node_id: f"/scenarios/manage/x/author/nodes/{node_id}"
        )
    svg = html.unescape(str(graph.svg))
    texts = " ".join(t.text or "" for t in ET.fromstring(str(graph.svg)).iter(f"{SVG}text"))
    assert "1. Hỏi thêm ý kiến" in texts and "2. Đi thẳng tới" in texts
    assert f"<title>s · Tình huống: {LONG} (bắt đầu)</title>" in svg  # the whole title, not cut
    assert "<title>d1 → d2: 2. Đi thẳng tới bước hai (2 điểm)</title>" in svg
    assert '<a href="/scenarios/manage/x/author/nodes/d1"' in svg
    assert svg.count("<a href=") == 6  # every node is a link


@needs_dot
def test_hostile_title_and_label_cannot_inject_dot_or_svg(app):
    hostile = (
        '</title><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '"]; n99 [label="INJECTED" href="javascript:alert(2)"]; n0 -> n99; x [label="'
        '\\" \\N \\G <img src=x onerror=alert(3)> &lt;b&gt; ]]> <!-- -->'
    )
    doc = crossing_doc(title_d1=hostile, label=hostile)
    with app.test_request_context():
        graph = drawing.draw(doc)
    svg = str(graph.svg)
    assert graph.problem is None
    root = ET.fromstring(svg)
    assert len([g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "")]) == 6  # no n99
    for element in root.iter():  # every attribute is one we allow, none carries a script URL
        for name, value in element.attrib.items():
            assert name in svgclean.ATTRIBUTES or name in ("href", "aria-label", "role", "xmlns"), name
            if name == "href":
                assert value.startswith("#sg-node-"), value
    for bad in ("<script", "<img", "<foreignobject", "<!--", "<iframe", '<a href="javascript'):
        assert bad not in svg.lower(), bad
    # the text is shown as written, escaped
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&amp;lt;b&amp;gt;" in svg  # "&lt;b&gt;" typed by the author stays literal
    assert {e.tag.split("}")[1] for e in root.iter()} <= svgclean.ELEMENTS


def test_sanitiser_drops_everything_outside_the_allow_list():
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10pt" height="10pt" viewBox="0 0 10 10" onload="alert(1)">'
        "<script>alert(2)</script><style>*{}</style><foreignObject><p>x</p></foreignObject>"
        '<g id="sgn0" class="node" style="fill:url(javascript:x)"><title>raw</title>'
        '<a xlink:href="javascript:alert(3)"><path d="M0,0 L1,1" fill="url(#x)" stroke="black"/></a>'
        '<a xlink:href="https://evil.example/"><text x="1" y="2" onclick="x()">hi</text></a></g>'
        '<g id="sgn1" class="node"><a xlink:href="/ok/1"><text x="1" y="2">ok</text></a></g>'
        "</svg>"
    )
    out = str(
        svgclean.clean(raw, {"sgn0": "Nút 0", "sgn1": "Nút 1"}, {"sgn0": "/ok/0", "sgn1": "/ok/1"}, "G")
    )
    for bad in ("script", "style", "foreignObject", "onload", "onclick", "javascript", "evil", "url("):
        assert bad not in out, bad
    assert "<title>Nút 0</title>" in out and "raw" not in out
    assert '<a href="/ok/1" aria-label="Nút 1">' in out
    assert 'stroke="black"' in out and "fill=" not in out.split("<path", 1)[1].split(">", 1)[0]
    with pytest.raises(svgclean.UnsafeSvg):
        svgclean.clean("<svg><g>", {}, {}, "G")
    with pytest.raises(svgclean.UnsafeSvg):
        svgclean.clean('<!DOCTYPE svg [<!ENTITY a "b">]><svg>&a;</svg>', {}, {}, "G")


def test_dot_string_escapes_quotes_backslashes_and_lines():
    assert drawing.dot_string('a"b\\c\nd&e\x07') == '"a\\"b\\\\c\\nd&amp;e "'


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture()
def draft(session, world):
    published = import_good(session, world.province)
    draft = sv.new_version(session, published, world.users["instructor"], NOW)
    session.commit()
    return draft


@needs_dot
def test_editor_graph_nodes_link_to_their_forms(login_as, world, draft):
    client = login_as(world.users["instructor"])
    page = client.get(f"/scenarios/manage/{draft.public_id}/author").get_data(as_text=True)
    assert (
        f'<a href="/scenarios/manage/{draft.public_id}/author/nodes/d1" aria-label="d1 · Quyết định: Bước 1"'
        in page
    )
    assert "Không vẽ được sơ đồ" not in page


@needs_dot
def test_published_version_graph_links_to_the_text_list(login_as, world, session):
    published = import_good(session, world.province)
    session.commit()
    client = login_as(world.users["instructor"])
    page = client.get(f"/scenarios/manage/{published.public_id}").get_data(as_text=True)
    assert '<a href="#sg-node-d1"' in page and 'id="sg-node-d1"' in page
    assert "/author/nodes/" not in page


def test_without_dot_the_pages_show_a_text_list(app, monkeypatch, login_as, world, draft):
    monkeypatch.setitem(app.config, "LMS_GRAPHVIZ_DOT", "/nonexistent/graphviz/dot")
    client = login_as(world.users["instructor"])
    for url in (
        f"/scenarios/manage/{draft.public_id}",
        f"/scenarios/manage/{draft.public_id}/author",
        f"/scenarios/manage/{draft.public_id}/edit",
    ):
        response = client.get(url)
        page = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 200, url
        assert "Không vẽ được sơ đồ (không tìm thấy chương trình vẽ sơ đồ Graphviz" in page, url
        assert "<svg" not in page
        assert "d1 → d2: 1. " in page and "s1 → d1" in page  # edges, with choice labels
        assert 'id="sg-node-e-court"' in page


def test_detail_shows_names_not_codes(login_as, world, session):
    published = import_good(session, world.province)
    session.commit()
    client = login_as(world.users["instructor"])
    page = html.unescape(client.get(f"/scenarios/manage/{published.public_id}").get_data(as_text=True))
    facts = page.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    assert "Địa chính – xây dựng" in facts and "dia-chinh-xay-dung" not in facts
    assert "ubnd" not in facts and GROUP_UBND in facts
    assert "chu-tich-ubnd" not in facts and "Lượt cao nhất" in facts and "highest" not in facts


def test_metadata_form_offers_field_names(login_as, world, draft):
    client = login_as(world.users["instructor"])
    page = html.unescape(
        client.get(f"/scenarios/manage/{draft.public_id}/author/meta").get_data(as_text=True)
    )
    assert '<option selected value="dia-chinh-xay-dung">Địa chính – xây dựng</option>' in page or (
        'value="dia-chinh-xay-dung"' in page and ">Địa chính – xây dựng</option>" in page
    )
