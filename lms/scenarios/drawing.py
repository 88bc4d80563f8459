"""The scenario graph as authors see it: Graphviz ``dot`` lays it out, the server inlines the SVG.

Why Graphviz (docs/scenarios.md): a layered (Sugiyama) layout that routes edges around nodes,
places edge labels and orders each layer to cut crossings — what the hand-made layout did not
do (it drew edges straight through other nodes). ``dot`` is a Debian package, run as a
subprocess with a timeout; when it is missing or fails, the page shows the same graph as a
text list of nodes and edges (``Drawing.svg`` is None and ``Drawing.problem`` says why).

Author text reaches two languages, and each gets its own escaping:
- the DOT source: every string is a double-quoted DOT string built by ``dot_string`` (quotes,
  backslashes and line breaks escaped, ``&`` written as an entity), and node ids never appear
  as DOT ids (nodes are ``n0``, ``n1``...), so no text can add a node, an edge or an attribute;
- the SVG: ``svgclean.clean`` rebuilds it from an allow-list of elements and attributes, puts
  our own escaped ``<title>`` texts in, and keeps only links we made.
"""

from __future__ import annotations

import dataclasses
import functools
import subprocess
import textwrap
from collections.abc import Callable
from urllib.parse import quote

from flask_babel import LazyString, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from lms import plurals
from lms.numerals import written
from lms.scenarios import svgclean
from lms.scenarios.graph import Graph, depths, targets

KIND_LABELS = {
    # "Tình huống" is also the Scenarios section ("Scenarios"); as a kind of node it is a situation
    "situation": LazyString(lambda: pgettext("kiểu nút", "Tình huống")),
    "decision": _l("Quyết định"),
    "response": _l("Trả lời viết"),
    "ending": _l("Kết thúc"),
}
KIND_COLOURS = {
    "situation": "#e3eefb",
    "decision": "#fff3d6",
    "response": "#e9f6ea",
    "ending": "#efe6f7",
}
DOT_TIMEOUT_SECONDS = 10
MAX_NODES = 400  # beyond this the text list is clearer than any drawing
TITLE_WIDTH, TITLE_LINES = 28, 4
EDGE_WIDTH, EDGE_LINES = 24, 3


class GraphvizUnavailable(Exception):
    """``dot`` is not installed, timed out or refused the source (the message says which)."""


@dataclasses.dataclass
class NodeRow:
    id: str
    kind: str
    title: str
    href: str
    start: bool = False
    unreachable: bool = False
    dead_end: bool = False

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, "?"))

    @property
    def anchor(self) -> str:
        return anchor_for(self.id)

    @property
    def notes(self) -> list[str]:
        found = []
        if self.start:
            found.append(_("bắt đầu"))
        if self.unreachable:
            found.append(_("không tới được từ điểm bắt đầu"))
        if self.dead_end:
            found.append(_("chưa có bước tiếp theo"))
        return found

    @property
    def full_label(self) -> str:
        text = f"{self.id} · {self.kind_label}: {self.title or '—'}"
        return text + (f" ({', '.join(self.notes)})" if self.notes else "")


@dataclasses.dataclass
class EdgeRow:
    source: str
    target: str
    label: str  # the choice label ("" for a situation's or response's single way on)
    points: float | int | None = None
    when: str | None = None

    @property
    def full_label(self) -> str:
        text = f"{self.source} → {self.target}"
        if self.label:
            text += f": {self.label}"
        if self.points is not None:
            text += (
                " ("
                + ngettext("%(p)s điểm", "%(p)s điểm", plurals.count(self.points), p=written(self.points))
                + ")"
            )
        if self.when:
            text += " [" + _("khi %(c)s", c=self.when) + "]"
        return text


@dataclasses.dataclass
class Drawing:
    nodes: list[NodeRow]
    edges: list[EdgeRow]
    svg: Markup | None = None
    problem: str | None = None  # why there is no SVG (the text list stands in)

    def __bool__(self) -> bool:
        return bool(self.nodes)

    def __html__(self) -> str:  # templates that print the drawing get the SVG (or nothing)
        return str(self.svg or "")


def anchor_for(node_id: str) -> str:
    return "sg-node-" + quote(node_id, safe="")


def _text(value) -> str:
    return " ".join(str(value if value is not None else "").split())


def _number(value) -> float | int | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def build(doc: dict, href_for: Callable[[str], str] | None = None) -> Drawing | None:
    """Nodes and edges of a possibly unfinished document. Unknown targets are dropped, nodes
    with no way forward are dead ends. Never raises on a malformed document."""
    try:
        raw = [n for n in doc.get("nodes") or [] if isinstance(n, dict) and isinstance(n.get("id"), str)]
    except AttributeError:
        return None
    seen: set[str] = set()
    nodes = []
    for node in raw:
        if node["id"] not in seen:
            seen.add(node["id"])
            nodes.append(node)
    if not nodes:
        return None
    ids = {n["id"] for n in nodes}
    clean_nodes = []
    edges: list[EdgeRow] = []
    for node in nodes:
        copy = {"id": node["id"], "kind": node.get("kind")}
        if node.get("kind") == "decision":
            choices = [c for c in node.get("choices") or [] if isinstance(c, dict)]
            copy["choices"] = [c for c in choices if isinstance(c.get("next"), str) and c["next"] in ids]
            for index, choice in enumerate(choices, start=1):
                if choice in copy["choices"]:
                    label = _text(choice.get("label")) or _("Phương án %(n)s", n=index)
                    edges.append(
                        EdgeRow(
                            node["id"],
                            choice["next"],
                            f"{index}. {label}",
                            _number(choice.get("points")),
                            _text(choice.get("when")) or None,
                        )
                    )
        elif isinstance(node.get("next"), str) and node["next"] in ids:
            copy["next"] = node["next"]
            edges.append(EdgeRow(node["id"], node["next"], ""))
        clean_nodes.append(copy)
    start = doc.get("start") if doc.get("start") in ids else nodes[0]["id"]
    reached = depths(Graph({"start": start, "nodes": clean_nodes, "variables": {}}))
    rows = []
    for node, copy in zip(nodes, clean_nodes, strict=True):
        rows.append(
            NodeRow(
                id=node["id"],
                kind=str(node.get("kind") or ""),
                title=_text(node.get("title")),
                href=(href_for(node["id"]) if href_for else None) or "#" + anchor_for(node["id"]),
                start=node["id"] == start,
                unreachable=node["id"] not in reached,
                dead_end=node.get("kind") != "ending" and not targets(copy),
            )
        )
    return Drawing(rows, edges)


# --- DOT ------------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A double-quoted DOT string that shows ``text`` literally (lines joined with ``\\n``)."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "&":
            out.append("&amp;")  # Graphviz reads entities in labels: keep "&lt;" as typed
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 32 or 0x7F <= ord(char) < 0xA0:
            out.append(" ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _wrapped(text: str, width: int, lines: int) -> str:
    parts = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def dot_source(drawing: Drawing) -> str:
    index = {row.id: i for i, row in enumerate(drawing.nodes)}
    lines = [
        "digraph scenario {",
        '  graph [rankdir=TB, nodesep=0.3, ranksep=0.45, fontname="DejaVu Sans", bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11, margin="0.12,0.06",'
        ' color="#1f2933", fontcolor="#1f2933"];',
        '  edge [fontname="DejaVu Sans", fontsize=10, color="#52606d", fontcolor="#1f2933", arrowsize=0.8];',
    ]
    for i, row in enumerate(drawing.nodes):
        head = f"{row.id} · {row.kind_label}" + (" · " + _("bắt đầu") if row.start else "")
        label = (
            _wrapped(head, TITLE_WIDTH + 6, 2) + "\n" + _wrapped(row.title or "—", TITLE_WIDTH, TITLE_LINES)
        )
        attrs = [
            f"id={dot_string(f'sgn{i}')}",
            f"label={dot_string(label)}",
            f"href={dot_string(row.href)}",
            f"fillcolor={dot_string(KIND_COLOURS.get(row.kind, '#ffffff'))}",
            f"class={dot_string('sg-' + row.kind if row.kind in KIND_COLOURS else 'sg-unknown')}",
        ]
        if row.unreachable or row.dead_end:
            attrs += ['style="rounded,filled,dashed"', 'color="#b42318"', "penwidth=2.5"]
        elif row.start:
            attrs.append("penwidth=2.5")
        if row.kind == "ending":
            attrs.append("peripheries=2")
        lines.append(f"  n{i} [{', '.join(attrs)}];")
    for j, edge in enumerate(drawing.edges):
        attrs = [f"id={dot_string(f'sge{j}')}"]
        if edge.label:
            text = edge.label + (
                " (" + ngettext("%(p)sđ", "%(p)sđ", plurals.count(edge.points), p=written(edge.points)) + ")"
                if edge.points is not None
                else ""
            )
            if edge.when:
                text += " [" + _("khi %(c)s", c=edge.when) + "]"
            attrs.append(f"label={dot_string(_wrapped(text, EDGE_WIDTH, EDGE_LINES))}")
        lines.append(f"  n{index[edge.source]} -> n{index[edge.target]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=128)
def run_dot(source: str, binary: str = "dot") -> str:
    """``dot -Tsvg`` on ``source`` (cached: the same graph is drawn on every page view)."""
    try:
        done = subprocess.run(
            [binary, "-Tsvg"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise GraphvizUnavailable(
            _("không tìm thấy chương trình vẽ sơ đồ Graphviz “%(b)s”", b=binary)
        ) from None
    except subprocess.TimeoutExpired:
        raise GraphvizUnavailable(_("Graphviz vẽ sơ đồ quá lâu")) from None
    except OSError as exc:
        raise GraphvizUnavailable(_("không chạy được Graphviz: %(e)s", e=exc.strerror)) from None
    if done.returncode != 0:
        raise GraphvizUnavailable(_("Graphviz không vẽ được sơ đồ này"))
    return done.stdout.decode("utf-8", "replace")


def render(drawing: Drawing, binary: str = "dot") -> Drawing:
    """Fill ``drawing.svg`` (or ``drawing.problem``); never raises."""
    if len(drawing.nodes) > MAX_NODES:
        drawing.problem = _("sơ đồ có hơn %(n)s nút", n=MAX_NODES)
        return drawing
    titles = {f"sgn{i}": row.full_label for i, row in enumerate(drawing.nodes)}
    titles |= {f"sge{j}": edge.full_label for j, edge in enumerate(drawing.edges)}
    hrefs = {f"sgn{i}": row.href for i, row in enumerate(drawing.nodes)}
    try:
        raw = run_dot(dot_source(drawing), binary)
        drawing.svg = svgclean.clean(raw, titles, hrefs, _("Sơ đồ tình huống: các bước và đường đi"))
    except GraphvizUnavailable as exc:
        drawing.problem = str(exc)
    except svgclean.UnsafeSvg:
        drawing.problem = _("Graphviz trả về một sơ đồ không đọc được")
    return drawing


def draw(doc: dict, href_for: Callable[[str], str] | None = None, binary: str = "dot") -> Drawing | None:
    try:
        drawing = build(doc, href_for)
    except Exception:  # noqa: BLE001 — drawing is a convenience; the report says what is wrong
        return None
    return render(drawing, binary) if drawing else None
