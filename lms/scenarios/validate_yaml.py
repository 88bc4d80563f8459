"""The YAML loader of scenario documents, one that remembers lines.

A scenario problem is reported as ``file:line: message``, so the validator must know the line
of every value it checks. ``LineLoader`` (on top of the shared, hostile-file-safe
``lms.safe_yaml`` loader, which keeps all its size, depth and alias limits) builds every mapping
as an ``LDict`` (its own line and the line of each key) and every list as an ``LList`` (its own
line and the line of each item); ``line_of`` reads them back. A repeated key or a list or mapping
used as a key stops the load with ``DuplicateKey`` / ``BadKey``. ``plain`` turns the result into
the stored, JSON-safe document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from lms import safe_yaml


class LDict(dict):
    line = 0
    key_lines: dict


class LList(list):
    line = 0
    item_lines: list


class LineLoader(safe_yaml.SafeLoader):
    pass


class DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line


class BadKey(DuplicateKey):
    """A list or mapping used as a key."""


def _map(loader: LineLoader, node: yaml.MappingNode) -> LDict:
    loader.flatten_mapping(node)
    value = LDict()
    value.line = node.start_mark.line + 1
    value.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool | dt.date) and key is not None:
            raise BadKey(key, line)
        if key in value:
            raise DuplicateKey(key, line)
        value[key] = loader.construct_object(value_node, deep=True)
        value.key_lines[key] = line
    return value


def _seq(loader: LineLoader, node: yaml.SequenceNode) -> LList:
    value = LList(loader.construct_object(child, deep=True) for child in node.value)
    value.line = node.start_mark.line + 1
    value.item_lines = [child.start_mark.line + 1 for child in node.value]
    return value


LineLoader.add_constructor("tag:yaml.org,2002:map", _map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _seq)


def line_of(obj: Any, key: Any = None, default: int = 1) -> int:
    if key is not None and isinstance(obj, LDict) and key in obj.key_lines:
        return obj.key_lines[key]
    if isinstance(obj, LList) and isinstance(key, int) and key < len(obj.item_lines):
        return obj.item_lines[key]
    return getattr(obj, "line", default) or default


def plain(value: Any) -> Any:
    """LDict/LList → dict/list; dates → ISO strings (the stored, JSON-safe document)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
