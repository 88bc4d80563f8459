"""The ``job`` row: what was asked, by whom, for which unit, how far it got and where its file is."""

from __future__ import annotations

import datetime as dt
import enum
import json
import secrets
from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    expired = "expired"  # done, and its file removed after LMS_JOB_RESULT_DAYS


ACTIVE = (JobStatus.queued, JobStatus.running)


def new_job_id() -> str:
    return secrets.token_urlsafe(12)


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("attempts >= 0 AND attempts <= max_attempts", name="attempts_bounded"),
        Index("ix_job_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_job_id)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=20), default=JobStatus.queued, index=True
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    error: Mapped[str | None] = mapped_column(Text)
    result_file: Mapped[str | None] = mapped_column(String(200))  # name inside LMS_JOB_RESULT_DIR
    result_name: Mapped[str | None] = mapped_column(String(200))  # download name
    result_mime: Mapped[str | None] = mapped_column(String(120))
    result_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    enqueued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    owner = relationship("User", lazy="joined")
    unit = relationship("Unit", lazy="joined")

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.params or "{}")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def retryable(self) -> bool:
        return self.status in (JobStatus.failed, JobStatus.expired)
