"""inputs.py reads the programs tables when they exist. Until lms.programs is merged, this
test creates minimal tables with the programs branch's column names inside the test's
transaction (rolled back); once the real tables exist it is skipped (integrator: replace it
with a test over the real models)."""

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from lms.evaluation import inputs, services
from tests.evaluation.helpers import result

DDL = [
    "CREATE TABLE program (id INTEGER PRIMARY KEY, code VARCHAR(80))",
    "CREATE TABLE cohort (id INTEGER PRIMARY KEY, code VARCHAR(80), title VARCHAR(400), program_id INTEGER,"
    " unit_id INTEGER, start_date DATE, end_date DATE)",
    "CREATE TABLE cohort_session (id INTEGER PRIMARY KEY, cohort_id INTEGER)",
    "CREATE TABLE enrollment (id INTEGER PRIMARY KEY, cohort_id INTEGER, profile_id INTEGER)",
    "CREATE TABLE attendance (id INTEGER PRIMARY KEY, enrollment_id INTEGER, session_id INTEGER,"
    " status VARCHAR(20))",
]


@pytest.fixture()
def programs_tables(session, world):
    if inspect(session.connection()).has_table("cohort"):
        pytest.skip("the real lms.programs tables exist")
    for statement in DDL:
        session.execute(text(statement))
    inputs._TABLES.clear()
    yield
    inputs._TABLES.clear()


def test_inputs_read_programs_tables(session, world, factory, programs_tables):
    cadre = factory.profile(unit=world.commune_a)
    other = factory.profile(unit=world.commune_a, name="Người Khác")
    session.execute(text("INSERT INTO program (id, code) VALUES (1, 'p1')"))
    session.execute(
        text(
            "INSERT INTO cohort (id, code, title, program_id, unit_id, start_date, end_date) "
            "VALUES (7, 'k7', 'Lớp 7', 1, :u, :s, :e)"
        ),
        {"u": world.commune_a.id, "s": dt.date(2025, 3, 1), "e": dt.date(2025, 3, 5)},
    )
    for n in range(1, 5):
        session.execute(text("INSERT INTO cohort_session (id, cohort_id) VALUES (:n, 7)"), {"n": n})
    session.execute(
        text("INSERT INTO enrollment (id, cohort_id, profile_id) VALUES (1, 7, :p)"), {"p": cadre.id}
    )
    session.execute(
        text("INSERT INTO enrollment (id, cohort_id, profile_id) VALUES (2, 7, :p)"), {"p": other.id}
    )
    for n in range(1, 5):
        session.execute(
            text(
                "INSERT INTO attendance (id, enrollment_id, session_id, status) VALUES (:n, 1, :n, 'present')"
            ),
            {"n": n},
        )
    session.execute(
        text("INSERT INTO attendance (id, enrollment_id, session_id, status) VALUES (9, 2, 1, 'absent')")
    )
    info = inputs.cohort_info(session, 7)
    assert info["program_code"] == "p1" and info["start_date"] == dt.date(2025, 3, 1)
    assert inputs.attendance_for(session, 7, [cadre.id, other.id]) == {cadre.id: (4, 4), other.id: (0, 4)}
    assert inputs.is_enrolled(session, 7, cadre.id) and not inputs.is_enrolled(session, 8, cadre.id)
    assert inputs.cohort_info(session, 99) is None
    result(session, cadre, "exit", 8.0, cohort_id=7, program=None)
    record = services.recompute(session, cadre.id, 7)
    assert record.certificate and record.year == 2025 and record.program_code == "p1"
    # enrolled cadres without results get a record at finalization too
    assert {c for c, _ in services.pairs_to_evaluate(session, 7)} == {cadre.id, other.id}


def test_inputs_without_programs_tables(session, world, factory):
    cadre = factory.profile(unit=world.commune_a)
    inputs._TABLES.clear()
    assert inputs.attendance_for(session, 1, [cadre.id]) == {}
    assert inputs.cohort_info(session, 1) is None
    assert not inputs.is_enrolled(session, 1, cadre.id)


def test_inspection_uses_the_sessions_own_connection(tmp_path):
    """On SQLite a second connection would wait for this session's write lock."""
    from sqlalchemy.orm import Session

    from lms.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/lock.db")
    try:
        with Session(engine) as session:
            session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            session.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock now
            inputs._TABLES.clear()
            assert inputs.cohort_info(session, 1) is None
            session.rollback()
    finally:
        inputs._TABLES.clear()
        engine.dispose()
