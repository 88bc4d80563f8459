"""The queue engine: Huey (https://huey.readthedocs.io), one instance per app.

Brokers (``LMS_JOB_BROKER``): ``sqlite`` (Huey's own SQLite storage, a file in the instance
folder: the embedded default, no other service), ``postgres`` (Huey's PostgreSQL storage, tables
``huey_*`` in the app's own database), ``redis://...`` (Huey's Redis storage) and ``memory``
(tests). Huey carries job ids and runs the periodic tasks; the ``job`` table holds the state.

Huey deletes a task from the broker when a worker takes it, so a worker killed mid-job would
lose it: the job row's heartbeat is what brings it back (``runner.requeue_stalled``, every
minute and at every worker start).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

log = logging.getLogger("lms.jobs")


class _State:
    def __init__(self, app: Flask):
        self.app = app
        self._huey: Huey | None = None
        self.lock = threading.Lock()
        self.embedded: Consumer | None = None
        self.tasks: dict[str, object] = {}

    def broker(self) -> str:
        setting = (self.app.config.get("LMS_JOB_BROKER") or "").strip()
        if setting:
            return setting
        return "postgres" if self.app.config["LMS_DATABASE_URL"].startswith("postgresql") else "sqlite"

    def queue_file(self) -> Path:
        broker = self.broker()
        if broker.startswith("sqlite:///"):  # an explicit file
            return Path(broker.removeprefix("sqlite:///"))
        return Path(self.app.instance_path) / "jobs-queue.db"

    def describe(self) -> str:
        broker = self.broker()
        if broker.startswith("sqlite"):
            return f"Huey SQLite queue {self.queue_file()}"
        if broker == "postgres":
            return "Huey PostgreSQL queue (tables huey_* in the app's database)"
        if broker.startswith("redis"):
            return f"Huey Redis queue {broker}"
        return "Huey in-memory queue"

    @property
    def huey(self) -> Huey:
        with self.lock:
            if self._huey is None:
                self._huey = self._make()
                self._register(self._huey)
            return self._huey

    def _make(self) -> Huey:
        broker = self.broker()
        if broker == "sqlite" or broker.startswith("sqlite:///"):
            self.queue_file().parent.mkdir(parents=True, exist_ok=True)
            return SqliteHuey("lms", filename=str(self.queue_file()), results=False, utc=True)
        if broker == "postgres":
            from sqlalchemy.engine import make_url

            url = make_url(self.app.config["LMS_DATABASE_URL"]).set(drivername="postgresql")
            return PostgresHuey("lms", dsn=url.render_as_string(hide_password=False), results=False, utc=True)
        if broker.startswith(("redis://", "rediss://", "unix://")):
            return RedisHuey("lms", url=broker, results=False, utc=True)
        if broker == "memory":
            return MemoryHuey("lms", results=False, utc=True)
        raise SystemExit(f"LMS_JOB_BROKER must be sqlite, postgres, redis://... or memory, got {broker!r}")

    def _register(self, huey: Huey) -> None:
        from lms.jobs import runner

        app = self.app

        @huey.task(name="lms.jobs.run")
        def run(job_id: int) -> None:
            with app.app_context():
                runner.run_job(app, job_id)

        @huey.periodic_task(crontab(minute="*"), name="lms.jobs.every_minute")
        def every_minute() -> None:
            with app.app_context():
                runner.every_minute(app)

        @huey.periodic_task(crontab(minute="17"), name="lms.jobs.hourly")
        def hourly() -> None:
            with app.app_context():
                runner.purge_expired(app)

        self.tasks = {"run": run, "every_minute": every_minute, "hourly": hourly}


def state(app: Flask) -> _State:
    return app.extensions["lms_jobs"]


def worker_mode(app: Flask) -> str:
    mode = (app.config.get("LMS_JOB_WORKER") or "").strip()
    if mode:
        return mode
    if app.config.get("TESTING"):
        return "off"
    return "thread" if state(app).broker().startswith("sqlite") else "external"


def init_app(app: Flask) -> None:
    import importlib

    from lms.jobs import hooks  # noqa: F401  (jobs asked for through lms.events)

    app.extensions["lms_jobs"] = _State(app)
    for name in filter(None, (m.strip() for m in str(app.config.get("LMS_JOB_MODULES") or "").split(","))):
        importlib.import_module(name)  # registers more job kinds (lms.jobs.kinds.kind)
    if worker_mode(app) == "thread":

        @app.before_request
        def _start_embedded_worker() -> None:
            start_embedded(app)


def enqueue(app: Flask, job_id: int, delay: float = 0) -> bool:
    """Hand a job id to the broker (after the job row is committed). False when the broker is
    unreachable: the row stays queued and the minute sweep hands it over again."""
    jobs = state(app)
    try:
        task = jobs.huey and jobs.tasks["run"]  # the first use builds Huey and registers the tasks
        if delay > 0:
            task.schedule(args=(job_id,), delay=delay)
        else:
            task(job_id)
    except Exception:  # the broker is down: requeue_stalled will retry
        log.exception("jobs: could not enqueue job %s", job_id)
        return False
    return True


class _ThreadConsumer(Consumer):
    """Huey's consumer without signal handlers (they belong to the web server's main thread)."""

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded(app: Flask) -> None:
    """Start one in-process worker thread (and Huey's scheduler thread) once per process."""
    jobs = state(app)
    if jobs.embedded is not None:
        return
    huey = jobs.huey
    with jobs.lock:
        if jobs.embedded is not None:
            return
        consumer = _ThreadConsumer(huey, workers=1, worker_type="thread", periodic=True, max_delay=2.0)
        consumer.start()
        jobs.embedded = consumer
    from lms.jobs import runner

    def sweep() -> None:  # off the request: a busy SQLite file must not hold up the first page
        with app.app_context():
            try:
                runner.requeue_stalled(app)
            except Exception:
                log.exception("jobs: the start-up check for stalled jobs failed")

    threading.Thread(target=sweep, name="lms-jobs-startup", daemon=True).start()
    log.info("jobs: in-process worker thread on the %s (no other service needed)", jobs.describe())


def make_consumer(app: Flask, workers: int) -> Consumer:
    """The consumer of ``flask --app lms jobs worker``: threads, SIGTERM waits for running jobs."""
    return Consumer(
        state(app).huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        max_delay=2.0,  # an idle worker polls SQLite/Redis at most every 2 s (PostgreSQL: LISTEN)
        graceful_signal="TERM",
        shutdown_timeout=60,
    )


def drain(app: Flask, include_scheduled: bool = True) -> int:
    """Tests and `jobs run-pending`: run everything waiting in the broker in this thread."""
    import datetime as dt

    huey = state(app).huey
    far = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=3650)
    count = 0
    while True:
        if include_scheduled:
            for task in huey.read_schedule(far):
                huey.enqueue(task)
        task = huey.dequeue()
        if task is None:
            return count
        huey.execute(task, timestamp=far if include_scheduled else None)
        count += 1


def stop_embedded(app: Flask) -> None:
    """Stop the in-process worker (tests, before their database is dropped)."""
    jobs = state(app)
    if jobs.embedded is not None:
        jobs.embedded.stop(graceful=True)
        jobs.embedded = None
    if jobs._huey is not None:
        jobs._huey.storage.close()
