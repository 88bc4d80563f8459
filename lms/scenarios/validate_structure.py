"""Structural checks of a scenario graph, run once the fields and nodes are clean: the start
node exists, there is no cycle (a commune decision cannot be undone, and a DAG makes the
best-path score exact), every node is reachable from the start (structurally and with the
``when`` conditions respected), every path reaches an ending, and the best path earns points.

The walking itself (the state exploration and its ``MAX_STATES`` bound) is ``lms.scenarios.graph``;
this module turns what it finds into problems on the ``Report`` and returns the score bounds.
"""

from __future__ import annotations

from flask_babel import gettext as _

from lms.safe_yaml import short
from lms.scenarios.graph import MAX_STATES, Graph, StateLimit, find_cycle, targets
from lms.scenarios.validate_fields import Report
from lms.scenarios.validate_yaml import LDict, line_of, plain


def structure(report: Report, doc: LDict, nodes: dict[str, LDict]) -> tuple[float, float] | None:
    """Check the graph; the (min, max) points over every path, or None when they are not known
    (the graph could not be explored). The bounds may come with a problem (no points to earn)."""
    start = doc.get("start")
    if not isinstance(start, str) or start not in nodes:
        report.error(line_of(doc, "start"), _("nút bắt đầu %(start)s không tồn tại", start=short(start)))
        return None
    cycle = find_cycle(nodes)
    if cycle:
        back = nodes[cycle[-2]]
        report.error(
            line_of(back),
            _(
                "vòng lặp %(path)s: tình huống phải luôn đi tới (đồ thị không có vòng); "
                "một quyết định ở xã không thể làm lại",
                path=_ids(cycle),
            ),
        )
        return None
    graph = Graph(plain(doc))
    try:
        exploration = graph.explore()
    except StateLimit as exc:
        report.error(
            line_of(nodes[exc.node_id]),
            _(
                "nút %(node)s: quá nhiều đường cần kiểm tra — hơn %(max)s tổ hợp nút và giá trị biến "
                "(các biến dùng trong điều kiện 'when' nhân số đường lên); hãy dùng ít biến hơn "
                "trong điều kiện hoặc ít lựa chọn làm thay đổi chúng hơn",
                node=exc.node_id,
                max=MAX_STATES,
            ),
        )
        return None
    structural = _structurally_reachable(graph)
    for node_id, node in nodes.items():
        if node_id not in structural:
            report.error(
                line_of(node),
                _("nút %(node)s không đi tới được từ nút bắt đầu %(start)s", node=node_id, start=start),
            )
        elif node_id not in exploration.reached:
            report.error(
                line_of(node),
                _(
                    "nút %(node)s không bao giờ tới được: các điều kiện dẫn tới nó không bao giờ đúng",
                    node=node_id,
                ),
            )
    for dead in exploration.dead_ends:
        state = ", ".join(f"{k}={v}" for k, v in sorted(dead.variables.items())) or _("các giá trị đầu")
        report.error(
            line_of(nodes[dead.node_id]),
            _(
                "nút %(node)s: ngõ cụt, không có lựa chọn nào khi %(state)s "
                "(mọi đường đi phải tới một kết thúc)",
                node=dead.node_id,
                state=state,
            ),
        )
    if exploration.bounds is None:
        return None
    fixed_only = all(
        n.get("score") is not None
        for n in graph.nodes.values()
        if n["kind"] == "ending" and n["id"] in exploration.reached
    )
    if exploration.max_points <= 0 and not fixed_only:
        report.error(
            line_of(doc, "nodes"),
            _("đường đi tốt nhất không được điểm nào: hãy cho một số lựa chọn điểm dương"),
        )
    return exploration.bounds


def _ids(path: list[str], keep: int = 8) -> str:
    """A path of node ids for a message: long ones keep their ends."""
    if len(path) <= 2 * keep:
        return " → ".join(path)
    return (
        " → ".join(path[:keep])
        + " → … ("
        + _("thêm %(n)s nút", n=len(path) - 2 * keep)
        + ") → "
        + " → ".join(path[-keep:])
    )


def _structurally_reachable(graph: Graph) -> set[str]:
    seen: set[str] = set()
    todo = [graph.start]
    while todo:
        node_id = todo.pop()
        if node_id in seen or node_id not in graph.nodes:
            continue
        seen.add(node_id)
        todo.extend(targets(graph.nodes[node_id]))
    return seen
