"""The number ngettext chooses a plural form by.

gettext's plural rules take whole numbers only (a float such as 1.5 raises TypeError), but points
and scores may be fractions: a whole value counts as itself, a fraction as 2 (English writes
"1.5 points"), a missing value as 0. Used as the ``plural`` filter in templates
(``ngettext("%(p)s điểm", "%(p)s điểm", x | plural, p=x | score)``) and from Python.
"""

from __future__ import annotations

import decimal


def count(value) -> int:
    if value is None or value == "":
        return 0
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return 2
    if not number.is_finite():
        return 2
    return int(number) if number == number.to_integral_value() else 2
