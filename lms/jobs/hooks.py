"""Jobs other features ask for through ``lms.events``, in the transaction of the change itself.

``records_stale`` (a program's scheme changed: content import, scheme form) → a ``recompute``
job for that program. The job row is written with the change, so it exists exactly when the
change is committed; its id goes to the queue after the commit (``after_commit`` below). Were
the broker unreachable then, the minute sweep hands the queued row over later.

What was asked is listed in ``session.info[ASKED]`` for the caller to tell the person: the
CLI prints it, a view links the job's progress page (``asked_jobs``).
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms import events
from lms.db import utcnow

log = logging.getLogger("lms.jobs")
ASKED = "lms.jobs.asked"  # [(job public id, kind, params)] for the caller
_PENDING = "lms.jobs.pending"  # job ids to hand to the queue after the commit


@events.records_stale.connect
def _recompute_program(session: Session, program_code: str, actor=None) -> None:
    from lms.jobs.services import request_job

    max_attempts = int(current_app.config["LMS_JOB_MAX_ATTEMPTS"]) if has_app_context() else 3
    job, created = request_job(
        session, actor, "recompute", {"program_code": program_code}, utcnow(), max_attempts=max_attempts
    )
    session.info.setdefault(ASKED, []).append((job.public_id, job.kind, job.data))
    if created:
        session.info.setdefault(_PENDING, []).append(job.id)


def asked_jobs(session: Session) -> list[tuple[str, str, dict]]:
    """The jobs asked for in this session's transactions so far (and forget them)."""
    return session.info.pop(ASKED, [])


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    from lms.jobs.queue import enqueue

    for job_id in pending:
        enqueue(current_app._get_current_object(), job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(ASKED, None)
