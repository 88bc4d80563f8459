"""``flask --app lms jobs ...``: the worker (systemd runs it), and operator helpers."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs (reports, exports, backups, periodic close-overdue).")


@jobs_cli.command("worker")
@click.option("--threads", type=click.IntRange(1, 32), default=2, show_default=True, help="Jobs run at once.")
def worker_command(threads: int) -> None:
    """Run jobs and the periodic tasks until SIGTERM (which lets running jobs finish, up to 60 s).

    On start, jobs a killed worker left running (heartbeat older than LMS_JOB_STALL_SECONDS) go
    back to the queue."""
    from lms.jobs import queue, runner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()
    click.echo(f"jobs worker: {queue.state(app).describe()}, {threads} thread(s)")
    click.echo("periodic: close-overdue and stalled-job check every minute, expired results hourly")
    counts = runner.requeue_stalled(app)
    click.echo(
        f"on start: {counts['requeued']} stalled jobs requeued, {counts['failed']} failed, "
        f"{counts['resent']} waiting jobs handed over again"
    )
    queue.make_consumer(app, threads).run()


@jobs_cli.command("run-pending")
def run_pending_command() -> None:
    """Run every job waiting in the queue in this process, then exit (tests, one-off use)."""
    from lms.jobs import queue

    count = queue.drain(current_app._get_current_object())
    click.echo(f"{count} tasks run")


@jobs_cli.command("list")
@click.option("--status", type=click.Choice(["queued", "running", "done", "failed", "expired"]), default=None)
def list_command(status: str | None) -> None:
    """The newest 100 jobs: id, kind, status, progress, attempts, owner."""
    from lms.db import db
    from lms.jobs.models import JobStatus
    from lms.jobs.services import listing

    session = db.new_session()
    try:
        for job in listing(session, JobStatus(status) if status else None):
            owner = job.owner.username if job.owner else "-"
            click.echo(
                f"{job.public_id}\t{job.kind}\t{job.status.value}\t{job.progress}%\t"
                f"{job.attempts}/{job.max_attempts}\t{owner}\t{job.error or ''}"
            )
    finally:
        session.close()


commands = [jobs_cli]
