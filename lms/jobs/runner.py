"""Running one job: claim → run → write the file under a temporary name → rename → record
completion (status, file, audit) in one transaction. Retries are bounded by ``max_attempts``;
a crash counts as an attempt (the heartbeat stops, ``requeue_stalled`` notices).

Idempotent: a job id handed over twice runs once (the claim is a conditional UPDATE), and a
retried job rewrites the same final file name, replaced atomically.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms import audit
from lms.db import db, utcnow
from lms.errors import LmsError
from lms.jobs.models import Job, JobStatus

log = logging.getLogger("lms.jobs")
STALLED_MESSAGE = "Tiến trình xử lý dừng đột ngột (máy chủ khởi động lại hoặc bị tắt)."


def result_dir(app: Flask) -> Path:
    folder = Path(app.config.get("LMS_JOB_RESULT_DIR") or Path(app.instance_path) / "job-results")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclasses.dataclass
class Output:
    file: str
    name: str
    mime: str
    size: int


class JobContext:
    """What a job kind's ``run`` gets: the session, the job, progress and atomic output."""

    def __init__(self, app: Flask, session: Session, job: Job):
        self.app = app
        self.session = session
        self.job = job
        self.params = job.data
        self.output: Output | None = None
        self.summary: str | None = None

    def progress(self, percent: int, step: str | None = None) -> None:
        """Record progress and commit (ends the job's read transaction: SQLite writers wait on it)."""
        self.job.progress = max(0, min(99, int(percent)))
        self.job.step = step
        self.job.heartbeat_at = utcnow()
        self.session.commit()

    @contextlib.contextmanager
    def output_path(self, ext: str, name: str, mime: str) -> Iterator[Path]:
        """A temporary path to write; renamed to the final name only when the block succeeds."""
        folder = result_dir(self.app)
        final = folder / f"{self.job.public_id}.{ext}"
        temporary = folder / f".{self.job.public_id}.{ext}.{os.getpid()}.tmp"
        for leftover in folder.glob(f".{self.job.public_id}.{ext}.*.tmp"):  # a killed run's
            leftover.unlink(missing_ok=True)
        try:
            yield temporary
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, final)
        finally:
            temporary.unlink(missing_ok=True)
        self.output = Output(final.name, name, mime, final.stat().st_size)

    @contextlib.contextmanager
    def open_output(self, ext: str, name: str, mime: str) -> Iterator[IO[bytes]]:
        with self.output_path(ext, name, mime) as path, open(path, "wb") as handle:
            yield handle

    def save(self, data: bytes, ext: str, name: str, mime: str) -> None:
        with self.open_output(ext, name, mime) as handle:
            handle.write(data)


class Heartbeat:
    """Tells the database every few seconds that the job is alive (its own connection)."""

    def __init__(self, app: Flask, job_id: int):
        self.app, self.job_id = app, job_id
        self.seconds = float(app.config.get("LMS_JOB_HEARTBEAT_SECONDS") or 0)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if self.seconds > 0:
            self.thread = threading.Thread(
                target=self._beat, name=f"job-{self.job_id}-heartbeat", daemon=True
            )
            self.thread.start()
        return self

    def _beat(self) -> None:
        while not self.stop.wait(self.seconds):
            session = db.new_session(self.app)
            try:
                session.execute(
                    update(Job)
                    .where(Job.id == self.job_id, Job.status == JobStatus.running)
                    .values(heartbeat_at=utcnow())
                )
                session.commit()
            except Exception:  # a busy database: the next beat tries again
                log.warning("jobs: heartbeat of job %s failed", self.job_id, exc_info=True)
                session.rollback()
            finally:
                session.close()

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)


def claim(session: Session, job_id: int, now: dt.datetime) -> Job | None:
    """queued → running, one attempt more; None when another worker has it or it is finished."""
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.queued, Job.attempts < Job.max_attempts)
        .values(
            status=JobStatus.running,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            step=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if not claimed:
        return None
    job = session.get(Job, job_id)
    session.refresh(job)
    return job


def run_job(app: Flask, job_id: int, now: Callable[[], dt.datetime] = utcnow) -> str:
    """Run one job to an outcome: "done", "retry", "failed" or "skipped"."""
    from lms.jobs.kinds import KINDS

    session = db.new_session(app)
    try:
        job = claim(session, job_id, now())
        if job is None:
            return "skipped"
        kind = KINDS.get(job.kind)
        if kind is None:
            return _failed(session, job, f"Không có loại công việc {job.kind!r}.", now())
        log.info("jobs: %s %s attempt %s/%s", job.kind, job.public_id, job.attempts, job.max_attempts)
        context = JobContext(app, session, job)
        try:
            with Heartbeat(app, job.id):
                kind.run(context)
        except LmsError as exc:  # the request cannot succeed (a unit removed...): no retry
            session.rollback()
            return _failed(session, session.get(Job, job_id), exc.message, now())
        except Exception as exc:
            log.exception("jobs: %s %s failed", job.kind, job.public_id)
            session.rollback()
            return _retry_or_fail(
                app, session, session.get(Job, job_id), f"{type(exc).__name__}: {exc}", now()
            )
        return _done(app, session, job, context, now())
    finally:
        session.close()


def _done(app: Flask, session: Session, job: Job, context: JobContext, now: dt.datetime) -> str:
    job.status = JobStatus.done
    job.progress = 100
    job.step = context.summary
    job.error = None
    job.finished_at = now
    if context.output is not None:
        out = context.output
        job.result_file, job.result_name, job.result_mime, job.result_size = (
            out.file,
            out.name,
            out.mime,
            out.size,
        )
        job.expires_at = now + dt.timedelta(days=int(app.config["LMS_JOB_RESULT_DAYS"]))
    audit.record(
        session,
        job.owner,
        "job.done",
        "job",
        job.public_id,
        after={"kind": job.kind, "attempts": job.attempts, "file": job.result_name, "size": job.result_size},
        now=now,
    )
    session.commit()
    return "done"


def _failed(session: Session, job: Job, message: str, now: dt.datetime) -> str:
    job.status = JobStatus.failed
    job.error = message[:2000]
    job.finished_at = now
    audit.record(
        session,
        job.owner,
        "job.failed",
        "job",
        job.public_id,
        after={"kind": job.kind, "error": job.error},
        now=now,
    )
    session.commit()
    return "failed"


def _retry_or_fail(app: Flask, session: Session, job: Job, message: str, now: dt.datetime) -> str:
    if job.attempts >= job.max_attempts:
        return _failed(session, job, message, now)
    from lms.jobs.queue import enqueue

    delay = float(app.config["LMS_JOB_RETRY_DELAY_SECONDS"]) * 2 ** (job.attempts - 1)
    job.status = JobStatus.queued
    job.error = message[:2000]
    job.enqueued_at = now + dt.timedelta(seconds=delay)
    session.commit()
    enqueue(app, job.id, delay=delay)
    return "retry"


def requeue_stalled(app: Flask, now: dt.datetime | None = None) -> dict[str, int]:
    """Running jobs whose heartbeat stopped (a killed worker) go back to the queue, or fail when
    their attempts are used up; queued jobs the broker lost (never taken) are handed over again."""
    from lms.jobs.queue import enqueue

    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=int(app.config["LMS_JOB_STALL_SECONDS"]))
    session = db.new_session(app)
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    again: list[int] = []
    try:
        stalled = session.scalars(
            select(Job).where(Job.status == JobStatus.running, Job.heartbeat_at < cutoff).order_by(Job.id)
        ).all()
        for job in stalled:
            if job.attempts >= job.max_attempts:
                _failed(session, job, STALLED_MESSAGE, now)
                counts["failed"] += 1
                continue
            job.status, job.error, job.enqueued_at = JobStatus.queued, STALLED_MESSAGE, now
            audit.record(
                session, None, "job.requeued", "job", job.public_id, after={"attempts": job.attempts}, now=now
            )
            again.append(job.id)
            counts["requeued"] += 1
        lost = session.scalars(
            select(Job).where(Job.status == JobStatus.queued, Job.enqueued_at < cutoff).order_by(Job.id)
        ).all()
        for job in lost:
            job.enqueued_at = now
            again.append(job.id)
            counts["resent"] += 1
        session.commit()
    finally:
        session.close()
    for job_id in again:
        enqueue(app, job_id)
    if counts["requeued"] or counts["failed"]:
        log.warning("jobs: stalled jobs: %s", counts)
    return counts


def close_overdue(app: Flask, now: dt.datetime | None = None) -> int:
    """The periodic `quizzes close-overdue` (was a cron line): idempotent."""
    from lms.quizzes.services import close_overdue as close

    now = now or utcnow()
    session = db.new_session(app)
    try:
        count = close(session, now)
        if count:
            audit.record(
                session, None, "quizzes.close_overdue", "attempt", "*", after={"closed": count}, now=now
            )
        session.commit()
    finally:
        session.close()
    return count


def stats_after_close(app: Flask, now: dt.datetime | None = None) -> list[int]:
    """Ask (as the system) for the statistics of each quiz whose close time has just passed:
    once per close (a quiz_stats job created since the close, whatever became of it, counts),
    so a failing one is not asked for again every minute. Returns the new job ids."""
    from lms.jobs.queue import enqueue
    from lms.jobs.services import request_job
    from lms.quizzes.services import GRACE
    from lms.quizzes.stored_stats import closed_without_stats

    now = now or utcnow()
    session = db.new_session(app)
    created_ids: list[int] = []
    try:
        for quiz in closed_without_stats(session, now, GRACE):
            params = json.dumps({"quiz_id": quiz.id}, sort_keys=True)
            asked = session.scalar(
                select(Job.id).where(
                    Job.kind == "quiz_stats", Job.params == params, Job.created_at >= quiz.closes_at
                ).limit(1)
            )
            if asked is not None:
                continue
            job, created = request_job(
                session,
                None,
                "quiz_stats",
                {"quiz_id": quiz.id},
                now,
                unit=quiz.owner_unit,
                max_attempts=int(app.config["LMS_JOB_MAX_ATTEMPTS"]),
            )
            if created:
                created_ids.append(job.id)
        session.commit()
    finally:
        session.close()
    for job_id in created_ids:
        enqueue(app, job_id)
    return created_ids


def every_minute(app: Flask) -> None:
    for step in (close_overdue, stats_after_close, requeue_stalled):
        try:
            step(app)
        except Exception:  # one failing step must not stop the other
            log.exception("jobs: periodic %s failed", step.__name__)


def purge_expired(app: Flask, now: dt.datetime | None = None) -> int:
    """Remove result files past their time (status → expired) and temporary files a killed
    worker left behind (older than a day)."""
    now = now or utcnow()
    folder = result_dir(app)
    session = db.new_session(app)
    try:
        expired = session.scalars(
            select(Job).where(Job.status == JobStatus.done, Job.expires_at < now).order_by(Job.id)
        ).all()
        for job in expired:
            if job.result_file:
                (folder / job.result_file).unlink(missing_ok=True)
            job.status, job.result_file = JobStatus.expired, None
        session.commit()
    finally:
        session.close()
    for leftover in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < now.timestamp() - 86400:
                leftover.unlink()
    return len(expired)
