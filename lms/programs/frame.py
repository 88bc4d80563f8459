"""What a program file says about where it comes from and how it is delivered, and the checks
that keep it true: ``source_titles`` (the source's topic titles, word for word), ``delivery``
(the on-the-job model: months, days a week, mentoring unit, the monthly assessment rubric),
and that every weighted evaluation component can be produced by something in the program.

Kept apart from ``content_files`` (the file reader and writer) so each stays one concern.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from lms import events
from lms.errors import FileProblem

DELIVERY_KEYS = {"months", "days_per_week", "place", "mentoring_unit", "assessment", "note"}
ASSESSMENT_KEYS = {"assessor", "frequency", "criteria"}
# Components that need something in the program to produce them (a test, a scenario); the
# others (instructor assessment, attendance) are entered by people for any cohort.
PRODUCED = {"entrance": "bài kiểm tra đầu vào", "exit": "bài kiểm tra đầu ra", "scenarios": "tình huống"}


def frame_title(text: str) -> str:
    """A title as compared with its source: spaces collapsed, no final period, a spaced
    hyphen read as the en dash Vietnamese typography uses ("chính trị - xã hội")."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
    return text.replace(" - ", " – ")


def parse_source_titles(reader, node: yaml.Node) -> list[dict[str, Any]] | None:
    """``source_titles``: a list of the source's titles, each a string or a mapping
    ``{text: <as printed>, title: <our corrected wording>, note: <why>}``."""
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        reader.problem(reader.line(node), "'source_titles' phải là danh sách tên chuyên đề theo nguồn")
        return None
    items = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode):
            text = reader.text(item, "source_titles")
            if text is not None:
                items.append({"text": text, "title": frame_title(text), "line": reader.line(item)})
            continue
        keys = reader.mapping(item, {"text", "title", "note"}, {"text", "title", "note"}, "'source_titles'")
        if keys is None:
            continue
        values = {k: reader.text(n, f"source_titles.{k}") for k, (_l, n) in keys.items()}
        if None not in values.values() and len(values) == 3:
            items.append(values | {"line": reader.line(item)})
    return items if len(items) == len(node.value) else None


def check_frame(path: str, source_titles: list[dict], topics: list[tuple[str, int]], titles: dict) -> list:
    """The program's topics are the source's, in the source's order, word for word."""
    problems = []
    if len(source_titles) != len(topics):
        line = source_titles[0]["line"] if source_titles else 1
        problems.append(
            FileProblem(
                path,
                line,
                _(
                    "nguồn có %(source_titles)s chuyên đề, chương trình có %(topics)s",
                    source_titles=len(source_titles),
                    topics=len(topics),
                ),
            )
        )
    for wanted, (code, line) in zip(source_titles, topics, strict=False):
        have = titles.get(code)
        if have is not None and frame_title(have) != frame_title(wanted["title"]):
            problems.append(
                FileProblem(
                    path,
                    line,
                    _(
                        "chuyên đề '%(code)s' có tên “%(have)s”, nguồn ghi “%(value)s”",
                        code=code,
                        have=have,
                        value=wanted["title"],
                    ),
                )
            )
    return problems


def parse_delivery(reader, node: yaml.Node) -> dict[str, Any] | None:
    keys = reader.mapping(node, {"months", "mentoring_unit"}, DELIVERY_KEYS, "'delivery'")
    if keys is None:
        return None
    out: dict[str, Any] = {}
    for key, (_line, value) in keys.items():
        if key == "months":
            out[key] = reader.positive(value, "delivery.months", integer=True)
        elif key == "assessment":
            out[key] = _assessment(reader, value)
        elif key in DELIVERY_KEYS:
            out[key] = reader.text(value, f"delivery.{key}")
    return None if None in out.values() else out


def _assessment(reader, node: yaml.Node) -> dict[str, Any] | None:
    keys = reader.mapping(node, ASSESSMENT_KEYS, ASSESSMENT_KEYS, "'delivery.assessment'")
    if keys is None:
        return None
    assessor = reader.text(keys["assessor"][1], "assessment.assessor") if "assessor" in keys else None
    frequency = reader.text(keys["frequency"][1], "assessment.frequency") if "frequency" in keys else None
    criteria_node = keys.get("criteria", (0, None))[1]
    if not isinstance(criteria_node, yaml.SequenceNode) or not criteria_node.value:
        reader.problem(reader.line(node), "'assessment.criteria' phải là danh sách tiêu chí")
        return None
    criteria, top = [], 0.0
    for item in criteria_node.value:
        parts = reader.mapping(item, {"criterion", "levels"}, {"criterion", "levels"}, "một tiêu chí")
        if parts is None or "levels" not in parts or "criterion" not in parts:
            return None
        name = reader.text(parts["criterion"][1], "criterion")
        levels = _levels(reader, parts["levels"][1])
        if name is None or levels is None:
            return None
        criteria.append({"criterion": name, "levels": levels})
        top += max(points for _label, points in levels)
    if abs(top - 10) > 1e-9:
        reader.problem(
            reader.line(criteria_node),
            f"điểm cao nhất của các tiêu chí cộng lại phải là 10 (đang là {top:g})",
        )
        return None
    if None in (assessor, frequency):
        return None
    return {"assessor": assessor, "frequency": frequency, "criteria": criteria}


def _levels(reader, node: yaml.Node) -> list[tuple[str, float]] | None:
    if not isinstance(node, yaml.SequenceNode) or len(node.value) < 2:
        reader.problem(reader.line(node), "mỗi tiêu chí cần ít nhất hai mức")
        return None
    levels = []
    for item in node.value:
        parts = reader.mapping(item, {"label", "points"}, {"label", "points"}, "một mức")
        if parts is None or len(parts) != 2:
            return None
        label = reader.text(parts["label"][1], "label")
        points = reader.value(parts["points"][1])
        if not isinstance(points, int | float) or isinstance(points, bool) or not 0 <= points <= 10:
            reader.problem(parts["points"][0], "'points' phải là số từ 0 đến 10")
            return None
        if label is None:
            return None
        levels.append((label, float(points)))
    return levels


def check_producible(
    session: Session,
    root: Path | None,
    path: str,
    code: str,
    groups: list[str],
    evaluation: dict | None,
    weight_lines: dict[str, int],
    line: int,
) -> list[FileProblem]:
    """A weighted component that nothing can produce would silently spread its weight over the
    others: refuse it at import, naming what is missing."""
    weights = (evaluation or {}).get("weights")
    if weights is None:  # the default scheme: exit 0.5, scenarios 0.3, assessment 0.2
        weights = {"exit": 0.5, "scenarios": 0.3, "assessment": 0.2}
    produced: set[str] = set()
    for producer in events.component_producers:
        produced |= producer(session, root, code, groups)
    problems = []
    for component, what in PRODUCED.items():
        if weights.get(component, 0) > 0 and component not in produced:
            problems.append(
                FileProblem(
                    path,
                    weight_lines.get(component, line),
                    _(
                        "trọng số '%(component)s' là %(value)s nhưng chương trình '%(code)s' không "
                        "có %(what)s nào (thêm %(what)s cho chương trình hoặc đặt trọng số 0)",
                        component=component,
                        value=format(weights[component], "g"),
                        code=code,
                        what=what,
                    ),
                )
            )
    return problems
