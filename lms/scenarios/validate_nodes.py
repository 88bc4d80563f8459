"""Node-level checks of a scenario document: the node list (ids, the node limit, targets that
exist), each node by its kind, and inside a node its choices with their effects (``set``) and
conditions (``when``), the rubric of a written response and its expected length.

Like the field checks (``validate_fields``, whose generic checks these use) every check is a
function taking the ``Report`` first; ``nodes`` is the entry point and returns the nodes by id
for the graph checks (``validate_structure``).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from lms.safe_yaml import short
from lms.scenarios import validate_fields as fields
from lms.scenarios.graph import NODE_KINDS, parse_condition
from lms.scenarios.validate_fields import MAX_ID, MAX_NODES, MAX_POINTS, MAX_VARIABLE, Report
from lms.scenarios.validate_yaml import LDict, line_of

NODE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
NODE_KEYS = {
    "situation": {"id": True, "kind": True, "title": True, "text": True, "next": True},
    "decision": {"id": True, "kind": True, "title": True, "text": False, "choices": True},
    "response": {
        "id": True,
        "kind": True,
        "title": True,
        "text": False,
        "prompt": True,
        "model_answer": True,
        "rubric": True,
        "expected_words": False,
        "next": True,
    },
    "ending": {"id": True, "kind": True, "title": True, "outcome": True, "commentary": True, "score": False},
}
CHOICE_KEYS = {
    "label": True,
    "points": True,
    "feedback": False,
    "consequence": False,
    "next": True,
    "set": False,
    "when": False,
}


def nodes(report: Report, doc: LDict, variables: set[str]) -> dict[str, LDict] | None:
    """The nodes by id (each one checked, and every ``next`` a known id), or None when the
    document has no usable node list."""
    nodes = doc.get("nodes")
    if "nodes" not in doc:
        return None
    if not isinstance(nodes, list) or not nodes:
        report.error(line_of(doc, "nodes"), _("nodes phải là một danh sách không rỗng"))
        return None
    if len(nodes) > MAX_NODES:
        report.error(
            line_of(doc, "nodes"),
            _("%(n)s nút: một tình huống có tối đa %(max)s nút", n=len(nodes), max=MAX_NODES),
        )
        return None
    by_id: dict[str, LDict] = {}
    for index, node in enumerate(nodes):
        line = line_of(nodes, index)
        if not isinstance(node, LDict):
            report.error(line, _("mỗi nút phải là một ánh xạ có id và kind"))
            continue
        node_id = node.get("id")
        if not isinstance(node_id, str) or not NODE_ID.match(node_id) or len(node_id) > MAX_ID:
            report.error(
                line_of(node, "id"),
                _("id của nút chỉ gồm chữ cái, chữ số, '-' hoặc '_' (tối đa %(max)s ký tự)", max=MAX_ID),
            )
            continue
        if node_id in by_id:
            report.error(line_of(node, "id"), _("id nút %(id)s bị lặp", id=short(node_id)))
            continue
        by_id[node_id] = node
        node_fields(report, node, node_id, variables)
    for node_id, node in by_id.items():
        for target, line in edges(node):
            if isinstance(target, str) and target not in by_id:
                report.error(
                    line,
                    _(
                        "nút %(node)s: next %(target)s không phải id của nút nào",
                        node=node_id,
                        target=short(target),
                    ),
                )
    return by_id


def edges(node: LDict) -> list[tuple[Any, int]]:
    """The targets a node names (its ``next`` or its choices' ``next``), each with its line."""
    if node.get("kind") == "decision":
        choices = node.get("choices")
        if not isinstance(choices, list):
            return []
        return [(c.get("next"), line_of(c, "next")) for c in choices if isinstance(c, LDict)]
    if "next" in node:
        return [(node["next"], line_of(node, "next"))]
    return []


def node_fields(report: Report, node: LDict, node_id: str, variables: set[str]) -> None:
    """One node: its kind, the keys of that kind, its texts, and what the kind holds."""
    kind = node.get("kind")
    where = _("nút %(node)s", node=node_id)
    if kind not in NODE_KINDS:
        report.error(
            line_of(node, "kind"),
            _("%(where)s: kind phải là một trong %(values)s", where=where, values=", ".join(NODE_KINDS)),
        )
        return
    fields.keys(report, node, NODE_KEYS[kind], where)
    for key in ("title", "text", "prompt", "model_answer", "outcome", "commentary"):
        fields.text(report, node, key, where)
    if "next" in node and not isinstance(node["next"], str):
        report.error(line_of(node, "next"), _("%(where)s: next phải là id của một nút", where=where))
    if kind == "decision":
        choices(report, node, where, variables)
    elif kind == "response":
        rubric(report, node, where)
        expected_words(report, node, where)
    elif kind == "ending":
        fields.number(report, node, "score", where, 0, 10)


def choices(report: Report, node: LDict, where: str, variables: set[str]) -> None:
    choices = node.get("choices")
    if "choices" not in node:
        return
    if not isinstance(choices, list) or not 2 <= len(choices) <= 6:
        report.error(
            line_of(node, "choices"), _("%(where)s: một quyết định cần từ 2 đến 6 lựa chọn", where=where)
        )
        if not isinstance(choices, list):
            return
    for index, choice in enumerate(choices):
        label = _("%(where)s, lựa chọn %(n)s", where=where, n=index + 1)
        if not isinstance(choice, LDict):
            report.error(
                line_of(choices, index),
                _("%(label)s: phải là một ánh xạ có label, points, next", label=label),
            )
            continue
        fields.keys(report, choice, CHOICE_KEYS, label)
        fields.text(report, choice, "label", label)
        for key in ("feedback", "consequence"):
            fields.text(report, choice, key, label, required=False)
        fields.number(report, choice, "points", label, -MAX_POINTS, MAX_POINTS)
        if "next" in choice and not isinstance(choice["next"], str):
            report.error(line_of(choice, "next"), _("%(where)s: next phải là id của một nút", where=label))
        effects(report, choice, label, variables)
        if "when" in choice:
            condition(report, choice, label, variables)


def condition(report: Report, choice: LDict, label: str, variables: set[str]) -> None:
    """A choice's ``when``: ``variable op integer`` on a declared variable."""
    parsed = parse_condition(choice["when"]) if isinstance(choice["when"], str) else None
    if parsed is None:
        report.error(
            line_of(choice, "when"),
            _(
                "%(label)s: điều kiện %(condition)s phải có dạng 'biến phép_so_sánh số_nguyên', "
                "phép so sánh là một trong < <= > >= == !=",
                label=label,
                condition=short(choice["when"]),
            ),
        )
    elif parsed[0] not in variables:
        report.error(
            line_of(choice, "when"),
            _("%(label)s: biến %(name)s chưa được khai báo", label=label, name=short(parsed[0])),
        )


def effects(report: Report, choice: LDict, label: str, variables: set[str]) -> None:
    effects = choice.get("set")
    if "set" not in choice:
        return
    if not isinstance(effects, dict):
        report.error(
            line_of(choice, "set"),
            _("%(label)s: set phải là một ánh xạ biến: lượng thay đổi", label=label),
        )
        return
    for name, delta in effects.items():
        if name not in variables:
            report.error(
                line_of(effects, name),
                _("%(label)s: biến %(name)s chưa được khai báo", label=label, name=short(name)),
            )
        if isinstance(delta, bool) or not isinstance(delta, int) or abs(delta) > MAX_VARIABLE:
            report.error(
                line_of(effects, name),
                _(
                    "%(label)s: set %(name)s cần một số nguyên từ -%(max)s đến %(max)s",
                    label=label,
                    name=short(name),
                    max=MAX_VARIABLE,
                ),
            )


def expected_words(report: Report, node: LDict, where: str) -> None:
    """``expected_words: 150`` (about 150 words) or ``[150, 200]`` (a range), 1 to 5000."""
    if "expected_words" not in node:
        return
    value = node["expected_words"]
    numbers = value if isinstance(value, list) else [value]
    ok = (
        1 <= len(numbers) <= 2
        and all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 5000 for n in numbers)
        and numbers == sorted(numbers)
    )
    if not ok:
        report.error(
            line_of(node, "expected_words"),
            _(
                "%(where)s: expected_words phải là số từ, một số nguyên (1 đến 5000), hoặc [thấp, cao]",
                where=where,
            ),
        )


def rubric(report: Report, node: LDict, where: str) -> None:
    rubric = node.get("rubric")
    if "rubric" not in node:
        return
    if not isinstance(rubric, list) or not rubric:
        report.error(
            line_of(node, "rubric"),
            _("%(where)s: rubric phải là một danh sách tiêu chí không rỗng", where=where),
        )
        return
    for index, criterion in enumerate(rubric):
        label = _("%(where)s, tiêu chí %(n)s", where=where, n=index + 1)
        if not isinstance(criterion, LDict):
            report.error(
                line_of(rubric, index),
                _("%(label)s: phải là một ánh xạ có criterion và levels", label=label),
            )
            continue
        fields.keys(report, criterion, {"criterion": True, "levels": True}, label)
        fields.text(report, criterion, "criterion", label)
        levels = criterion.get("levels")
        if "levels" in criterion and (not isinstance(levels, list) or len(levels) < 2):
            report.error(line_of(criterion, "levels"), _("%(label)s: cần ít nhất 2 mức", label=label))
            continue
        for level_index, level in enumerate(levels or []):
            level_label = _("%(label)s, mức %(n)s", label=label, n=level_index + 1)
            if not isinstance(level, LDict):
                report.error(
                    line_of(levels, level_index),
                    _("%(label)s: phải có dạng {label, points}", label=level_label),
                )
                continue
            fields.keys(report, level, {"label": True, "points": True}, level_label)
            fields.text(report, level, "label", level_label)
            fields.number(report, level, "points", level_label, 0, 1000)
