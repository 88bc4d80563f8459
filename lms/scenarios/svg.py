"""A server-rendered SVG of a scenario graph: layers by depth from the start, nodes
coloured by kind (CSS classes), unreachable nodes and dead ends marked, with <title>
elements and visible text labels for screen readers and print."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from lms.scenarios.graph import Graph, depths, targets

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 168, 46, 18, 42, 12
KIND_LABELS = {
    "situation": "Tình huống",
    "decision": "Quyết định",
    "response": "Trả lời viết",
    "ending": "Kết thúc",
}


@dataclass
class Placed:
    node: dict
    x: int
    y: int
    css: str


def _short(text: str, limit: int = 22) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(document: dict, dead_ends: set[str] | None = None) -> Markup:
    graph = Graph(document)
    depth = depths(graph)
    dead_ends = dead_ends or set()
    last = max(depth.values(), default=0) + 1
    layers: dict[int, list[dict]] = {}
    for node in document["nodes"]:
        layers.setdefault(depth.get(node["id"], last), []).append(node)
    widest = max(len(row) for row in layers.values())
    width = PAD * 2 + widest * (BOX_W + GAP_X)
    height = PAD * 2 + (max(layers) + 1) * (BOX_H + GAP_Y)
    placed: dict[str, Placed] = {}
    for level, row in sorted(layers.items()):
        offset = (width - len(row) * (BOX_W + GAP_X)) // 2
        for index, node in enumerate(row):
            css = f"sg-node sg-{node.get('kind', 'unknown')}"
            if node["id"] not in depth:
                css += " sg-unreachable"
            if node["id"] in dead_ends:
                css += " sg-deadend"
            x = offset + index * (BOX_W + GAP_X) + GAP_X // 2
            placed[node["id"]] = Placed(node, x, PAD + level * (BOX_H + GAP_Y), css)
    parts = [
        f'<svg class="scenario-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="sg-title">',
        '<title id="sg-title">Sơ đồ tình huống: các bước và đường đi</title>',
        '<defs><marker id="sg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="sg-arrowhead"/></marker></defs>',
    ]
    for item in placed.values():
        for target in targets(item.node):
            if target in placed:
                end = placed[target]
                parts.append(
                    f'<line class="sg-edge" x1="{item.x + BOX_W // 2}" y1="{item.y + BOX_H}" '
                    f'x2="{end.x + BOX_W // 2}" y2="{end.y}" marker-end="url(#sg-arrow)"/>'
                )
    for item in placed.values():
        node = item.node
        kind = KIND_LABELS.get(node.get("kind"), "?")
        notes = []
        if "sg-unreachable" in item.css:
            notes.append("không tới được từ điểm bắt đầu")
        if "sg-deadend" in item.css:
            notes.append("ngõ cụt")
        label = f"{node['id']} · {kind}: {node.get('title', '')}" + (
            f" ({', '.join(notes)})" if notes else ""
        )
        parts.append(
            f'<g class="{item.css}"><title>{escape(label)}</title>'
            f'<rect x="{item.x}" y="{item.y}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
            f'<text x="{item.x + 8}" y="{item.y + 18}" class="sg-id">'
            f"{escape(_short(node['id'] + ' · ' + kind))}</text>"
            f'<text x="{item.x + 8}" y="{item.y + 36}">{escape(_short(node.get("title", "")))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
