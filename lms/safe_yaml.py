"""The one YAML loader for every file a person can hand us (scenarios, programs, topics,
quizzes, reference data).

PyYAML's ``SafeLoader`` builds no Python objects, but it still trusts the shape of the text:
an alias repeated inside aliases ("billion laughs") expands to billions of values as soon as
anything walks or prints the result, an anchor can contain itself, a document nested
thousands deep overflows the composer's recursion, a 5,000-digit integer raises ``ValueError``
(not a YAML error), and ``.nan``/``.inf`` are numbers that poison every score. Here the text is
first checked event by event (the parser is not recursive), then composed, then measured as it
would be once aliases are expanded, and only then constructed. Anything over the limits below
is a ``YamlRefused`` (a ``MarkedYAMLError``: callers that already report YAML errors with a line
keep working), with the line of the offending node.

Limits (documented in docs/scenarios.md and SECURITY.md):
- ``MAX_BYTES``: the text itself;
- ``MAX_DEPTH``: nesting of mappings and lists, counted with aliases expanded;
- ``MAX_ALIASES``: number of ``*alias`` uses;
- ``MAX_VALUES``: values (scalars, lists, mappings) once every alias is expanded;
- ``MAX_NUMBER_DIGITS``: digits of one number; non-finite floats (``.nan``, ``.inf``) are refused.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import yaml
from flask_babel import gettext as _

MAX_BYTES = 512 * 1024
MAX_DEPTH = 50
MAX_ALIASES = 200
MAX_VALUES = 200_000
MAX_NUMBER_DIGITS = 30
SHORT = 60


class YamlRefused(yaml.MarkedYAMLError):
    """The text is refused before (or while) building values; ``line`` is 1-based."""

    def __init__(self, message: str, mark: yaml.Mark | None = None, line: int | None = None):
        if mark is None:
            mark = yaml.Mark("<yaml>", 0, max((line or 1) - 1, 0), 0, None, None)
        super().__init__(problem=message, problem_mark=mark)
        self.message = message
        self.line = mark.line + 1

    def __str__(self) -> str:
        return self.message


def short(value: Any, limit: int = SHORT) -> str:
    """``repr`` of a value for an error message, never longer than ``limit`` characters and
    never walking more than a few items (a value may be huge or refer to itself)."""
    shorter = reprlib.Repr()
    shorter.maxstring = shorter.maxother = limit
    shorter.maxlist = shorter.maxtuple = shorter.maxdict = shorter.maxset = 4
    shorter.maxlevel = 2
    text = shorter.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with bounded numbers. Subclass it to add constructors (the scenario
    loader keeps line numbers); always load through :func:`load` or :func:`compose`."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if sum(ch.isdigit() for ch in str(node.value)) > MAX_NUMBER_DIGITS:
            raise YamlRefused(_("số quá dài (hơn %(n)s chữ số)", n=MAX_NUMBER_DIGITS), node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        if sum(ch.isdigit() for ch in str(node.value)) > MAX_NUMBER_DIGITS:
            raise YamlRefused(_("số quá dài (hơn %(n)s chữ số)", n=MAX_NUMBER_DIGITS), node.start_mark)
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise YamlRefused(
                _("%(value)s không phải là số hữu hạn (không nhận .nan và .inf)", value=short(node.value)),
                node.start_mark,
            )
        return value


SafeLoader.add_constructor("tag:yaml.org,2002:int", SafeLoader.construct_yaml_int)
SafeLoader.add_constructor("tag:yaml.org,2002:float", SafeLoader.construct_yaml_float)


def _check_events(text: str, loader_class: type) -> None:
    """One pass over the parser's events (iterative): depth and alias count as written."""
    loader = loader_class(text)
    try:
        depth = aliases = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlRefused(_("lồng nhau sâu hơn %(n)s cấp", n=MAX_DEPTH), event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise YamlRefused(_("hơn %(n)s bí danh (*tên)", n=MAX_ALIASES), event.start_mark)
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Size and depth of the document with every alias expanded, without expanding it:
    each distinct node is measured once (iterative post-order); an anchor that contains
    itself is refused."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0) if children else 0
            if size[key] > MAX_VALUES:
                raise YamlRefused(
                    _("bí danh bung ra hơn %(n)s giá trị (một quả bom bí danh?)", n=MAX_VALUES),
                    node.start_mark,
                )
            if depth[key] > MAX_DEPTH:
                raise YamlRefused(_("bí danh lồng nhau sâu hơn %(n)s cấp", n=MAX_DEPTH), node.start_mark)
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlRefused(_("một bí danh trỏ tới chính giá trị chứa nó"), node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise YamlRefused(_("một bí danh trỏ tới chính giá trị chứa nó"), child.start_mark)
            if id(child) not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def compose(text: str, loader_class: type = SafeLoader) -> yaml.Node | None:
    """The checked node tree of one document (None when empty). Raises ``YamlRefused`` over a
    limit and ``yaml.YAMLError`` on a syntax error."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlRefused(_("tệp lớn hơn %(n)s KB", n=MAX_BYTES // 1024), line=1)
    _check_events(text, loader_class)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        _check_expansion(node)
    return node


def construct(node: yaml.Node | None, loader_class: type = SafeLoader) -> Any:
    """Values of a node from :func:`compose` (or None)."""
    if node is None:
        return None
    loader = loader_class("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load(text: str, loader_class: type = SafeLoader) -> Any:
    """``yaml.safe_load`` with the limits above."""
    return construct(compose(text, loader_class), loader_class)


def problem_line(exc: yaml.YAMLError, default: int = 1) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark else default


def problem_text(exc: yaml.YAMLError) -> str:
    """A short reason for a YAML error (never the whole offending text)."""
    if isinstance(exc, YamlRefused):
        return exc.message
    reason = getattr(exc, "problem", None) or str(exc)
    return reason if len(reason) <= 200 else reason[:199] + "…"
