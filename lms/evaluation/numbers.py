"""Decimal helpers shared by schemes, records and assessments: two-decimal rounding and
checked numbers with a readable message."""

from __future__ import annotations

import decimal
from typing import Any

from lms.errors import LmsError

D = decimal.Decimal
TWO = D("0.01")


def q2(value: Any) -> D:
    return D(str(value)).quantize(TWO, rounding=decimal.ROUND_HALF_UP)


def _number(value: Any, what: str, low: float = 0, high: float = 10) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LmsError(f"{what}: “{value}” không phải là số.") from None
    if not low <= number <= high:
        raise LmsError(f"{what} phải nằm trong khoảng {low:g}–{high:g} (đang là {number:g}).")
    return number
