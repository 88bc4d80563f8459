"""Migration 20261203_0015 turns the old review booleans into time masks: True = every time (7),
False = never (0); the downgrade maps any time back to True. Runs on SQLite and PostgreSQL."""

from sqlalchemy import create_engine, text

from lms.migrate import alembic_config, upgrade

USES_DATABASE = True  # makes its own database (see tests/conftest.fresh_database)

QUIZ = (
    "INSERT INTO quiz (public_id, code, title, version, purpose, owner_unit_id, attempts_allowed,"
    " grading_method, pass_mark, shuffle_questions, shuffle_choices, navigation, review_score,"
    " review_right_answers, review_feedback, settings_digest, created_at) VALUES (:p, :c, 'T', 1,"
    " 'entrance', 1, 1, 'highest', 5, false, true, 'one_page', :s, :r, :f, '', CURRENT_TIMESTAMP)"
)


def test_booleans_become_time_masks_and_back():
    from alembic import command

    from tests.conftest import fresh_database

    url, drop = fresh_database()
    engine = create_engine(url)
    try:
        upgrade(engine, "20261203_0016")
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO unit (id, code, name, kind, path) VALUES (1, 'x', 'X', 'commune', '/1/')")
            )
            conn.execute(text(QUIZ), {"p": "a", "c": "qa", "s": True, "r": False, "f": True})
            conn.execute(text(QUIZ), {"p": "b", "c": "qb", "s": False, "r": True, "f": False})
        upgrade(engine, "20261203_0015")
        query = (
            "SELECT code, review_score_when, review_right_answers_when, review_feedback_when"
            " FROM quiz ORDER BY code"
        )
        with engine.connect() as conn:
            assert [tuple(row) for row in conn.execute(text(query))] == [("qa", 7, 0, 7), ("qb", 0, 7, 0)]
        with engine.begin() as conn:
            conn.execute(text("UPDATE quiz SET review_right_answers_when = 4 WHERE code = 'qa'"))
        command.downgrade(alembic_config(engine), "20261203_0016")
        query = "SELECT code, review_score, review_right_answers, review_feedback FROM quiz ORDER BY code"
        with engine.connect() as conn:
            rows = [(code, bool(s), bool(r), bool(f)) for code, s, r, f in conn.execute(text(query))]
        assert rows == [("qa", True, True, True), ("qb", False, True, False)]
    finally:
        engine.dispose()
        drop()
