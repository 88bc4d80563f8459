"""The one rule for every cell the product writes to a CSV or XLSX file.

A text cell that a spreadsheet program would read as a formula (``=``, ``+``, ``-``, ``@``,
also after leading spaces, tabs or line breaks, and their full-width forms) gets a leading
apostrophe, so a cadre named ``=HYPERLINK(...)`` or a planning reason ``+cmd|...`` stays text
(OWASP "CSV injection"). Characters XLSX cannot hold (C0 controls other than tab and line
breaks) are dropped instead of failing the export. Numbers, dates and None pass unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel.speaklater import LazyString

FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
LEADING = " \t\r\n\u3000"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: Any) -> Any:
    if isinstance(value, LazyString):  # a label through the catalog: the text in the request's language
        value = str(value)
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value[:1] in ("\t", "\r", "\n") or value.lstrip(LEADING)[:1] in FORMULA_START:
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]
