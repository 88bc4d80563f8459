"""The form-based editor's operations on a scenario document (plain dicts, as stored).

Each function changes one part of a document (a copy of ``Scenario.doc``) and refuses moves
that no later save could repair (a duplicate node id, a 7th choice, deleting a node others
point to) with an ``LmsError`` in Vietnamese. Everything else — a decision with one choice,
a missing ``next``, an unreachable node — is left for ``validate.py`` to report, so authors
can build a scenario step by step; the draft is stored with its problems and cannot be
submitted until they are fixed (``services.save_document`` / ``services.transition``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from flask_babel import gettext as _

from lms.errors import LmsError
from lms.scenarios import drawing
from lms.scenarios.graph import NODE_KINDS, fmt_points, parse_condition, targets
from lms.scenarios.validate import NODE_ID, VARIABLE, Checked

MAX_CHOICES = 6
KIND_LABELS = drawing.KIND_LABELS
# Keys each kind keeps when its form is saved (id and kind are fixed once created).
KIND_FIELDS = {
    "situation": ("title", "text", "next"),
    "decision": ("title", "text", "choices"),
    "response": ("title", "text", "prompt", "model_answer", "expected_words", "rubric", "next"),
    "ending": ("title", "outcome", "commentary", "score"),
}
EFFECT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([+-]?\d+)\s*$")


def blank_document(code: str, title: str) -> dict:
    return {"code": code, "title": title, "start": "", "variables": {}, "nodes": []}


def node_ids(doc: dict) -> list[str]:
    return [n["id"] for n in doc.get("nodes") or []]


def find_node(doc: dict, node_id: str) -> dict:
    for node in doc.get("nodes") or []:
        if node.get("id") == node_id:
            return node
    raise LmsError(_("Không có nút “%(node_id)s” trong tình huống này.", node_id=node_id))


def _clean(value: Any) -> Any:
    """Form text: strip; empty text means the key is absent (validation then says it is missing)."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
        return value or None
    return value


def _set(target: dict, key: str, value: Any) -> None:
    value = _clean(value)
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def number(value: Any) -> int | float:
    """Decimal from a form → int when whole (the YAML reads ``points: 3``, not ``3.0``)."""
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


# --- metadata, variables, start -------------------------------------------------------------

META_KEYS = (
    "title",
    "field",
    "target_groups",
    "titles",
    "legal_basis",
    "as_of",
    "estimated_minutes",
    "pass_mark",
    "rubric_weight",
    "allow_retry",
    "attempts_allowed",
    "grading_method",
)


def set_metadata(doc: dict, data: dict) -> None:
    for key in META_KEYS:
        if key not in data:
            continue
        value = data[key]
        if key in ("target_groups", "titles"):
            value = list(value or []) or None
        _set(doc, key, value)


def parse_variables(text: str) -> dict[str, int]:
    """``name=start`` lines → mapping. Raises LmsError naming the bad line."""
    result: dict[str, int] = {}
    for number_, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not VARIABLE.match(name) or not re.fullmatch(r"\s*[+-]?\d+\s*", value):
            raise LmsError(
                _(
                    "Dòng %(number)s: “%(value)s” phải có dạng ten_bien=0 (số nguyên).",
                    number=number_,
                    value=line.strip(),
                )
            )
        if name in result:
            raise LmsError(_("Dòng %(number)s: biến “%(name)s” khai báo hai lần.", number=number_, name=name))
        result[name] = int(value)
    return result


def format_variables(doc: dict) -> str:
    return "\n".join(f"{k}={v}" for k, v in (doc.get("variables") or {}).items())


def set_variables(doc: dict, variables: dict[str, int]) -> None:
    doc["variables"] = variables
    if not variables:
        doc.pop("variables")


def set_start(doc: dict, node_id: str) -> None:
    find_node(doc, node_id)
    doc["start"] = node_id


# --- nodes ----------------------------------------------------------------------------------


def add_node(doc: dict, node_id: str, kind: str, title: str) -> dict:
    node_id = (node_id or "").strip()
    if not NODE_ID.match(node_id) or len(node_id) > 80:
        raise LmsError(_("Mã nút chỉ gồm chữ không dấu, số, “-” hoặc “_” (tối đa 80 ký tự), ví dụ: buoc-2."))
    if kind not in NODE_KINDS:
        raise LmsError(_("Loại nút không hợp lệ."))
    if node_id in node_ids(doc):
        raise LmsError(_("Mã nút “%(node_id)s” đã có; mỗi nút cần một mã riêng.", node_id=node_id))
    node: dict[str, Any] = {"id": node_id, "kind": kind}
    _set(node, "title", title)
    if kind == "decision":
        node["choices"] = []
    doc.setdefault("nodes", []).append(node)
    if not doc.get("start"):
        doc["start"] = node_id  # the first node is where the scenario begins
    return node


def update_node(doc: dict, node_id: str, data: dict) -> dict:
    """Save the fields of a node's kind; ``next`` must name another existing node."""
    node = find_node(doc, node_id)
    fields = KIND_FIELDS[node["kind"]]
    if "next" in fields:
        check_target(doc, node_id, data.get("next"))
    for key in fields:
        if key in data and key != "choices":
            _set(node, key, data[key])
    return node


def check_target(doc: dict, node_id: str, target: str | None) -> None:
    if not target:
        return
    if target == node_id:
        raise LmsError(_("Một nút không thể dẫn tới chính nó (tình huống chỉ đi tiếp, không quay lại)."))
    if target not in node_ids(doc):
        raise LmsError(_("Nút “%(target)s” không tồn tại; hãy chọn trong danh sách.", target=target))


def referrers(doc: dict, node_id: str) -> list[str]:
    return [n["id"] for n in doc.get("nodes") or [] if n["id"] != node_id and node_id in targets(n)]


def delete_node(doc: dict, node_id: str) -> None:
    find_node(doc, node_id)
    pointing = referrers(doc, node_id)
    if pointing:
        raise LmsError(
            _(
                "Không xóa được nút “%(node_id)s” vì các nút sau đang dẫn tới nó: %(value)s. Hãy "
                "sửa các nút đó để trỏ sang nút khác trước.",
                node_id=node_id,
                value=", ".join(pointing),
            )
        )
    if doc.get("start") == node_id and len(doc["nodes"]) > 1:
        raise LmsError(
            _("Nút “%(node_id)s” là nút bắt đầu; hãy chọn nút bắt đầu khác trước khi xóa.", node_id=node_id)
        )
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != node_id]
    if doc.get("start") == node_id:
        doc["start"] = ""


# --- rubric ---------------------------------------------------------------------------------


def blank_criterion() -> dict:
    return {"criterion": "", "levels": [{"label": "", "points": 0}, {"label": "", "points": 1}]}


def rubric_op(rubric: list[dict], op: str) -> list[dict]:
    """The no-JS add/remove row buttons: add-criterion, del-criterion-I, add-level-I, del-level-I-J."""
    parts = op.split("-")
    try:
        if op == "add-criterion":
            rubric.append(blank_criterion())
        elif op.startswith("del-criterion-"):
            rubric.pop(int(parts[2]))
        elif op.startswith("add-level-"):
            levels = rubric[int(parts[2])]["levels"]
            levels.append({"label": "", "points": (levels[-1]["points"] + 1) if levels else 0})
        elif op.startswith("del-level-"):
            rubric[int(parts[2])]["levels"].pop(int(parts[3]))
    except (IndexError, ValueError, TypeError, KeyError):
        raise LmsError(_("Thao tác trên bảng tiêu chí không hợp lệ; vui lòng tải lại trang.")) from None
    return rubric


# --- choices --------------------------------------------------------------------------------


def parse_effects(text: str, variables: dict) -> dict[str, int]:
    """``var=+1`` lines → ``set`` mapping over declared variables."""
    effects: dict[str, int] = {}
    for number_, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = EFFECT.match(line)
        if not match:
            raise LmsError(
                _(
                    "Dòng %(number)s: “%(value)s” phải có dạng ten_bien=+1 hoặc ten_bien=-1.",
                    number=number_,
                    value=line.strip(),
                )
            )
        name, delta = match.group(1), int(match.group(2))
        if name not in variables:
            raise LmsError(_("Biến “%(name)s” chưa được khai báo; hãy khai báo ở mục Biến trước.", name=name))
        effects[name] = delta
    return effects


def format_effects(choice: dict) -> str:
    return "\n".join(f"{k}={v:+d}" for k, v in (choice.get("set") or {}).items())


def check_condition(text: str | None, variables: dict) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    parsed = parse_condition(text)
    if parsed is None:
        raise LmsError(
            _("Điều kiện “%(text)s” phải có dạng: ten_bien >= 1 (phép so sánh < <= > >= == !=).", text=text)
        )
    if parsed[0] not in variables:
        raise LmsError(_("Biến “%(value)s” trong điều kiện chưa được khai báo.", value=parsed[0]))
    return text


def _decision(doc: dict, node_id: str) -> dict:
    node = find_node(doc, node_id)
    if node["kind"] != "decision":
        raise LmsError(_("Chỉ nút quyết định mới có phương án lựa chọn."))
    node.setdefault("choices", [])
    return node


def save_choice(doc: dict, node_id: str, index: int | None, data: dict) -> int:
    """Add (index None) or replace a choice; returns its index."""
    node = _decision(doc, node_id)
    variables = doc.get("variables") or {}
    check_target(doc, node_id, data.get("next"))
    choice: dict[str, Any] = {}
    _set(choice, "label", data.get("label"))
    choice["points"] = number(data.get("points") or 0)
    for key in ("feedback", "consequence", "next"):
        _set(choice, key, data.get(key))
    effects = parse_effects(data.get("set") or "", variables)
    if effects:
        choice["set"] = effects
    _set(choice, "when", check_condition(data.get("when"), variables))
    if index is None:
        if len(node["choices"]) >= MAX_CHOICES:
            raise LmsError(
                _(
                    "Một quyết định có tối đa %(MAX_CHOICES)s phương án; hãy bớt hoặc gộp phương án.",
                    MAX_CHOICES=MAX_CHOICES,
                )
            )
        node["choices"].append(choice)
        return len(node["choices"]) - 1
    choice_at(doc, node_id, index)
    node["choices"][index] = choice
    return index


def choice_at(doc: dict, node_id: str, index: int) -> dict:
    node = _decision(doc, node_id)
    if not 0 <= index < len(node["choices"]):
        raise LmsError(_("Phương án không tồn tại; vui lòng tải lại trang."))
    return node["choices"][index]


def delete_choice(doc: dict, node_id: str, index: int) -> None:
    choice_at(doc, node_id, index)
    _decision(doc, node_id)["choices"].pop(index)


# --- report and drawing ---------------------------------------------------------------------


@dataclasses.dataclass
class Report:
    errors: list[str]
    warnings: list[str]
    min_points: float | None
    max_points: float | None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bounds(self) -> str:
        return f"{fmt_points(self.min_points)} – {fmt_points(self.max_points)}"


def report(doc: dict, checked: Checked) -> Report:
    return Report(
        errors=[p.message for p in checked.problems],
        warnings=warnings(doc),
        min_points=checked.min_points,
        max_points=checked.max_points,
    )


def warnings(doc: dict) -> list[str]:
    """Advice that does not block submission."""
    found = []
    nodes = doc.get("nodes") or []
    for node in nodes:
        for index, choice in enumerate(node.get("choices") or []):
            if not choice.get("feedback"):
                found.append(
                    f"Nút {node['id']}, phương án {index + 1}: chưa có nhận xét (feedback) "
                    "giải thích cho học viên vì sao lựa chọn đúng/sai."
                )
    if any(n.get("kind") == "response" for n in nodes) and not doc.get("rubric_weight"):
        found.append("Có câu trả lời viết nhưng trọng số tự luận bằng 0: phần viết sẽ không được tính điểm.")
    return found


def outgoing(node: dict) -> list[str]:
    return [t if t else "?" for t in targets(node)]


def draw(doc: dict, href_for=None, binary: str = "dot") -> drawing.Drawing | None:
    """The graph of a possibly unfinished document (``drawing.draw``). Never raises (a broken
    draft must not break a page); without Graphviz the drawing is a text list."""
    return drawing.draw(doc, href_for, binary)
