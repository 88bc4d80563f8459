"""Reports on a real streaming replica of the local PostgreSQL.

The test makes the replica itself: `pg_basebackup -R` into a temporary folder owned by the
postgres OS user, a small postgresql.conf (port 55432, loopback only), `pg_ctl start` as that
user (`runuser -u postgres --`); it stops the replica and removes the folder whatever happens.
Then: with replay paused on the replica, rows added on the primary are not in the report read
through LMS_REPLICA_DATABASE_URL (so the report reads the replica), the export's audit row lands
on the primary, and a write on the replica's connection is refused; after replay resumes the
report shows the new rows.

Skips with one line where pg_basebackup, pg_ctl or runuser is missing, where we are not root, or
where the primary's pg_hba.conf has no rule for replication connections from 127.0.0.1 (a
`host all ...` line does not cover them: PostgreSQL wants the `replication` keyword, e.g.
`host replication postgres 127.0.0.1/32 trust`; see docs/operations.md)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.fixtures import login
from tests.ops.test_replica_reads import (
    attempts_shown,
    cadres_shown,
    dispose,
    make_app,
    populate_after,
    populate_before,
)

PG_URL = os.environ.get("LMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REPLICA_PORT = 55432
# hot standby refuses to start with fewer of these than the primary has
MATCHED = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
           "max_locks_per_transaction")  # fmt: skip

pytestmark = pytest.mark.nodb  # its own databases on PostgreSQL: once, in the first pass


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _pg_ctl() -> str | None:
    found = shutil.which("pg_ctl")
    candidates = ([found] if found else []) + sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True
    )
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def _replication_rules(conn) -> list[str]:
    rows = conn.execute(
        "SELECT type, database, user_name, address, auth_method FROM pg_hba_file_rules"
        " WHERE error IS NULL AND 'replication' = ANY(database)"
    ).fetchall()
    return [f"{t} {','.join(d)} {','.join(u)} {a or ''} {m}".replace("  ", " ") for t, d, u, a, m in rows]


def _preflight():
    psycopg = pytest.importorskip("psycopg")
    missing = [tool for tool in ("pg_basebackup", "runuser") if not shutil.which(tool)]
    if not _pg_ctl():
        missing.append("pg_ctl")
    if missing:
        pytest.skip(f"{', '.join(missing)} not found: skipping the streaming replica test")
    if os.geteuid() != 0:
        pytest.skip("not root (runuser -u postgres needs it): skipping the streaming replica test")
    try:
        conn = psycopg.connect(_libpq(PG_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: skipping the streaming replica test")
    with conn:
        hba_file = conn.execute("SHOW hba_file").fetchone()[0]
        rules = _replication_rules(conn)
        wal_level = conn.execute("SHOW wal_level").fetchone()[0]
        senders = int(conn.execute("SHOW max_wal_senders").fetchone()[0])
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in MATCHED}
        others = [f"{t} {','.join(d)}" for t, d in conn.execute(
            "SELECT type, database FROM pg_hba_file_rules WHERE error IS NULL").fetchall()]  # fmt: skip
    if not rules:
        pytest.skip(
            f"replication is not allowed: {hba_file} has no rule for the `replication` database "
            f"(it has: {'; '.join(others)}; `all` does not cover replication): add "
            "`host replication postgres 127.0.0.1/32 trust` and reload to run this test"
        )
    if wal_level not in ("replica", "logical") or senders < 1:
        pytest.skip(f"replication is not possible: wal_level={wal_level}, max_wal_senders={senders}")
    return psycopg, settings


def _as_postgres(*command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, timeout=timeout
    )


def _wait(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception:  # noqa: BLE001 - a server still starting answers with errors
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


RULE = "host replication postgres 127.0.0.1/32 trust  # lms test: streaming replica (removed after)\n"


@pytest.fixture()
def replication_rule():
    """Under CI (``CI=true``), as root on the local cluster, allow loopback replication for the
    length of this test only: append one pg_hba rule, reload, and restore the file after."""
    psycopg = pytest.importorskip("psycopg")
    if os.environ.get("CI") != "true" or os.geteuid() != 0:
        yield
        return
    try:
        conn = psycopg.connect(_libpq(PG_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        yield
        return
    with conn:
        if _replication_rules(conn):
            yield
            return
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        original = hba.read_text()
        hba.write_text(original.rstrip("\n") + "\n" + RULE)
        conn.execute("SELECT pg_reload_conf()")
        try:
            yield
        finally:
            hba.write_text(original)
            conn.execute("SELECT pg_reload_conf()")


def test_reports_read_a_streaming_replica_and_writes_stay_on_the_primary(tmp_path, replication_rule):
    psycopg, settings = _preflight()
    pg_ctl = _pg_ctl()
    name = f"lms_stream_{uuid.uuid4().hex[:8]}"
    admin = _libpq(PG_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    primary_url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    replica_url = f"postgresql+psycopg://postgres@127.0.0.1:{REPLICA_PORT}/{name}"
    folder = Path(tempfile.mkdtemp(prefix="lms-replica-"))
    data = folder / "data"
    shutil.chown(folder, "postgres", "postgres")
    started = False
    apps = []
    try:
        primary = make_app(primary_url)
        apps.append(primary)
        ids = populate_before(primary)

        port = PG_URL.rsplit(":", 1)[1].split("/")[0]
        backup = _as_postgres("pg_basebackup", "-h", "127.0.0.1", "-p", port, "-U", "postgres",
                              "-D", str(data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        assert backup.returncode == 0, backup.stderr
        assert (data / "standby.signal").exists()  # -R: a standby, primary_conninfo written
        conf = [
            f"port = {REPLICA_PORT}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{folder}'",
            "hot_standby = on",
            f"hba_file = '{folder}/pg_hba.conf'",
            f"ident_file = '{folder}/pg_ident.conf'",
            *(f"{key} = {value}" for key, value in settings.items()),
        ]
        (data / "postgresql.conf").write_text("\n".join(conf) + "\n")
        (folder / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (folder / "pg_ident.conf").write_text("")
        for path in (data / "postgresql.conf", folder / "pg_hba.conf", folder / "pg_ident.conf"):
            shutil.chown(path, "postgres", "postgres")
        start = _as_postgres(
            pg_ctl, "-D", str(data), "-l", str(folder / "replica.log"), "-w", "-t", "60", "start"
        )
        started = True
        assert start.returncode == 0, start.stdout + start.stderr + _log(folder)

        replica = _wait(
            lambda: psycopg.connect(_libpq(replica_url), autocommit=True, connect_timeout=3), "replica"
        )
        with replica, psycopg.connect(_libpq(primary_url), autocommit=True) as primary_conn:
            assert replica.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True

            def caught_up() -> bool:
                target = primary_conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
                return replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()[
                    0
                ]

            _wait(caught_up, "the replica to catch up")
            replica.execute("SELECT pg_wal_replay_pause()")
            _wait(lambda: replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] == "paused",
                  "replay to pause")  # fmt: skip
            populate_after(primary, ids)  # on the primary only, while the replica waits

            app = make_app(primary_url, replica_url)
            apps.append(app)
            client = app.test_client()
            assert login(client, ids["board"]).status_code == 302
            assert cadres_shown(client, ids["province"]) == 4  # the replica's numbers, not 7
            assert attempts_shown(client, ids["quiz"]) == 1  # not 2
            export = client.get(f"/evaluation/reports/export.csv?unit_id={ids['province']}")
            assert export.status_code == 200
            audited = "SELECT count(*) FROM audit_entry WHERE action = 'report.export'"
            assert primary_conn.execute(audited).fetchone()[0] == 1
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                replica.execute("UPDATE unit SET name = 'x'")

            replica.execute("SELECT pg_wal_replay_resume()")
            _wait(caught_up, "the replica to catch up again")
            assert replica.execute(audited).fetchone()[0] == 1  # the write reached it by replication
            assert cadres_shown(client, ids["province"]) == 7
            assert attempts_shown(client, ids["quiz"]) == 2
    finally:
        for app in apps:
            dispose(app)
        if started:
            stop = _as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "-t", "60", "stop")
            assert stop.returncode == 0 or "not running" in stop.stderr, stop.stderr
        shutil.rmtree(folder, ignore_errors=True)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _log(folder: Path) -> str:
    log = folder / "replica.log"
    return log.read_text()[-2000:] if log.exists() else ""
