"""The board's SQL standard-gap flags agree with lms.org.services.standard_gaps."""

import datetime as dt

import pytest
from sqlalchemy import true

from lms.evaluation.board import BoardFilters, board_query
from lms.org.services import standard_gaps

PROFILES = [
    ("chu-tich-ubnd", [("education", "thpt"), ("professional", "cao-dang")], dt.date(2021, 1, 1)),
    ("chu-tich-ubnd", [("education", "thpt"), ("professional", "thac-si"), ("political", "cao-cap")], None),
    ("tu-phap-ho-tich", [("education", "thpt")], dt.date(2019, 5, 1)),
    ("bi-thu-dang-uy", [], dt.date(2025, 9, 1)),
    ("chu-tich-ubnd", [], None),
    (None, [], None),
]


@pytest.mark.parametrize("today", [dt.date(2020, 1, 1), dt.date(2026, 11, 23), dt.date(2028, 9, 1)])
def test_sql_gap_flags_match_python(session, world, factory, today):
    profiles = [
        factory.profile(
            unit=world.commune_a, title=title, qualifications=quals, title_since=since, name=f"P{n}"
        )
        for n, (title, quals, since) in enumerate(PROFILES)
    ]
    rows = {row.id: row for row in session.execute(board_query(true(), BoardFilters(), today))}
    for profile in profiles:
        gaps = standard_gaps(session, profile, today)
        row = rows[profile.id]
        assert bool(row.has_gap) == bool(gaps), (profile.full_name, today)
        assert bool(row.overdue) == any(g.overdue for g in gaps), (profile.full_name, today)
