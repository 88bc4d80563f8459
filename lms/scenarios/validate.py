"""Validation of a scenario document (``content/scenarios/*.yaml``, see content/FORMATS.md).

Used by the importer, the CLI and the browser editor on every save. Problems come back as
``FileProblem(path, line, message)``; lines come from the YAML node marks (the loader keeps
the line of every mapping, key and list item).

Rules: required keys and types; codes exist; unique node ids; a single start node that
exists; every target and variable defined; conditions parse (``var op int``); 2–6 choices;
no cycles (a commune decision cannot be undone in reality, and a DAG makes the best-path
score exact); every node reachable (conditions respected); every path reaches an ending;
the best path earns points.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from lms import safe_yaml
from lms.errors import FileProblem
from lms.safe_yaml import short
from lms.scenarios.graph import (
    MAX_STATES,
    NODE_KINDS,
    Graph,
    StateLimit,
    find_cycle,
    fmt_points,
    parse_condition,
    targets,
)

FIELDS = (
    "xay-dung-dang",
    "tuyen-giao",
    "kiem-tra-giam-sat",
    "van-phong-dang",
    "dan-van",
    "quan-ly-nha-nuoc",
    "tai-chinh-ke-toan",
    "tai-nguyen-moi-truong",
    "dia-chinh-xay-dung",
    "tu-phap",
    "van-hoa-xa-hoi",
    "lao-dong-tbxh",
    "quoc-phong-an-ninh",
    "chuyen-doi-so",
    "ky-nang",
)
GRADING_METHODS = ("highest", "last", "first", "mean")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NODE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Limits (docs/scenarios.md, SECURITY.md); the YAML limits (size, depth, aliases) are in lms/safe_yaml.py.
MAX_NODES = 2000
MAX_POINTS = 1000  # |points| of one choice
MAX_VARIABLE = 1_000_000  # |start value| and |set amount| of a variable
MAX_ID = 100  # characters of a node id or code

TOP_KEYS = {
    "code": True,
    "title": True,
    "target_groups": False,
    "titles": False,
    "field": True,
    "legal_basis": True,
    "as_of": True,
    "estimated_minutes": True,
    "pass_mark": False,
    "rubric_weight": False,
    "allow_retry": False,
    # extensions documented in docs/scenarios.md (assessed mode)
    "attempts_allowed": False,
    "grading_method": False,
    "variables": False,
    "start": True,
    "nodes": True,
}
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


# --- a YAML loader that remembers lines ---------------------------------------------------


class LDict(dict):
    line = 0
    key_lines: dict


class LList(list):
    line = 0
    item_lines: list


class _Loader(safe_yaml.SafeLoader):
    pass


class DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line


class BadKey(DuplicateKey):
    """A list or mapping used as a key."""


def _map(loader: _Loader, node: yaml.MappingNode) -> LDict:
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


def _seq(loader: _Loader, node: yaml.SequenceNode) -> LList:
    value = LList(loader.construct_object(child, deep=True) for child in node.value)
    value.line = node.start_mark.line + 1
    value.item_lines = [child.start_mark.line + 1 for child in node.value]
    return value


_Loader.add_constructor("tag:yaml.org,2002:map", _map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _seq)


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


# --- the result -------------------------------------------------------------------------


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


@lru_cache(maxsize=1)
def known_codes() -> dict[str, frozenset[str]]:
    from lms.org.services import load_reference_data

    data = load_reference_data()
    return {
        "titles": frozenset(t["code"] for t in data["titles"]),
        "target_groups": frozenset(g["code"] for g in data["target_groups"]),
    }


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
        raw = safe_yaml.load(text, _Loader)
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
    _Checker(checked, raw).run()
    checked.problems.sort(key=lambda p: p.line)
    return checked


class _Checker:
    def __init__(self, checked: Checked, raw: Any):
        self.checked, self.raw, self.path = checked, raw, checked.path

    def error(self, line: int, message: str) -> None:
        self.checked.problems.append(FileProblem(self.path, line, message))

    # -- generic helpers

    def keys(self, obj: LDict, spec: dict[str, bool], where: str) -> None:
        for key in obj:
            if key not in spec:
                self.error(
                    line_of(obj, key),
                    _("%(where)s: khóa %(key)s không có trong định dạng", where=where, key=short(key)),
                )
        for key, required in spec.items():
            if required and key not in obj:
                self.error(
                    line_of(obj), _("%(where)s: thiếu khóa bắt buộc %(key)s", where=where, key=short(key))
                )

    def text(self, obj: LDict, key: str, where: str, required: bool = True) -> None:
        if key not in obj:
            return
        value = obj[key]
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(
                line_of(obj, key),
                _("%(where)s: %(key)s phải là văn bản, không để trống", where=where, key=short(key)),
            )

    def number(self, obj: LDict, key: str, where: str, low: float | None = None, high: float | None = None):
        if key not in obj:
            return None
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.error(
                line_of(obj, key),
                _("%(where)s: %(key)s phải là một số (hữu hạn)", where=where, key=short(key)),
            )
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.error(
                line_of(obj, key),
                _(
                    "%(where)s: %(key)s phải từ %(low)s đến %(high)s",
                    where=where,
                    key=short(key),
                    low=f"{low:g}",
                    high=f"{high:g}",
                ),
            )
            return None
        return value

    def codes(self, obj: LDict, key: str, known: frozenset[str]) -> None:
        if key not in obj:
            return
        value = obj[key]
        if not isinstance(value, list):
            self.error(line_of(obj, key), _("%(key)s phải là một danh sách mã", key=short(key)))
            return
        for index, code in enumerate(value):
            if not isinstance(code, str) or code not in known:
                self.error(
                    line_of(value, index, line_of(obj, key)),
                    _("%(key)s: không có mã %(code)s", key=key, code=short(code)),
                )

    # -- the document

    def run(self) -> None:
        doc = self.raw
        if not isinstance(doc, LDict):
            self.error(1, _("tệp tình huống phải là một ánh xạ YAML (code, title, nodes, ...)"))
            return
        self.keys(doc, TOP_KEYS, _("tình huống"))
        self.metadata(doc)
        variables = self.variables(doc)
        nodes = self.nodes(doc, variables)
        if nodes is None or self.checked.problems:
            return
        self.structure(doc, nodes)
        if self.checked.problems:
            return
        self.checked.document = plain(doc)

    def metadata(self, doc: LDict) -> None:
        code = doc.get("code")
        if "code" in doc and (not isinstance(code, str) or not SLUG.match(code) or len(code) > MAX_ID):
            self.error(
                line_of(doc, "code"),
                _("code phải viết thường, không dấu, nối bằng dấu gạch ngang, như 'tranh-chap-dat-dai'"),
            )
        for key in ("title", "legal_basis"):
            self.text(doc, key, _("tình huống"))
        if "field" in doc and doc["field"] not in FIELDS:
            self.error(line_of(doc, "field"), _("không có mã lĩnh vực %(code)s", code=short(doc["field"])))
        known = known_codes()
        self.codes(doc, "target_groups", known["target_groups"])
        self.codes(doc, "titles", known["titles"])
        if "as_of" in doc and not isinstance(doc["as_of"], dt.date):
            self.error(line_of(doc, "as_of"), _("as_of phải là một ngày, như 2026-11-01"))
        minutes = doc.get("estimated_minutes")
        if "estimated_minutes" in doc and (
            isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600
        ):
            self.error(
                line_of(doc, "estimated_minutes"), _("estimated_minutes phải là số nguyên từ 1 đến 600")
            )
        self.number(doc, "pass_mark", _("tình huống"), 0, 10)
        self.number(doc, "rubric_weight", _("tình huống"), 0, 1)
        if "allow_retry" in doc and not isinstance(doc["allow_retry"], bool):
            self.error(line_of(doc, "allow_retry"), _("allow_retry phải là true hoặc false"))
        attempts = doc.get("attempts_allowed")
        if "attempts_allowed" in doc and (
            isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0
        ):
            self.error(
                line_of(doc, "attempts_allowed"), _("attempts_allowed phải từ 0 (không giới hạn) trở lên")
            )
        if "grading_method" in doc and doc["grading_method"] not in GRADING_METHODS:
            self.error(
                line_of(doc, "grading_method"),
                _("grading_method phải là một trong %(values)s", values=", ".join(GRADING_METHODS)),
            )

    def variables(self, doc: LDict) -> set[str]:
        value = doc.get("variables")
        if value is None:
            return set()
        if not isinstance(value, dict):
            self.error(line_of(doc, "variables"), _("variables phải là một ánh xạ tên: giá trị đầu"))
            return set()
        for name, start in value.items():
            if not isinstance(name, str) or not VARIABLE.match(name):
                self.error(line_of(value, name), _("tên biến %(name)s không hợp lệ", name=short(name)))
            if isinstance(start, bool) or not isinstance(start, int) or abs(start) > MAX_VARIABLE:
                self.error(
                    line_of(value, name),
                    _(
                        "biến %(name)s cần giá trị đầu là số nguyên từ -%(max)s đến %(max)s",
                        name=short(name),
                        max=MAX_VARIABLE,
                    ),
                )
        return {n for n in value if isinstance(n, str)}

    def nodes(self, doc: LDict, variables: set[str]) -> dict[str, LDict] | None:
        nodes = doc.get("nodes")
        if "nodes" not in doc:
            return None
        if not isinstance(nodes, list) or not nodes:
            self.error(line_of(doc, "nodes"), _("nodes phải là một danh sách không rỗng"))
            return None
        if len(nodes) > MAX_NODES:
            self.error(
                line_of(doc, "nodes"),
                _("%(n)s nút: một tình huống có tối đa %(max)s nút", n=len(nodes), max=MAX_NODES),
            )
            return None
        by_id: dict[str, LDict] = {}
        for index, node in enumerate(nodes):
            line = line_of(nodes, index)
            if not isinstance(node, LDict):
                self.error(line, _("mỗi nút phải là một ánh xạ có id và kind"))
                continue
            node_id = node.get("id")
            if not isinstance(node_id, str) or not NODE_ID.match(node_id) or len(node_id) > MAX_ID:
                self.error(
                    line_of(node, "id"),
                    _("id của nút chỉ gồm chữ cái, chữ số, '-' hoặc '_' (tối đa %(max)s ký tự)", max=MAX_ID),
                )
                continue
            if node_id in by_id:
                self.error(line_of(node, "id"), _("id nút %(id)s bị lặp", id=short(node_id)))
                continue
            by_id[node_id] = node
            self.node(node, node_id, variables)
        for node_id, node in by_id.items():
            for target, line in self.edges(node):
                if isinstance(target, str) and target not in by_id:
                    self.error(
                        line,
                        _(
                            "nút %(node)s: next %(target)s không phải id của nút nào",
                            node=node_id,
                            target=short(target),
                        ),
                    )
        return by_id

    def edges(self, node: LDict) -> list[tuple[Any, int]]:
        if node.get("kind") == "decision":
            choices = node.get("choices")
            if not isinstance(choices, list):
                return []
            return [(c.get("next"), line_of(c, "next")) for c in choices if isinstance(c, LDict)]
        if "next" in node:
            return [(node["next"], line_of(node, "next"))]
        return []

    def node(self, node: LDict, node_id: str, variables: set[str]) -> None:
        kind = node.get("kind")
        where = _("nút %(node)s", node=node_id)
        if kind not in NODE_KINDS:
            self.error(
                line_of(node, "kind"),
                _("%(where)s: kind phải là một trong %(values)s", where=where, values=", ".join(NODE_KINDS)),
            )
            return
        self.keys(node, NODE_KEYS[kind], where)
        for key in ("title", "text", "prompt", "model_answer", "outcome", "commentary"):
            self.text(node, key, where)
        if "next" in node and not isinstance(node["next"], str):
            self.error(line_of(node, "next"), _("%(where)s: next phải là id của một nút", where=where))
        if kind == "decision":
            self.choices(node, where, variables)
        elif kind == "response":
            self.rubric(node, where)
            self.expected_words(node, where)
        elif kind == "ending":
            self.number(node, "score", where, 0, 10)

    def choices(self, node: LDict, where: str, variables: set[str]) -> None:
        choices = node.get("choices")
        if "choices" not in node:
            return
        if not isinstance(choices, list) or not 2 <= len(choices) <= 6:
            self.error(
                line_of(node, "choices"), _("%(where)s: một quyết định cần từ 2 đến 6 lựa chọn", where=where)
            )
            if not isinstance(choices, list):
                return
        for index, choice in enumerate(choices):
            label = _("%(where)s, lựa chọn %(n)s", where=where, n=index + 1)
            if not isinstance(choice, LDict):
                self.error(
                    line_of(choices, index),
                    _("%(label)s: phải là một ánh xạ có label, points, next", label=label),
                )
                continue
            self.keys(choice, CHOICE_KEYS, label)
            self.text(choice, "label", label)
            for key in ("feedback", "consequence"):
                self.text(choice, key, label, required=False)
            self.number(choice, "points", label, -MAX_POINTS, MAX_POINTS)
            if "next" in choice and not isinstance(choice["next"], str):
                self.error(line_of(choice, "next"), _("%(where)s: next phải là id của một nút", where=label))
            self.effects(choice, label, variables)
            if "when" in choice:
                parsed = parse_condition(choice["when"]) if isinstance(choice["when"], str) else None
                if parsed is None:
                    self.error(
                        line_of(choice, "when"),
                        _(
                            "%(label)s: điều kiện %(condition)s phải có dạng 'biến phép_so_sánh số_nguyên', "
                            "phép so sánh là một trong < <= > >= == !=",
                            label=label,
                            condition=short(choice["when"]),
                        ),
                    )
                elif parsed[0] not in variables:
                    self.error(
                        line_of(choice, "when"),
                        _("%(label)s: biến %(name)s chưa được khai báo", label=label, name=short(parsed[0])),
                    )

    def effects(self, choice: LDict, label: str, variables: set[str]) -> None:
        effects = choice.get("set")
        if "set" not in choice:
            return
        if not isinstance(effects, dict):
            self.error(
                line_of(choice, "set"),
                _("%(label)s: set phải là một ánh xạ biến: lượng thay đổi", label=label),
            )
            return
        for name, delta in effects.items():
            if name not in variables:
                self.error(
                    line_of(effects, name),
                    _("%(label)s: biến %(name)s chưa được khai báo", label=label, name=short(name)),
                )
            if isinstance(delta, bool) or not isinstance(delta, int) or abs(delta) > MAX_VARIABLE:
                self.error(
                    line_of(effects, name),
                    _(
                        "%(label)s: set %(name)s cần một số nguyên từ -%(max)s đến %(max)s",
                        label=label,
                        name=short(name),
                        max=MAX_VARIABLE,
                    ),
                )

    def expected_words(self, node: LDict, where: str) -> None:
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
            self.error(
                line_of(node, "expected_words"),
                _(
                    "%(where)s: expected_words phải là số từ, một số nguyên (1 đến 5000), hoặc [thấp, cao]",
                    where=where,
                ),
            )

    def rubric(self, node: LDict, where: str) -> None:
        rubric = node.get("rubric")
        if "rubric" not in node:
            return
        if not isinstance(rubric, list) or not rubric:
            self.error(
                line_of(node, "rubric"),
                _("%(where)s: rubric phải là một danh sách tiêu chí không rỗng", where=where),
            )
            return
        for index, criterion in enumerate(rubric):
            label = _("%(where)s, tiêu chí %(n)s", where=where, n=index + 1)
            if not isinstance(criterion, LDict):
                self.error(
                    line_of(rubric, index),
                    _("%(label)s: phải là một ánh xạ có criterion và levels", label=label),
                )
                continue
            self.keys(criterion, {"criterion": True, "levels": True}, label)
            self.text(criterion, "criterion", label)
            levels = criterion.get("levels")
            if "levels" in criterion and (not isinstance(levels, list) or len(levels) < 2):
                self.error(line_of(criterion, "levels"), _("%(label)s: cần ít nhất 2 mức", label=label))
                continue
            for level_index, level in enumerate(levels or []):
                level_label = _("%(label)s, mức %(n)s", label=label, n=level_index + 1)
                if not isinstance(level, LDict):
                    self.error(
                        line_of(levels, level_index),
                        _("%(label)s: phải có dạng {label, points}", label=level_label),
                    )
                    continue
                self.keys(level, {"label": True, "points": True}, level_label)
                self.text(level, "label", level_label)
                self.number(level, "points", level_label, 0, 1000)

    def structure(self, doc: LDict, nodes: dict[str, LDict]) -> None:
        start = doc.get("start")
        if not isinstance(start, str) or start not in nodes:
            self.error(line_of(doc, "start"), _("nút bắt đầu %(start)s không tồn tại", start=short(start)))
            return
        cycle = find_cycle(nodes)
        if cycle:
            back = nodes[cycle[-2]]
            self.error(
                line_of(back),
                _(
                    "vòng lặp %(path)s: tình huống phải luôn đi tới (đồ thị không có vòng); "
                    "một quyết định ở xã không thể làm lại",
                    path=_ids(cycle),
                ),
            )
            return
        graph = Graph(plain(doc))
        try:
            exploration = graph.explore()
        except StateLimit as exc:
            self.error(
                line_of(nodes[exc.node_id]),
                _(
                    "nút %(node)s: quá nhiều đường cần kiểm tra — hơn %(max)s tổ hợp nút và giá trị biến "
                    "(các biến dùng trong điều kiện 'when' nhân số đường lên); hãy dùng ít biến hơn "
                    "trong điều kiện hoặc ít lựa chọn làm thay đổi chúng hơn",
                    node=exc.node_id,
                    max=MAX_STATES,
                ),
            )
            return
        structural = _structurally_reachable(graph)
        for node_id, node in nodes.items():
            if node_id not in structural:
                self.error(
                    line_of(node),
                    _("nút %(node)s không đi tới được từ nút bắt đầu %(start)s", node=node_id, start=start),
                )
            elif node_id not in exploration.reached:
                self.error(
                    line_of(node),
                    _(
                        "nút %(node)s không bao giờ tới được: các điều kiện dẫn tới nó không bao giờ đúng",
                        node=node_id,
                    ),
                )
        for dead in exploration.dead_ends:
            state = ", ".join(f"{k}={v}" for k, v in sorted(dead.variables.items())) or _("các giá trị đầu")
            self.error(
                line_of(nodes[dead.node_id]),
                _(
                    "nút %(node)s: ngõ cụt, không có lựa chọn nào khi %(state)s "
                    "(mọi đường đi phải tới một kết thúc)",
                    node=dead.node_id,
                    state=state,
                ),
            )
        if exploration.bounds is None:
            return
        self.checked.min_points, self.checked.max_points = exploration.bounds
        fixed_only = all(
            n.get("score") is not None
            for n in graph.nodes.values()
            if n["kind"] == "ending" and n["id"] in exploration.reached
        )
        if exploration.max_points <= 0 and not fixed_only:
            self.error(
                line_of(doc, "nodes"),
                _("đường đi tốt nhất không được điểm nào: hãy cho một số lựa chọn điểm dương"),
            )


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
