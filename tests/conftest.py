"""One app and one fresh database per test session (built by the real migrations); every
test runs inside a transaction that is rolled back, the app's commits becoming savepoints.

LMS_TEST_DATABASE_URL: "sqlite" (default: a temporary file) or a PostgreSQL URL, used as an
admin connection to create and later drop a database of our own.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lms import create_app
from lms.db import db as lms_db
from tests.factories import Factory

pytest_plugins = ["tests.fixtures", "tests.browser"]


def _database_urls() -> tuple[str, callable]:
    """A fresh database URL for this session, and a function that drops it."""
    setting = os.environ.get("LMS_TEST_DATABASE_URL", "sqlite")
    if setting == "sqlite":
        folder = tempfile.mkdtemp(prefix="lms-test-")
        return f"sqlite:///{folder}/test.db", lambda: None
    name = f"lms_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(setting, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    base = setting.rsplit("/", 1)[0]
    return f"{base}/{name}", drop


def fresh_database() -> tuple[str, callable]:
    return _database_urls()


@pytest.fixture(scope="session")
def database_url():
    url, drop = _database_urls()
    yield url
    drop()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from lms.cli import upgrade_database

    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "LMS_DATABASE_URL": database_url,
            "LMS_SECRET_KEY": "test-" + secrets.token_hex(8),
            "TESTING": True,
        }
    )
    application.instance_path = str(instance)
    with application.app_context():
        upgrade_database()
    yield application
    lms_db.state(application).engine.dispose()


@pytest.fixture()
def connection(app):
    """The per-test transaction every session of the app joins (rolled back at the end)."""
    with lms_db.state(app).engine.connect() as conn:
        outer = conn.begin()
        lms_db.bind_to(conn, app)
        yield conn
        if outer.is_active:
            outer.rollback()
    lms_db.bind_to(None, app)


@pytest.fixture()
def session(app, connection):
    s = lms_db.new_session(app)
    yield s
    s.close()


@pytest.fixture()
def client(app, connection):
    return app.test_client()


@pytest.fixture()
def factory(session) -> Factory:
    return Factory(session)


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


DATABASE_FIXTURES = {"app", "connection", "session", "client", "runner", "database_url", "live_server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.e2e)
        # Tests that touch no database give the same answer on both passes: the PostgreSQL
        # pass deselects them (-m "not nodb"). A module that makes its own databases says so.
        uses_db = DATABASE_FIXTURES & set(item.fixturenames) or getattr(item.module, "USES_DATABASE", False)
        if not uses_db:
            item.add_marker(pytest.mark.nodb)
