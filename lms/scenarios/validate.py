"""Validation of a scenario document (``content/scenarios/*.yaml``, see content/FORMATS.md).

Used by the importer, the CLI and the browser editor on every save. Problems come back as
``FileProblem(path, line, message)``; lines come from the YAML node marks (the loader keeps
the line of every mapping, key and list item).

Rules: required keys and types; codes exist; unique node ids; a single start node that
exists; every target and variable defined; conditions parse (``var op int``); 2–6 choices;
no cycles (a commune decision cannot be undone in reality, and a DAG makes the best-path
score exact); every node reachable (conditions respected); every path reaches an ending;
the best path earns points.

This module is the entry point (``validate_file``, ``validate_text``, ``Checked``) and runs the
checks in order; each kind of check lives in its own module and reports to a shared ``Report``:
- ``validate_yaml``: the loader that remembers lines (``LDict``, ``LList``, ``line_of``, ``plain``);
- ``validate_fields``: the generic field checks (keys, text, numbers, codes), the document's
  metadata and variables, and the format's limits;
- ``validate_nodes``: the node list, each node by kind, choices with their effects and
  conditions, rubrics and expected words;
- ``validate_structure``: the graph (start, cycles, reachability, dead ends, score bounds),
  run only when the fields and nodes are clean.
The names callers import from here (``FIELDS``, ``NODE_ID``, ``known_codes``, ``LDict``, …) are
re-exported.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from lms import safe_yaml
from lms.errors import FileProblem
from lms.safe_yaml import short
from lms.scenarios import validate_fields, validate_nodes
from lms.scenarios.graph import fmt_points
from lms.scenarios.validate_fields import (
    FIELDS,
    GRADING_METHODS,
    MAX_ID,
    MAX_NODES,
    MAX_POINTS,
    MAX_VARIABLE,
    SLUG,
    TOP_KEYS,
    VARIABLE,
    Report,
    known_codes,
)
from lms.scenarios.validate_nodes import CHOICE_KEYS, NODE_ID, NODE_KEYS
from lms.scenarios.validate_structure import structure
from lms.scenarios.validate_yaml import BadKey, DuplicateKey, LDict, LineLoader, LList, line_of, plain

__all__ = [
    "CHOICE_KEYS",
    "FIELDS",
    "GRADING_METHODS",
    "MAX_ID",
    "MAX_NODES",
    "MAX_POINTS",
    "MAX_VARIABLE",
    "NODE_ID",
    "NODE_KEYS",
    "SLUG",
    "TOP_KEYS",
    "VARIABLE",
    "BadKey",
    "Checked",
    "DuplicateKey",
    "LDict",
    "LList",
    "LineLoader",
    "Report",
    "known_codes",
    "line_of",
    "plain",
    "validate_file",
    "validate_text",
]


@dataclasses.dataclass
class Checked:
    path: str
    document: dict | None = None
    problems: list[FileProblem] = dataclasses.field(default_factory=list)
    min_points: float | None = None
    max_points: float | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return f"ok: min score {fmt_points(self.min_points)}, max score {fmt_points(self.max_points)}"


def validate_file(path: str | Path) -> Checked:
    file = Path(path)
    try:
        if file.stat().st_size > safe_yaml.MAX_BYTES:
            message = _("tệp lớn hơn %(n)s KB", n=safe_yaml.MAX_BYTES // 1024)
            return Checked(str(path), problems=[FileProblem(str(path), 1, message)])
        text = file.read_text("utf-8")
    except FileNotFoundError:
        return Checked(str(path), problems=[FileProblem(str(path), 0, _("không tìm thấy tệp"))])
    except UnicodeDecodeError:
        return Checked(str(path), problems=[FileProblem(str(path), 1, _("tệp không phải văn bản UTF-8"))])
    except OSError as exc:
        return Checked(
            str(path),
            problems=[FileProblem(str(path), 0, _("không đọc được tệp: %(reason)s", reason=exc.strerror))],
        )
    return validate_text(text, str(path))


def validate_text(text: str, path: str = "<scenario>") -> Checked:
    checked = Checked(path)
    try:
        raw = safe_yaml.load(text, LineLoader)
    except BadKey as exc:
        checked.problems.append(
            FileProblem(path, exc.line, _("khóa phải là chữ, không phải %(key)s", key=short(exc.key)))
        )
        return checked
    except DuplicateKey as exc:
        checked.problems.append(FileProblem(path, exc.line, _("khóa %(key)s bị lặp", key=short(exc.key))))
        return checked
    except safe_yaml.YamlRefused as exc:
        checked.problems.append(
            FileProblem(path, exc.line, _("YAML bị từ chối: %(reason)s", reason=exc.message))
        )
        return checked
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        checked.problems.append(
            FileProblem(path, line, _("lỗi cú pháp YAML: %(problem)s", problem=safe_yaml.problem_text(exc)))
        )
        return checked
    except yaml.YAMLError as exc:
        checked.problems.append(
            FileProblem(path, 1, _("lỗi YAML: %(problem)s", problem=safe_yaml.problem_text(exc)))
        )
        return checked
    _check(checked, raw)
    checked.problems.sort(key=lambda p: p.line)
    return checked


def _check(checked: Checked, doc: Any) -> None:
    """Every check in order: the fields and nodes first (all their problems at once), the graph
    only when those are clean; the document is kept only when nothing is wrong."""
    report = Report(checked.path, checked.problems)
    if not isinstance(doc, LDict):
        report.error(1, _("tệp tình huống phải là một ánh xạ YAML (code, title, nodes, ...)"))
        return
    validate_fields.keys(report, doc, TOP_KEYS, _("tình huống"))
    validate_fields.metadata(report, doc)
    variables = validate_fields.variables(report, doc)
    nodes = validate_nodes.nodes(report, doc, variables)
    if nodes is None or checked.problems:
        return
    bounds = structure(report, doc, nodes)
    if bounds is not None:
        checked.min_points, checked.max_points = bounds
    if checked.problems:
        return
    checked.document = plain(doc)
