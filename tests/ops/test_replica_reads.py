"""With LMS_REPLICA_DATABASE_URL set, reports and quiz statistics read from the replica and
every write goes to the primary.

The "replica" here is a copy of the primary taken at one moment (SQLite: the backup API;
PostgreSQL: CREATE DATABASE ... TEMPLATE), to which the primary then adds rows: a replica that
lags. Pages that read the replica show the old numbers, pages without one the new. The real
streaming replica is in tests/ops/test_streaming_replica.py.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from lms import create_app
from lms.audit import AuditEntry
from lms.auth.models import Role
from lms.cli import upgrade_database
from lms.db import ReadOnlySessionError, db
from lms.org.models import CadreProfile, Unit
from lms.quizzes import services as quiz_services
from tests.conftest import fresh_database
from tests.factories import Factory
from tests.fixtures import login
from tests.quizzes.helpers import NOW, make_quiz, single

USES_DATABASE = True  # makes its own databases (see tests/conftest.fresh_database)


def make_app(url: str, replica: str | None = None):
    config = {"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "r" * 32, "TESTING": True}
    if replica:
        config["LMS_REPLICA_DATABASE_URL"] = replica
    return create_app(config)


def dispose(app) -> None:
    state = db.state(app)
    state.engine.dispose()
    if state.replica is not None:
        state.replica.dispose()


def _finished_attempt(session, factory, unit, quiz) -> None:
    learner = factory.user(Role.learner, unit)
    factory.profile(user=learner, name="Trần Thị Bình")
    attempt = quiz_services.start_attempt(session, learner, quiz, NOW)
    quiz_services.submit_attempt(session, attempt, NOW)


def _copy(primary_url: str, primary_app) -> tuple[str, callable]:
    """A snapshot of the primary as another database."""
    dispose(primary_app)  # TEMPLATE needs no other connection to the source
    if primary_url.startswith("sqlite"):
        replica_path = primary_url.removeprefix("sqlite:///") + ".replica"
        with (
            sqlite3.connect(primary_url.removeprefix("sqlite:///")) as source,
            sqlite3.connect(replica_path) as target,
        ):
            source.backup(target)
        return f"sqlite:///{replica_path}", lambda: None
    name = primary_url.rsplit("/", 1)[1] + "_replica"
    admin = create_engine(primary_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{primary_url.rsplit("/", 1)[1]}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return primary_url.rsplit("/", 1)[0] + f"/{name}", drop


def cadres_shown(client, unit_id: int) -> int:
    page = client.get(f"/evaluation/reports?unit_id={unit_id}").get_data(as_text=True)
    found = re.search(r"Số cán bộ trong phạm vi.*?<td[^>]*>[^<]*</td>\s*<td[^>]*>(\d+)</td>", page, re.S)
    assert found, page[:3000]
    return int(found.group(1))


def attempts_shown(client, quiz_public_id: str) -> int:
    page = client.get(f"/quizzes/manage/{quiz_public_id}/stats").get_data(as_text=True)
    found = re.search(r"Số bài đã chấm xong</dt><dd>(\d+)</dd>", page)
    assert found, page[:3000]
    return int(found.group(1))


def populate_before(app) -> dict:
    """3 cadres, a board member and a quiz with one finished attempt (on both databases)."""
    with app.app_context():
        upgrade_database()
        session = db.new_session()
        factory = Factory(session)
        province = factory.unit("Tỉnh Bản Sao", kind="province")
        commune = factory.unit("Xã Bản Sao", parent=province)
        board = factory.user(Role.board, province, username="board-replica")
        for k in range(3):
            factory.profile(unit=commune, name=f"Cán Bộ {k}")
        single(session, code="rep-1")
        quiz = make_quiz(session, province, codes=["rep-1"], code="quiz-replica")
        _finished_attempt(session, factory, commune, quiz)
        session.commit()
        ids = {"province": province.id, "code": province.code, "quiz": quiz.public_id}
        ids["board"] = board.username
        session.close()
    dispose(app)
    return ids


def populate_after(app, ids: dict) -> None:
    """2 more cadres and a second finished attempt (on the primary only, at first)."""
    with app.app_context():
        session = db.new_session()
        factory = Factory(session)
        commune = session.scalar(select(Unit).where(Unit.name == "Xã Bản Sao"))
        for k in range(2):
            factory.profile(unit=commune, name=f"Cán Bộ Mới {k}")
        quiz = quiz_services.quiz_by_public_id(session, ids["quiz"])
        _finished_attempt(session, factory, commune, quiz)
        session.commit()
        session.close()
    dispose(app)


@pytest.fixture()
def lagging_replica():
    """(primary url, replica url, ids): populate_before on both, populate_after on the primary."""
    primary_url, drop_primary = fresh_database()
    primary = make_app(primary_url)
    drops = [drop_primary]
    try:
        ids = populate_before(primary)
        replica_url, drop_replica = _copy(primary_url, primary)
        drops.append(drop_replica)
        populate_after(primary, ids)
        yield primary_url, replica_url, ids
    finally:
        dispose(primary)
        for drop in reversed(drops):
            drop()


def test_reports_and_quiz_statistics_read_the_replica_and_writes_go_to_the_primary(lagging_replica, tmp_path):
    primary_url, replica_url, ids = lagging_replica
    # cadre profiles of the learners count too: 3 + 1 learner on the replica, 5 + 2 on the primary
    without = make_app(primary_url)
    client = without.test_client()
    assert login(client, ids["board"]).status_code == 302
    assert (cadres_shown(client, ids["province"]), attempts_shown(client, ids["quiz"])) == (7, 2)
    dispose(without)

    app = make_app(primary_url, replica_url)
    try:
        client = app.test_client()
        assert login(client, ids["board"]).status_code == 302  # the login itself writes: primary
        assert cadres_shown(client, ids["province"]) == 4
        assert attempts_shown(client, ids["quiz"]) == 1
        export = client.get(f"/evaluation/reports/export.csv?unit_id={ids['province']}")
        assert export.status_code == 200 and "Số cán bộ" in export.data.decode("utf-8-sig")
        with app.app_context():
            primary_session, replica_session = db.new_session(), db.new_read_session()
            audited = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "report.export")
            assert primary_session.scalar(audited) == 1  # the export's audit row: on the primary
            assert replica_session.scalar(audited) == 0
            assert replica_session.scalar(select(func.count()).select_from(CadreProfile)) == 4
            primary_session.close()
            replica_session.close()
        target = tmp_path / "report.csv"
        result = app.test_cli_runner().invoke(
            args=[
                "evaluation",
                "report",
                "--unit",
                ids["code"],
                "--from",
                "2025",
                "--to",
                "2026",
                str(target),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "Tỉnh Bản Sao,4" in target.read_text("utf-8-sig").replace(";", ",")  # the CLI too
    finally:
        dispose(app)


def test_the_replica_session_refuses_writes_twice(lagging_replica):
    primary_url, replica_url, _ids = lagging_replica
    app = make_app(primary_url, replica_url)
    try:
        with app.test_request_context("/"):
            reader = db.read_session
            assert reader is not db.session and reader.get_bind().url.render_as_string(False) == replica_url
            unit = reader.scalar(select(Unit).where(Unit.name == "Xã Bản Sao"))
            unit.name = "Đổi tên"
            with pytest.raises(ReadOnlySessionError, match="write through db.session"):
                reader.flush()
            reader.rollback()
            # below the session too: the connection's transactions are read-only
            with db.state().replica.connect() as conn, pytest.raises(DBAPIError, match="(?i)read.?only"):
                conn.execute(text("UPDATE unit SET name = 'x'"))
    finally:
        dispose(app)


def test_without_a_replica_read_session_is_the_request_session(app):
    with app.test_request_context("/"):
        assert db.read_session is db.session
