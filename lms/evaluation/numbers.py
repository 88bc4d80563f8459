"""Decimal helpers shared by schemes, records and assessments: two-decimal rounding and
checked numbers with a readable message (its numbers in the reader's locale on a page, as
Python writes them in the CLI: lms/numerals.py)."""

from __future__ import annotations

import decimal
from typing import Any

from flask_babel import gettext as _

from lms.errors import LmsError
from lms.numerals import written

D = decimal.Decimal
TWO = D("0.01")


def q2(value: Any) -> D:
    return D(str(value)).quantize(TWO, rounding=decimal.ROUND_HALF_UP)


def _number(value: Any, what: str, low: float = 0, high: float = 10) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LmsError(_("%(what)s: “%(value)s” không phải là số.", what=what, value=value)) from None
    if not low <= number <= high:
        raise LmsError(
            _(
                "%(what)s phải nằm trong khoảng %(low)s–%(high)s (đang là %(number)s).",
                what=what,
                low=written(low),
                high=written(high),
                number=written(number),
            )
        )
    return number
