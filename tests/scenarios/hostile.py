"""Hostile scenario files (issue: validator hangs and crashes), built from the small valid one."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
SMALL = (DATA / "small.yaml").read_text("utf-8")
HEAD = SMALL.split("variables:")[0]  # code … estimated_minutes


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """Nine anchors, each nine copies of the previous: 9**9 strings once expanded, used as a
    field value (the error message used to print it whole)."""
    parts = ["&a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        parts.append(f"&a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    bomb = "[" + ", ".join(parts) + "]"
    return SMALL.replace("field: ky-nang", f"field: {bomb}")


def independent_decisions(count: int = 24, tested: bool = False) -> str:
    """``count`` two-way decisions in a row, each changing its own variable. With
    ``tested`` every variable is also read by a condition (the states really multiply)."""
    names = [f"v{i}" for i in range(count)]
    lines = [
        HEAD.rstrip("\n"),
        "variables: {" + ", ".join(f"{n}: 0" for n in names) + "}",
        "start: d0",
        "nodes:",
    ]
    for i, name in enumerate(names):
        target = f"d{i + 1}" if i + 1 < count else "e1"
        when = f', when: "{name} == 0"' if tested else ""
        lines += [
            f"  - id: d{i}",
            "    kind: decision",
            f'    title: "Quyết định {i}"',
            "    choices:",
            f"      - {{label: A, points: 1, set: {{{name}: 1}}, next: {target}}}",
            f"      - {{label: B, points: 0{when}, next: {target}}}",
        ]
    lines += ["  - id: e1", "    kind: ending", '    title: "E"', '    outcome: "O"', '    commentary: "C"']
    return "\n".join(lines) + "\n"


def chain(count: int = 2000, cycle: bool = False) -> str:
    """``count`` situations in a row, then one decision and an ending (or back to the start)."""
    lines = [HEAD.rstrip("\n"), "start: s0", "nodes:"]
    for i in range(count):
        target = f"s{i + 1}" if i + 1 < count else "d1"
        lines += [f"  - {{id: s{i}, kind: situation, title: S, text: T, next: {target}}}"]
    lines += [
        "  - id: d1",
        "    kind: decision",
        "    title: D",
        "    choices:",
        "      - {label: A, points: 1, next: e1}",
        f"      - {{label: B, points: 0, next: {'s0' if cycle else 'e1'}}}",
        "  - {id: e1, kind: ending, title: E, outcome: O, commentary: C}",
    ]
    return "\n".join(lines) + "\n"


def deep(levels: int = 5000) -> str:
    return SMALL.replace('legal_basis: "Luật"', "legal_basis: " + "[" * levels + "]" * levels)


# (field replacement, where to find the problem) — a list or mapping where a scalar is expected
WRONG_TYPES = [
    ("start: s1", "start: [s1]"),
    ("start: s1", "start: {s1: 1}"),
    ("    next: d1\n", "    next: [d1]\n"),
    ('        next: e1\n      - label: "B"', '        next: [e1]\n      - label: "B"'),
    ("field: ky-nang", "field: [ky-nang]"),
    ("field: ky-nang", "field: ky-nang\ntarget_groups: [[a, b]]"),
    ("field: ky-nang", "field: ky-nang\ntitles: [{a: 1}]"),
    ("field: ky-nang", "field: ky-nang\ngrading_method: [highest]"),
    ("    kind: decision", "    kind: [decision]"),
    ("  - id: e1", "  - id: [e1]"),
    ("variables: {v: 0}", "variables: {v: [0]}"),
    ("variables: {v: 0}", "variables: {[v]: 0}"),
    ("variables: {v: 0}", "variables: [v]"),
    ("        points: 1\n", "        points: [1]\n"),
    ("        points: 1\n", "        points: 1\n        when: [v]\n"),
    ("        points: 1\n", "        points: 1\n        set: {v: [1]}\n"),
    ("        points: 1\n", "        points: 1\n        set: [v]\n"),
    ("        points: 1\n", '        points: 1\n        when: "v == ' + "9" * 5000 + '"\n'),
    ("code: nho", "code: [nho]"),
    ("nodes:", "nodes: {a: 1}\nx:"),
    ("estimated_minutes: 5", "estimated_minutes: [5]"),
]

NOT_FINITE = [
    ("        points: 1\n", "        points: .nan\n"),
    ("        points: 1\n", "        points: .inf\n"),
    ("        points: 1\n", "        points: -.inf\n"),
    ("        points: 1\n", "        points: 1.0e+400\n"),
    ("        points: 1\n", "        points: " + "1" * 5000 + "\n"),
    ("        points: 1\n", "        points: 1000000000000\n"),
    ("estimated_minutes: 5", "estimated_minutes: 5\npass_mark: .nan"),
    ("estimated_minutes: 5", "estimated_minutes: 5\nrubric_weight: .nan"),
    ('    commentary: "C"', '    commentary: "C"\n    score: .inf'),
    ("variables: {v: 0}", "variables: {v: " + "9" * 5000 + "}"),
]
