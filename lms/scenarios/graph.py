"""The scenario graph as the engine sees it: conditions, effects, and exhaustive exploration.

A scenario document (the validated YAML, as plain dicts) is a DAG: cycles are refused by
validation. Exploring every (node, variables) state from the start is therefore finite and
gives the exact minimum and maximum point sums over all complete paths, with ``when``
conditions and ``set`` effects respected. Those bounds normalise a learner's score.

Only variables read by some ``when`` condition can change which choices are available, so a
state keeps those alone: 24 decisions that each ``set`` a variable nobody tests explore 24
states, not 2^24. When the variables that conditions do read still make more than
``MAX_STATES`` states, exploration stops with ``StateLimit`` (validation says so). Every walk
is iterative: a 2,000-node chain needs no recursion.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d{1,9})\s*$")
# (node, variables) states explored at most when computing the bounds (docs/scenarios.md).
MAX_STATES = 20_000
OPERATORS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
NODE_KINDS = ("situation", "decision", "response", "ending")
TWO = Decimal("0.01")


def parse_condition(text: str) -> tuple[str, str, int] | None:
    match = CONDITION.match(text or "")
    if not match:
        return None
    return match.group(1), match.group(2), int(match.group(3))


def holds(condition: str | None, variables: Mapping[str, int]) -> bool:
    if not condition:
        return True
    parsed = parse_condition(condition)
    if parsed is None:
        return False
    name, op, value = parsed
    return OPERATORS[op](variables.get(name, 0), value)


def apply_effects(choice: Mapping[str, Any], variables: Mapping[str, int]) -> dict[str, int]:
    """``set`` adds to variables (as FORMATS.md says: "add to variables")."""
    new = dict(variables)
    for name, delta in (choice.get("set") or {}).items():
        new[name] = new.get(name, 0) + int(delta)
    return new


def freeze(variables: Mapping[str, int]) -> tuple:
    return tuple(sorted(variables.items()))


def targets(node: Mapping[str, Any]) -> list[str]:
    """Structural successors of a node (ignoring conditions)."""
    if node.get("kind") == "decision":
        return [c.get("next") for c in node.get("choices") or [] if isinstance(c, Mapping)]
    return [node["next"]] if node.get("next") is not None else []


class Graph:
    def __init__(self, document: Mapping[str, Any]):
        self.document = document
        self.start: str = document["start"]
        self.initial: dict[str, int] = {k: int(v) for k, v in (document.get("variables") or {}).items()}
        self.nodes: dict[str, dict] = {n["id"]: n for n in document["nodes"]}

    def node(self, node_id: str) -> dict:
        return self.nodes[node_id]

    def available(self, node_id: str, variables: Mapping[str, int]) -> list[tuple[int, dict]]:
        """Choices of a decision visible under ``variables``, with their index in the file."""
        node = self.nodes[node_id]
        return [(i, c) for i, c in enumerate(node.get("choices") or []) if holds(c.get("when"), variables)]

    def response_nodes(self) -> list[dict]:
        return [n for n in self.nodes.values() if n["kind"] == "response"]

    def explore(self) -> Exploration:
        return Exploration(self)


class StateLimit(Exception):
    def __init__(self, node_id: str):
        super().__init__(f"more than {MAX_STATES} states from node {node_id}")
        self.node_id = node_id


@dataclasses.dataclass
class DeadEnd:
    node_id: str
    variables: dict[str, int]


class Exploration:
    """Every reachable state from the start; min/max raw point sums over complete paths."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.reached: set[str] = set()
        self.dead_ends: list[DeadEnd] = []
        self.tested = _tested_variables(graph)
        self._memo: dict[tuple, tuple[float, float] | None] = {}
        self.bounds = self._walk()

    @property
    def min_points(self) -> float | None:
        return self.bounds[0] if self.bounds else None

    @property
    def max_points(self) -> float | None:
        return self.bounds[1] if self.bounds else None

    def _key(self, node_id: str, variables: Mapping[str, int]) -> tuple:
        return (node_id, freeze({k: v for k, v in variables.items() if k in self.tested}))

    def _successors(self, node_id: str, variables: dict[str, int]) -> list[tuple[float, tuple]]:
        node = self.graph.nodes[node_id]
        if node["kind"] == "ending":
            return []
        if node["kind"] == "decision":
            return [
                (choice.get("points") or 0, self._key(choice["next"], apply_effects(choice, variables)))
                for _index, choice in self.graph.available(node_id, variables)
            ]
        return [(0, self._key(node["next"], variables))]

    def _walk(self) -> tuple[float, float] | None:
        """Memoised depth-first walk on an explicit stack (post-order: a state is scored once
        all its successors are)."""
        memo = self._memo
        root = self._key(self.graph.start, self.graph.initial)
        stack = [root]
        while stack:
            key = stack[-1]
            if key in memo:
                stack.pop()
                continue
            node_id, frozen = key
            variables = dict(frozen)
            successors = self._successors(node_id, variables)
            missing = [k for _, k in successors if k not in memo]
            if missing:
                if len(memo) + len(stack) > MAX_STATES:
                    raise StateLimit(node_id)
                stack.extend(missing)
                continue
            stack.pop()
            self.reached.add(node_id)
            node = self.graph.nodes[node_id]
            if node["kind"] == "ending":
                memo[key] = (0, 0)
                continue
            if node["kind"] == "decision" and not successors:
                self.dead_ends.append(DeadEnd(node_id, variables))
            options = [
                (points + memo[k][0], points + memo[k][1]) for points, k in successors if memo[k] is not None
            ]
            if node["kind"] != "decision":
                memo[key] = options[0] if options else None
            else:
                memo[key] = (min(o[0] for o in options), max(o[1] for o in options)) if options else None
        return memo[root]


def _tested_variables(graph: Graph) -> set[str]:
    tested = set()
    for node in graph.nodes.values():
        for choice in node.get("choices") or []:
            parsed = parse_condition(choice.get("when")) if isinstance(choice.get("when"), str) else None
            if parsed:
                tested.add(parsed[0])
    return tested


def find_cycle(nodes: Mapping[str, Mapping[str, Any]]) -> list[str] | None:
    """A cycle as a list of node ids (first == last), or None. Unknown targets are ignored.
    Iterative depth-first search (white/grey/black)."""
    colour: dict[str, int] = {}
    for root in nodes:
        if root in colour:
            continue
        colour[root] = 1
        path = [root]
        todo = [iter(_known_targets(nodes, root))]
        while todo:
            target = next(todo[-1], None)
            if target is None:
                colour[path.pop()] = 2
                todo.pop()
                continue
            if colour.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in colour:
                colour[target] = 1
                path.append(target)
                todo.append(iter(_known_targets(nodes, target)))
    return None


def _known_targets(nodes: Mapping[str, Mapping[str, Any]], node_id: str) -> list[str]:
    return [t for t in targets(nodes[node_id]) if isinstance(t, str) and t in nodes]


def depths(graph: Graph) -> dict[str, int]:
    """Longest distance from the start (layer for drawing); unreachable nodes get none."""
    order: list[str] = []  # post-order of an iterative depth-first walk
    seen: set[str] = set()
    if graph.start in graph.nodes:
        seen.add(graph.start)
        path = [graph.start]
        todo = [iter(_known_targets(graph.nodes, graph.start))]
        while todo:
            target = next(todo[-1], None)
            if target is None:
                order.append(path.pop())
                todo.pop()
            elif target not in seen:
                seen.add(target)
                path.append(target)
                todo.append(iter(_known_targets(graph.nodes, target)))
    depth = {graph.start: 0}
    for node_id in reversed(order):
        if node_id not in depth:
            continue
        for target in _known_targets(graph.nodes, node_id):
            if target in graph.nodes:
                depth[target] = max(depth.get(target, 0), depth[node_id] + 1)
    return depth


def normalise(raw: float, max_points: float | None) -> Decimal:
    """Raw points → score on 10 against the best achievable path; floor 0, ceiling 10."""
    if not max_points or max_points <= 0:
        return Decimal(10) if raw >= (max_points or 0) else Decimal(0)
    value = Decimal(str(raw)) / Decimal(str(max_points)) * 10
    return min(max(value, Decimal(0)), Decimal(10)).quantize(TWO, rounding=ROUND_HALF_UP)


def path_score(raw: float, ending: Mapping[str, Any], max_points: float | None) -> Decimal:
    if ending.get("score") is not None:
        return Decimal(str(ending["score"])).quantize(TWO, rounding=ROUND_HALF_UP)
    return normalise(raw, max_points)


def final_score(
    path: Decimal, rubric_weight: Decimal, rubric_points: float | None, rubric_max: float | None
) -> Decimal:
    """final = (1 − w) × path + w × rubric/max × 10, when the run answered rubric-graded prompts."""
    if not rubric_max:
        return path
    weight = Decimal(str(rubric_weight))
    rubric = Decimal(str(rubric_points or 0)) / Decimal(str(rubric_max)) * 10
    value = (1 - weight) * path + weight * rubric
    return min(max(value, Decimal(0)), Decimal(10)).quantize(TWO, rounding=ROUND_HALF_UP)


def rubric_max(node: Mapping[str, Any]) -> float:
    return sum(max(level["points"] for level in c["levels"]) for c in node.get("rubric") or [])


def fmt_points(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"
