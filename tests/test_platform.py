"""Database, migrations, audit, headers, sanitizer and CLI: the ground everything stands on."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from lms import audit
from lms.audit import AuditEntry
from lms.migrate import upgrade
from lms.models import Base
from lms.sanitize import clean_html, markdown_to_html

USES_DATABASE = True  # makes its own databases (see tests/conftest.fresh_database)


def test_upgrade_head_on_empty_database_matches_models():
    from tests.conftest import fresh_database

    url, drop = fresh_database()
    engine = create_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], diff
        assert "alembic_version" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
        drop()


def test_sqlite_pragmas(app):
    from lms.db import db

    engine = db.state(app).engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_audit_entries_are_append_only(session, world):
    entry = audit.record(session, world.users["admin"], "user.create", "user", 1, after={"x": 1})
    session.flush()
    entry.action = "tampered"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()
    kept = session.get(AuditEntry, entry.id)
    if kept is not None:
        session.delete(kept)
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()


@pytest.mark.parametrize("path", ["/login", "/", "/nowhere"])
def test_security_headers_on_html(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_error_pages_are_vietnamese(client, world, login_as):
    assert "Không tìm thấy trang" in client.get("/khong-co-trang-nay").get_data(as_text=True)
    login_as(world.users["learner"])
    response = client.get("/admin/users")
    assert response.status_code == 403 and "Không có quyền truy cập" in response.get_data(as_text=True)


def test_unexpected_error_is_a_vietnamese_500_page(app, client, monkeypatch):
    import lms.web

    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "core.healthz", lambda: boom())
    response = client.get("/healthz")
    assert response.status_code == 500 and "Lỗi hệ thống" in response.get_data(as_text=True)
    assert lms.web  # the handler lives there


def test_english_is_available(client):
    from tests.fixtures import csrf_token

    token = csrf_token(client)
    client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in" in html


@pytest.mark.parametrize(
    "dirty, forbidden",
    [
        ("<script>alert(1)</script><p>ok</p>", "<script"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', "iframe"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "javascript"),
    ],
)
def test_clean_html_removes_scripting(dirty, forbidden):
    assert forbidden not in clean_html(dirty).lower()


def test_markdown_keeps_vietnamese_and_heading_ids():
    html = markdown_to_html("### Căn cứ pháp lý {#can-cu}\n\n**Luật Đất đai 2024**")
    assert '<h3 id="can-cu">Căn cứ pháp lý</h3>' in html and "<strong>Luật Đất đai 2024</strong>" in html


def test_cli_users_create_and_errors(runner, world, session):
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "clitest",
            "--name",
            "Phan Văn Khải",
            "--role",
            "instructor",
            "--unit",
            world.province.code,
        ]
    )
    assert ok.exit_code == 0 and "created clitest" in ok.output
    bad_unit = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "clitest2",
            "--name",
            "X",
            "--role",
            "learner",
            "--unit",
            "khong-co",
        ]
    )
    assert bad_unit.exit_code == 1 and "no unit with code" in bad_unit.output
    dup = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "clitest",
            "--name",
            "X",
            "--role",
            "learner",
            "--unit",
            world.province.code,
        ]
    )
    assert dup.exit_code == 1 and "đã có người dùng" in dup.output


def test_cli_users_import_missing_file(runner):
    result = runner.invoke(args=["users", "import", "/khong/co/tep.csv"])
    assert result.exit_code == 1 and "/khong/co/tep.csv:0: file not found" in result.output


def test_ids_past_the_integer_column_are_404_not_500(client, world, login_as):
    login_as(world.users["admin"])
    assert client.get(f"/admin/users/{2**40}").status_code == 404
