"""Every statistics table a board reads adds up to its population, on generated data of any shape.

The generated cadres hold any mix of qualifications, several of the same kind and several levels
of equal rank (cao cấp, cử nhân, cao cấp – hành chính are all rank 3 in political theory), with or
without a title, in either commune: the case that once counted a cadre three times and showed
"Chưa có −10".
"""

from __future__ import annotations

import numbers

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lms.evaluation import reports
from lms.org.models import QualificationLevel

TITLES = [None, "chu-tich-ubnd", "bi-thu-dang-uy", "chu-tich-hdnd"]
KINDS = ("professional", "political", "state_mgmt")


def assert_adds_up(table: reports.Table) -> None:
    for row in table.rows:
        for cell in row[1:]:
            if isinstance(cell, numbers.Number):
                assert cell >= 0, (table.key, row)
    if table.population is None:
        return
    *body, total = table.rows
    assert total[0] == "Tổng số", table.key
    for column in table.count_columns:
        assert sum(row[column] for row in body) == table.population == total[column], (table.key, column)
    if table.key.startswith("title-"):
        for row in table.rows:  # the levels and "Chưa có" of each title add up to its total
            assert sum(row[1:-1]) == row[-1], (table.key, row)


cadre = st.fixed_dictionaries(
    {
        "title": st.sampled_from(TITLES),
        "commune": st.sampled_from("ab"),
        "levels": st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 20)), max_size=6),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cadres=st.lists(cadre, max_size=12))
def test_every_table_adds_up_to_its_population(session, world, factory, cadres):
    levels = select(QualificationLevel).order_by(QualificationLevel.id)
    vocabulary = {
        kind: list(session.scalars(levels.where(QualificationLevel.kind == kind))) for kind in KINDS
    }
    savepoint = session.begin_nested()
    try:
        for number, spec in enumerate(cadres):
            qualifications = []
            for kind, index in spec["levels"]:
                levels = vocabulary[kind]
                qualifications.append((kind, levels[index % len(levels)].code))
            factory.profile(
                unit=world.commune_a if spec["commune"] == "a" else world.commune_b,
                title=spec["title"],
                name=f"Cán bộ {number}",
                qualifications=qualifications,
            )
        session.flush()
        for unit in (world.province, world.commune_a):
            tables = reports.build(session, unit, 2022, 2026)
            people = reports.cadre_count(session, unit)
            for table in tables:
                assert_adds_up(table)
                if table.key.startswith(("level-", "title-")):
                    assert table.population == people, table.key
    finally:
        savepoint.rollback()


def test_equal_rank_levels_count_a_cadre_once(session, world, factory):
    """Cử nhân and cao cấp share rank 3: the cadre holding both is one person, not two."""
    factory.profile(unit=world.commune_a, qualifications=[("political", "cu-nhan"), ("political", "cao-cap")])
    factory.profile(unit=world.commune_a, name="Người thứ hai")
    tables = {t.key: t for t in reports.build(session, world.commune_a, 2022, 2026)}
    political = tables["level-political"]
    assert [row[1] for row in political.rows] == [1, 1, 2]  # one level, "Chưa có", total
    assert political.rows[-2][0] == "Chưa có"
