"""Backup then restore into an empty database gives the same rows (counts and content hash)."""

from lms import create_app
from lms.cli import upgrade_database
from lms.db import db
from lms.ops.backup import fingerprint
from tests.conftest import fresh_database

USES_DATABASE = True  # makes its own databases (see tests/conftest.fresh_database)


def _app(url):
    return create_app({"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "x" * 32, "TESTING": True})


def test_backup_and_restore_round_trip(tmp_path):
    source_url, drop_source = fresh_database()
    target_url, drop_target = fresh_database()
    source, target = _app(source_url), _app(target_url)
    try:
        with source.app_context():
            upgrade_database()
            from lms import demo

            session = db.new_session()
            demo.load(session)
            session.commit()
            session.close()
            expected = fingerprint(db.engine)
        archive = tmp_path / "lms.backup"
        result = source.test_cli_runner().invoke(args=["backup", str(archive)])
        assert result.exit_code == 0, result.output
        assert archive.stat().st_size > 0
        result = target.test_cli_runner().invoke(args=["restore", "--yes", str(archive)])
        assert result.exit_code == 0, result.output
        with target.app_context():
            restored = fingerprint(db.engine)
        assert restored == expected
        assert expected["cadre_profile"][0] == 30 and expected["user_account"][0] == 6
    finally:
        for app in (source, target):
            db.state(app).engine.dispose()
        drop_source()
        drop_target()


def test_restore_of_a_missing_or_bad_file_is_a_clear_error(tmp_path):
    url, drop = fresh_database()
    app = _app(url)
    try:
        runner = app.test_cli_runner()
        missing = runner.invoke(args=["restore", "--yes", str(tmp_path / "none.backup")])
        assert missing.exit_code == 1 and "backup file not found" in missing.output
        junk = tmp_path / "junk.backup"
        junk.write_bytes(b"this is not a backup")
        bad = runner.invoke(args=["restore", "--yes", str(junk)])
        assert bad.exit_code == 1 and str(junk) in bad.output
    finally:
        db.state(app).engine.dispose()
        drop()
