"""Asking for a job, retrying one, and the lists people see. The view commits, then calls
``queue.enqueue`` (the job row exists before any worker can look for it)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit
from lms.errors import LmsError
from lms.jobs.kinds import KINDS
from lms.jobs.models import ACTIVE, Job, JobStatus


def request_job(
    session: Session,
    actor: Any,
    kind: str,
    params: dict,
    now: dt.datetime,
    unit: Any = None,
    max_attempts: int = 3,
) -> tuple[Job, bool]:
    """A new queued job, or the same person's identical job still queued or running (asking
    twice does not run the work twice). Returns (job, created)."""
    if kind not in KINDS:
        raise LmsError(_("Không có loại công việc %(kind)s.", kind=repr(kind)))
    encoded = json.dumps(params, sort_keys=True, ensure_ascii=False)
    owner_id = getattr(actor, "id", None)
    same = session.scalar(
        select(Job)
        .where(Job.kind == kind, Job.params == encoded, Job.owner_id == owner_id, Job.status.in_(ACTIVE))
        .order_by(Job.id.desc())
        .limit(1)
    )
    if same is not None:
        return same, False
    job = Job(
        kind=kind,
        params=encoded,
        owner_id=owner_id,
        unit_id=getattr(unit, "id", None),
        status=JobStatus.queued,
        progress=0,
        attempts=0,
        max_attempts=max_attempts,
        created_at=now,
        enqueued_at=now,
    )
    session.add(job)
    session.flush()
    audit.record(session, actor, "job.request", "job", job.public_id, after={"kind": kind, **params}, now=now)
    return job, True


def retry_job(session: Session, actor: Any, job: Job, now: dt.datetime) -> Job:
    """An admin's retry of a failed (or expired) job: a fresh set of attempts."""
    if not job.retryable():
        raise LmsError(_("Chỉ chạy lại được công việc đã lỗi hoặc đã hết hạn."))
    before = {"status": job.status.value, "attempts": job.attempts, "error": job.error}
    job.status, job.attempts, job.progress, job.step = JobStatus.queued, 0, 0, None
    job.error, job.finished_at, job.enqueued_at = None, None, now
    audit.record(session, actor, "job.retry", "job", job.public_id, before=before, now=now)
    session.flush()
    return job


def by_public_id(session: Session, public_id: str) -> Job | None:
    return session.scalar(select(Job).where(Job.public_id == public_id))


def mine(session: Session, user: Any, limit: int = 20) -> list[Job]:
    return list(
        session.scalars(select(Job).where(Job.owner_id == user.id).order_by(Job.id.desc()).limit(limit))
    )


def listing(session: Session, status: JobStatus | None, limit: int = 100, offset: int = 0) -> list[Job]:
    query = select(Job).order_by(Job.id.desc())
    if status is not None:
        query = query.where(Job.status == status)
    return list(session.scalars(query.limit(limit).offset(offset)))


def counts(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    return {status.value: n for status, n in rows}
