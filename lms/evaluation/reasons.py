"""Why a certificate is refused: kept on the record as Vietnamese text, shown in the reader's language.

The text is computed when a record is (re)computed, often by a job or the CLI, so it is stored in
the source language and translated when shown: each part is a catalog string whose Vietnamese form
is parsed back ("chuyên cần 60% < 80% yêu cầu") and rendered through its translation. A text that
matches no part (an old or simulated record, "Dữ liệu mô phỏng") is shown as stored. The numbers
in it are stored as the code wrote them ("4.00", "66.7") and shown the reader's way, as every page
writes them: a score with two decimals ("4,00 < 5,00", like a quiz score), a percentage with at
most one ("66,7% < 80%").
"""

from __future__ import annotations

import decimal
import re

from babel.numbers import format_decimal
from flask_babel import get_locale
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
# the numbers of a part and how they are shown: a score on the 10-point scale as every page shows
# one (two decimals), a percentage as lms.web._vnpercent does (the record keeps one decimal at most)
SCORE, PERCENT = "#,##0.00", "#,##0.#"
NUMBERS = {LOW_ATTENDANCE[0]: {"pct": PERCENT, "min": PERCENT}, BELOW_MIN[0]: {"score": SCORE, "min": SCORE}}
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


def _number(text: str, pattern: str) -> str:
    """A number as stored ("66.7") in the reader's locale; what is not a number stays as it is."""
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return text
    if not value.is_finite():
        return text
    return format_decimal(value, format=pattern, locale=str(get_locale() or "vi"))


def _translate_part(text: str) -> str:
    for part, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        message = part[1]
        values = match.groupdict()
        for name, pattern in NUMBERS.get(part[0], {}).items():
            values[name] = _number(values[name], pattern)
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
