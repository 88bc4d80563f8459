from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, UTCDateTime, utcnow
from lms.org.models import CadreProfile, new_public_id

RESULT_KINDS = ("quiz", "scenario")
PURPOSES = ("practice", "entrance", "exit", "final", "scenario")
PURPOSE_LABELS = {
    "practice": _l("Luyện tập"),
    "entrance": _l("Kiểm tra đầu vào"),
    "exit": _l("Kiểm tra đầu ra"),
    "final": _l("Kiểm tra cuối khóa"),
    "scenario": _l("Xử lý tình huống"),
}


class Result(Base):
    """One finished attempt or scenario run, scored on 10.

    ``(kind, origin_id)`` is unique: an attempt yields exactly one result, which later
    grading (essays, rubrics) updates in place, with an audit entry for every change.
    """

    __tablename__ = "result"
    __table_args__ = (
        UniqueConstraint("kind", "origin_id"),
        Index("ix_result_cadre_finished", "cadre_id", "finished_at"),
        Index("ix_result_source", "kind", "source_id", "source_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    origin_id: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[int] = mapped_column(Integer)
    source_version: Mapped[int] = mapped_column(Integer)
    source_title: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(20), index=True)
    topic_code: Mapped[str | None] = mapped_column(String(80), index=True)
    program_code: Mapped[str | None] = mapped_column(String(80), index=True)
    cohort_id: Mapped[int | None] = mapped_column(Integer, index=True)
    score: Mapped[decimal.Decimal] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool] = mapped_column(Boolean)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[str | None] = mapped_column(Text)

    cadre: Mapped[CadreProfile] = relationship()

    @property
    def details_data(self) -> Any:
        return json.loads(self.details) if self.details else None
