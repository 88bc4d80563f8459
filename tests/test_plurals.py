"""The count ngettext is given: gettext's plural rules accept whole numbers only."""

import decimal

import pytest

from lms.plurals import count


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (1.0, 1), (decimal.Decimal("1.00"), 1), ("1.00", 1), (0, 0), (7, 7), (1.5, 2), ("2.25", 2),
     (None, 0), ("", 0), ("abc", 2), (float("nan"), 2)],
)  # fmt: skip
def test_count(value, expected):
    assert count(value) == expected


def test_a_fractional_point_reads_plural_in_english(app):
    from flask import render_template_string
    from flask_babel import force_locale

    template = '{{ ngettext("%(p)s điểm", "%(p)s điểm", x | plural, p=x) }}'
    with app.test_request_context(), force_locale("en"):
        assert render_template_string(template, x=1) == "1 point"
        assert render_template_string(template, x=1.5) == "1.5 points"
        assert render_template_string(template, x=0) == "0 points"
