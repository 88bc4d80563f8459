"""Field-level checks of a scenario document: the ``Report`` every check writes to, the
generic checks of one field (known keys, text, number, list of reference codes) and the
document's own fields (metadata and variables).

Every check is a plain function that takes the ``Report`` first and appends
``FileProblem(path, line, message)`` to it; none stops at the first problem, so an author sees
them all at once. The node checks (``validate_nodes``) and the graph checks
(``validate_structure``) build on the generic checks here; ``validate`` runs them in order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from functools import lru_cache

from flask_babel import gettext as _

from lms.errors import FileProblem
from lms.safe_yaml import short
from lms.scenarios.validate_yaml import LDict, line_of

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


@dataclasses.dataclass
class Report:
    """Where the checks report: the problems of one file, each with its line."""

    path: str
    problems: list[FileProblem]

    def error(self, line: int, message: str) -> None:
        self.problems.append(FileProblem(self.path, line, message))


@lru_cache(maxsize=1)
def known_codes() -> dict[str, frozenset[str]]:
    from lms.org.services import load_reference_data

    data = load_reference_data()
    return {
        "titles": frozenset(t["code"] for t in data["titles"]),
        "target_groups": frozenset(g["code"] for g in data["target_groups"]),
    }


# -- generic checks of one field


def keys(report: Report, obj: LDict, spec: dict[str, bool], where: str) -> None:
    for key in obj:
        if key not in spec:
            report.error(
                line_of(obj, key),
                _("%(where)s: khóa %(key)s không có trong định dạng", where=where, key=short(key)),
            )
    for key, required in spec.items():
        if required and key not in obj:
            report.error(
                line_of(obj), _("%(where)s: thiếu khóa bắt buộc %(key)s", where=where, key=short(key))
            )


def text(report: Report, obj: LDict, key: str, where: str, required: bool = True) -> None:
    if key not in obj:
        return
    value = obj[key]
    if not isinstance(value, str) or (required and not value.strip()):
        report.error(
            line_of(obj, key),
            _("%(where)s: %(key)s phải là văn bản, không để trống", where=where, key=short(key)),
        )


def number(
    report: Report, obj: LDict, key: str, where: str, low: float | None = None, high: float | None = None
):
    if key not in obj:
        return None
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        report.error(
            line_of(obj, key),
            _("%(where)s: %(key)s phải là một số (hữu hạn)", where=where, key=short(key)),
        )
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        report.error(
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


def codes(report: Report, obj: LDict, key: str, known: frozenset[str]) -> None:
    if key not in obj:
        return
    value = obj[key]
    if not isinstance(value, list):
        report.error(line_of(obj, key), _("%(key)s phải là một danh sách mã", key=short(key)))
        return
    for index, code in enumerate(value):
        if not isinstance(code, str) or code not in known:
            report.error(
                line_of(value, index, line_of(obj, key)),
                _("%(key)s: không có mã %(code)s", key=key, code=short(code)),
            )


# -- the document's own fields


def metadata(report: Report, doc: LDict) -> None:
    code = doc.get("code")
    if "code" in doc and (not isinstance(code, str) or not SLUG.match(code) or len(code) > MAX_ID):
        report.error(
            line_of(doc, "code"),
            _("code phải viết thường, không dấu, nối bằng dấu gạch ngang, như 'tranh-chap-dat-dai'"),
        )
    for key in ("title", "legal_basis"):
        text(report, doc, key, _("tình huống"))
    if "field" in doc and doc["field"] not in FIELDS:
        report.error(line_of(doc, "field"), _("không có mã lĩnh vực %(code)s", code=short(doc["field"])))
    known = known_codes()
    codes(report, doc, "target_groups", known["target_groups"])
    codes(report, doc, "titles", known["titles"])
    if "as_of" in doc and not isinstance(doc["as_of"], dt.date):
        report.error(line_of(doc, "as_of"), _("as_of phải là một ngày, như 2026-11-01"))
    minutes = doc.get("estimated_minutes")
    if "estimated_minutes" in doc and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600
    ):
        report.error(line_of(doc, "estimated_minutes"), _("estimated_minutes phải là số nguyên từ 1 đến 600"))
    number(report, doc, "pass_mark", _("tình huống"), 0, 10)
    number(report, doc, "rubric_weight", _("tình huống"), 0, 1)
    if "allow_retry" in doc and not isinstance(doc["allow_retry"], bool):
        report.error(line_of(doc, "allow_retry"), _("allow_retry phải là true hoặc false"))
    attempts = doc.get("attempts_allowed")
    if "attempts_allowed" in doc and (
        isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0
    ):
        report.error(
            line_of(doc, "attempts_allowed"), _("attempts_allowed phải từ 0 (không giới hạn) trở lên")
        )
    if "grading_method" in doc and doc["grading_method"] not in GRADING_METHODS:
        report.error(
            line_of(doc, "grading_method"),
            _("grading_method phải là một trong %(values)s", values=", ".join(GRADING_METHODS)),
        )


def variables(report: Report, doc: LDict) -> set[str]:
    """The declared variable names (checked: names, integer start values within the limits)."""
    value = doc.get("variables")
    if value is None:
        return set()
    if not isinstance(value, dict):
        report.error(line_of(doc, "variables"), _("variables phải là một ánh xạ tên: giá trị đầu"))
        return set()
    for name, start in value.items():
        if not isinstance(name, str) or not VARIABLE.match(name):
            report.error(line_of(value, name), _("tên biến %(name)s không hợp lệ", name=short(name)))
        if isinstance(start, bool) or not isinstance(start, int) or abs(start) > MAX_VARIABLE:
            report.error(
                line_of(value, name),
                _(
                    "biến %(name)s cần giá trị đầu là số nguyên từ -%(max)s đến %(max)s",
                    name=short(name),
                    max=MAX_VARIABLE,
                ),
            )
    return {n for n in value if isinstance(n, str)}
