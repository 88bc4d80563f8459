"""A number the code writes into a sentence (a message, a label), in the reader's locale.

Python writes ``format(2.5, "g")`` as "2.5" whatever the page's language; a Vietnamese page writes
"2,5" (templates use the ``vnnumber`` filter of lms/web.py). ``localized`` keeps the digits Python
writes ("2.5", "10", "0.125") and puts them in the current locale: "2,5" on a Vietnamese page,
"2.5" on an English one, Vietnamese outside a request (as ``lms.web.select_locale``).
``written`` is the same on a page, but outside a request (the CLI, a job) it returns
``format(value, "g")`` unchanged, so what a command prints stays as it was: the CLI's output is
an interface.
"""

from __future__ import annotations

import decimal

from babel.numbers import format_decimal
from flask import has_request_context
from flask_babel import get_locale


def localized(value: float | int | decimal.Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value, "g")
    number = decimal.Decimal(text)
    if not number.is_finite():
        return text
    places = max(0, -number.as_tuple().exponent)
    pattern = "#,##0." + "#" * places if places else "#,##0"
    return format_decimal(number, format=pattern, locale=str(get_locale() or "vi"))


def written(value: float | int | decimal.Decimal | None) -> str:
    if value is None:
        return "—"
    return localized(value) if has_request_context() else format(value, "g")


def score(value: float | int | decimal.Decimal) -> str:
    """A score on the 10-point scale as every page shows it: two decimals in the reader's locale
    ("8,50" on a Vietnamese page, "8.50" on an English one; the ``vnnumber`` filter's default)."""
    number = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
    return format_decimal(number, format="#,##0.00", locale=str(get_locale() or "vi"))


def with_decimal_sign(text: str) -> str:
    """A number Python wrote as text ("0.5", "33.3") with the reader's decimal sign: "0,5" in
    Vietnamese (outside a request too, as before), "0.5" in English. For numbers that go back into
    a form (the parsers read either sign), where the digits must stay as written."""
    return text.replace(".", ",") if str(get_locale() or "vi").startswith("vi") else text
