"""The job tests run Huey's in-memory broker in the test's own thread (``queue.drain``), so the
work joins the per-test transaction; the subprocess worker tests make their own database."""

from __future__ import annotations

import pytest

import tests.jobs.slow_kind  # noqa: F401  (registers test.slow and test.fail)
from lms.jobs import queue


@pytest.fixture()
def jobs_app(app, tmp_path):
    saved = {
        k: app.config.get(k)
        for k in (
            "LMS_JOB_BROKER",
            "LMS_JOB_HEARTBEAT_SECONDS",
            "LMS_JOB_RETRY_DELAY_SECONDS",
            "LMS_JOB_RESULT_DIR",
        )
    }
    app.config.update(
        LMS_JOB_BROKER="memory",
        LMS_JOB_HEARTBEAT_SECONDS=0,  # a heartbeat thread cannot share the test's connection
        LMS_JOB_RETRY_DELAY_SECONDS=0,
        LMS_JOB_RESULT_DIR=str(tmp_path / "results"),
    )
    state = queue.state(app)
    state._huey = None
    yield app
    state._huey = None
    app.config.update(saved)


@pytest.fixture()
def drain(jobs_app):
    def run() -> int:
        return queue.drain(jobs_app)

    return run
