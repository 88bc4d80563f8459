"""Time in a title ("5 năm 5 tháng" on the dossier) in the request's language, plurals in English."""

import datetime as dt

import pytest
from flask_babel import force_locale

from lms.evaluation.dossier import duration_text, time_in_title

CASES = [
    ((5, 5), "5 năm 5 tháng", "5 years 5 months"),
    ((1, 1), "1 năm 1 tháng", "1 year 1 month"),
    ((2, 0), "2 năm 0 tháng", "2 years 0 months"),
    ((0, 7), "7 tháng", "7 months"),
    ((0, 1), "1 tháng", "1 month"),
    ((0, 0), "0 tháng", "0 months"),
]


@pytest.mark.parametrize(("numbers", "vietnamese", "english"), CASES, ids=[c[1] for c in CASES])
def test_duration_in_both_languages(app, numbers, vietnamese, english):
    with app.test_request_context():
        assert duration_text(*numbers) == vietnamese
        with force_locale("en"):
            assert duration_text(*numbers) == english


def test_time_in_title_counts_whole_months(app):
    with app.test_request_context():
        assert time_in_title(dt.date(2021, 6, 15), dt.date(2026, 11, 20)) == "5 năm 5 tháng"
        assert time_in_title(dt.date(2021, 6, 15), dt.date(2026, 11, 14)) == "5 năm 4 tháng"
        assert time_in_title(None, dt.date(2026, 11, 14)) is None
        with force_locale("en"):
            assert time_in_title(dt.date(2025, 12, 1), dt.date(2026, 1, 1)) == "1 month"


def test_outside_a_request_it_stays_vietnamese():
    """CLI and jobs (XLSX dossier made in the background) keep the source language."""
    assert duration_text(3, 2) == "3 năm 2 tháng"
