"""Reading YAML with line numbers: every problem becomes ``path:line: message`` (front matter
lines shifted by ``offset``).

Part of the content files importer and exporter (lms/programs/content_files.py, content/FORMATS.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from lms import safe_yaml
from lms.errors import FileProblem
from lms.programs.content_data import SLUG

# --- reading YAML with line numbers ---------------------------------------------------------


_REFUSED = object()  # a value the loader refused (already reported): matches no type check


class _Reader:
    """Collects problems for one file; ``offset`` shifts YAML lines (front matter)."""

    def __init__(self, path: str, problems: list[FileProblem], offset: int = 0):
        self.path, self.problems, self.offset = path, problems, offset

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def problem(self, line: int, message: str) -> None:
        self.problems.append(FileProblem(self.path, line, message))

    def compose(self, text: str) -> yaml.Node | None:
        try:
            return safe_yaml.compose(text)
        except yaml.YAMLError as exc:
            line = safe_yaml.problem_line(exc) + self.offset
            self.problem(line, f"YAML không hợp lệ: {safe_yaml.problem_text(exc)}")
            return None

    def mapping(
        self, node: yaml.Node, required: set[str], allowed: set[str], what: str
    ) -> dict[str, tuple[int, yaml.Node]] | None:
        """Keys of a mapping node with their lines; unknown, duplicate and missing keys reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(self.line(node), f"{what} phải là một bảng khóa: giá trị")
            return None
        found: dict[str, tuple[int, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(self.line(key_node), "khóa phải là một chữ, không phải danh sách hay bảng")
                continue
            key = key_node.value
            if key in found:
                self.problem(self.line(key_node), f"khóa '{key}' bị lặp lại")
            elif key not in allowed:
                self.problem(
                    self.line(key_node),
                    f"khóa không hợp lệ '{key}' (dùng được: {', '.join(sorted(allowed))})",
                )
            found[key] = (self.line(key_node), value_node)
        for key in sorted(required - found.keys()):
            self.problem(self.line(node), f"thiếu trường bắt buộc '{key}'")
        return found

    def top_mapping(
        self, text: str, required: set[str], allowed: set[str], what: str, empty: str
    ) -> dict[str, tuple[int, yaml.Node]] | None:
        """A file's (or front matter's) top-level mapping, as ``mapping`` gives it; None when the
        YAML is invalid (reported by ``compose``), empty (reported as ``empty``) or no mapping."""
        count = len(self.problems)
        root = self.compose(text)
        if root is None:
            if len(self.problems) == count:
                self.problem(1, empty)
            return None
        return self.mapping(root, required, allowed, what)

    def value(self, node: yaml.Node) -> Any:
        if node is None:
            return None
        try:
            return safe_yaml.construct(node)
        except safe_yaml.YamlRefused as exc:
            self.problem(exc.line + self.offset, f"YAML không hợp lệ: {exc.message}")
            return _REFUSED

    # typed getters: report and return None on a wrong type
    def text(self, node: yaml.Node, key: str, allow_empty: bool = False) -> str | None:
        value = self.value(node)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.problem(self.line(node), f"'{key}' phải là một chuỗi ký tự không rỗng")
            return None
        return value

    def slug(self, node: yaml.Node, key: str) -> str | None:
        value = self.value(node)
        if not isinstance(value, str) or not SLUG.match(value):
            self.problem(
                self.line(node),
                f"'{key}' phải là mã gồm chữ thường không dấu, số và gạch nối (vd. qn-chung-1)",
            )
            return None
        return value

    def date(self, node: yaml.Node, key: str) -> dt.date | None:
        value = self.value(node)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            self.problem(self.line(node), f"'{key}' phải là ngày dạng YYYY-MM-DD")
            return None
        return value

    def positive(self, node: yaml.Node, key: str, integer: bool = False) -> float | None:
        value = self.value(node)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        if integer:
            ok = ok and isinstance(value, int)
        if not ok:
            kind = "số nguyên dương" if integer else "số dương"
            self.problem(self.line(node), f"'{key}' phải là {kind}")
            return None
        return value

    def code_list(self, node: yaml.Node, key: str) -> list[tuple[str, int]] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(self.line(node), f"'{key}' phải là một danh sách mã, vd. [a, b]")
            return None
        codes = []
        for item in node.value:
            code = self.slug(item, key)
            if code is not None:
                codes.append((code, self.line(item)))
        return codes
