"""Why a certificate is refused: kept on the record as Vietnamese text, shown in the reader's language.

The text is computed when a record is (re)computed, often by a job or the CLI, so it is stored in
the source language and translated when shown: each part is a catalog string whose Vietnamese form
is parsed back ("chuyên cần 60% < 80% yêu cầu") and rendered through its translation. A text that
matches no part (an old or simulated record, "Dữ liệu mô phỏng") is shown as stored.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.evaluation.models import COMPONENT_LABELS, COMPONENT_NAMES

# (Vietnamese source, the same through the catalog); placeholders are named and filled in order.
NO_ATTENDANCE = ("chưa có dữ liệu điểm danh", _l("chưa có dữ liệu điểm danh"))
LOW_ATTENDANCE = (
    "chuyên cần %(pct)s%% < %(min)s%% yêu cầu",
    _l("chuyên cần %(pct)s%% < %(min)s%% yêu cầu"),
)
NO_EXIT = ("chưa có kết quả kiểm tra đầu ra", _l("chưa có kết quả kiểm tra đầu ra"))
PENDING = ("%(component)s còn bài chờ chấm", _l("%(component)s còn bài chờ chấm"))
BELOW_MIN = ("%(component)s %(score)s < %(min)s", _l("%(component)s %(score)s < %(min)s"))
PARTS = (NO_ATTENDANCE, LOW_ATTENDANCE, NO_EXIT, PENDING, BELOW_MIN)
PREFIX, SUFFIX = "Chưa đủ điều kiện: ", "."
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source(part: tuple, **values) -> str:
    """One part in Vietnamese, as stored."""
    return part[0] % values


def stored_text(parts: list[str]) -> str:
    return PREFIX + "; ".join(parts) + SUFFIX


_COMPONENTS = {label.lower(): code for code, label in COMPONENT_LABELS.items()}
_COMPONENT = "|".join(re.escape(name) for name in sorted(_COMPONENTS, key=len, reverse=True))


def _pattern(message: str) -> re.Pattern:
    pieces = PLACEHOLDER.split(message.replace("%%", "%"))
    regex = "".join(
        re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_COMPONENT if p == 'component' else '.+?'})"
        for i, p in enumerate(pieces)
    )
    return re.compile(regex + r"\Z")


_PATTERNS = [(part, _pattern(part[0])) for part in PARTS]


def _translate_part(text: str) -> str:
    for (_source, message), pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        values = match.groupdict()
        if "component" in values:
            code = _COMPONENTS.get(values["component"])
            if code is None:
                continue
            values["component"] = str(COMPONENT_NAMES[code]).lower()
        return str(message) % values if values else str(message)
    return text


def reason_text(stored: str | None) -> str:
    """The stored reason in the request's language (as stored outside a request)."""
    if not stored:
        return ""
    if not (stored.startswith(PREFIX) and stored.endswith(SUFFIX)):
        return stored
    parts = stored[len(PREFIX) : -len(SUFFIX)].split("; ")
    return _("Chưa đủ điều kiện: %(reasons)s.", reasons="; ".join(_translate_part(p) for p in parts))
