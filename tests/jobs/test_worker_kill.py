"""A real worker (`flask --app lms jobs worker`, a subprocess) killed with SIGKILL mid-job:
no half-written file appears under the final name, the job is retried to completion by the
next worker, and SIGTERM stops a worker cleanly. Runs on SQLite (Huey's SQLite queue) and on
PostgreSQL (Huey's PostgreSQL queue in the same database), per LMS_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.jobs.slow_kind import CHUNK, CHUNKS

USES_DATABASE = True
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def world_db(tmp_path):
    from lms import create_app
    from lms.cli import upgrade_database
    from lms.db import db, utcnow
    from lms.jobs.services import request_job
    from tests.conftest import fresh_database

    url, drop = fresh_database()
    config = {
        "LMS_DATABASE_URL": url,
        "LMS_SECRET_KEY": "kill-test",
        "LMS_JOB_RESULT_DIR": str(tmp_path / "results"),
        "LMS_JOB_MODULES": "tests.jobs.slow_kind",
        "LMS_JOB_STALL_SECONDS": "2",
        "LMS_JOB_HEARTBEAT_SECONDS": "1",
        "LMS_JOB_WORKER": "external",
    }
    if url.startswith("sqlite"):
        config["LMS_JOB_BROKER"] = f"sqlite:///{tmp_path / 'queue.db'}"
    app = create_app(dict(config))
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        upgrade_database()
        session = db.new_session()
        job, _ = request_job(session, None, "test.slow", {"pause": 0.15}, utcnow(), max_attempts=3)
        session.commit()
        job_id = job.id
        session.close()
        from lms.jobs import queue

        assert queue.enqueue(app, job_id)
    env = {**os.environ, **config, "PYTHONPATH": str(ROOT), "FLASK_APP": "lms"}
    yield app, env, job_id, Path(config["LMS_JOB_RESULT_DIR"])
    from lms.jobs import queue

    if queue.state(app)._huey is not None:
        queue.state(app).huey.storage.close()
    db.state(app).engine.dispose()
    drop()


def _worker(env, tmp: Path, name: str) -> subprocess.Popen:
    log = open(tmp / f"{name}.log", "wb")
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "lms", "jobs", "worker", "--threads", "1"],
        env=env,
        cwd=tmp,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _job(app, job_id):
    from lms.db import db
    from lms.jobs.models import Job

    session = db.new_session(app)
    try:
        return session.get(Job, job_id)
    finally:
        session.close()


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_leaves_no_half_file_and_the_job_is_retried(world_db, tmp_path):
    app, env, job_id, results = world_db
    first = _worker(env, tmp_path, "first")
    try:
        _wait(
            lambda: (j := _job(app, job_id)).status.value == "running" and j.progress >= 20,
            60,
            "the job to be well under way",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    job = _job(app, job_id)
    assert job.status.value == "running" and job.attempts == 1  # as the killed worker left it
    final = results / f"{job.public_id}.txt"
    assert not final.exists(), "a half-written file under the final name"
    assert list(results.glob(".*.tmp")), "the killed run wrote to a temporary name"

    time.sleep(2.5)  # the heartbeat is now older than LMS_JOB_STALL_SECONDS
    second = _worker(env, tmp_path, "second")
    try:
        done = _wait(
            lambda: (j := _job(app, job_id)).status.value in ("done", "failed") and j,
            90,
            "the retried job to finish",
        )
        assert done.status.value == "done", done.error
        assert done.attempts == 2 and done.error is None
        assert final.read_bytes() == CHUNK * CHUNKS  # whole, not appended to the first run's part
        assert not list(results.glob(".*.tmp"))
        second.send_signal(signal.SIGTERM)  # systemd's stop: graceful
        assert second.wait(30) == 0
    finally:
        if second.poll() is None:
            second.kill()
    log = (tmp_path / "second.log").read_text()
    assert "1 stalled jobs requeued" in log, log
