"""Scenarios (versioned by code), learner runs, their steps, and rubric-graded responses.

Storage decision: the scenario graph is kept as the validated document (the YAML file's
structure, as JSON) in ``Scenario.document``; HTML rendered from its Markdown at save time
is kept beside it in ``Scenario.rendered``. The graph is only ever read whole (to play,
score, draw or export it) and always passes ``validate.py`` before it is stored, so rows per
node would add joins without adding safety. What is queried across learners — the choices
they made and their answers — is normalised: ``ScenarioStep`` and ``ScenarioResponse``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms.auth.models import User
from lms.db import Base, UTCDateTime, utcnow
from lms.errors import Conflict
from lms.org.models import CadreProfile, Unit, new_public_id


class ScenarioStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    approved = "approved"
    published = "published"
    archived = "archived"


STATUS_LABELS = {
    ScenarioStatus.draft: _l("Bản nháp"),
    ScenarioStatus.submitted: _l("Chờ duyệt"),
    ScenarioStatus.returned: _l("Bị trả lại"),
    ScenarioStatus.approved: _l("Đã duyệt"),
    ScenarioStatus.published: _l("Đang sử dụng"),
    ScenarioStatus.archived: _l("Đã thay thế"),
}
EDITABLE = (ScenarioStatus.draft, ScenarioStatus.returned)
# Columns a published version may never change again (only its status may become archived).
FROZEN_COLUMNS = (
    "document",
    "rendered",
    "title",
    "pass_mark",
    "rubric_weight",
    "allow_retry",
    "attempts_allowed",
    "grading_method",
    "max_points",
    "min_points",
    "code",
    "version",
)


class Scenario(Base):
    """One version of a scenario. (code, version) is unique; at most one version per code is
    published at a time (publishing archives the previous one)."""

    __tablename__ = "scenario"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 10", name="pass_mark_range"),
        CheckConstraint("rubric_weight >= 0 AND rubric_weight <= 1", name="rubric_weight_range"),
        CheckConstraint(
            "status IN ('draft','submitted','returned','approved','published','archived')",
            name="status_values",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    code: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[ScenarioStatus] = mapped_column(
        Enum(ScenarioStatus, native_enum=False, length=20, create_constraint=False),
        default=ScenarioStatus.draft,
        index=True,
    )
    title: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(60))
    target_groups: Mapped[str] = mapped_column(String(300), default="")  # space-separated codes
    titles: Mapped[str] = mapped_column(String(600), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=15)
    pass_mark: Mapped[decimal.Decimal] = mapped_column(Numeric(4, 2), default=decimal.Decimal("5"))
    rubric_weight: Mapped[decimal.Decimal] = mapped_column(Numeric(3, 2), default=decimal.Decimal("0"))
    allow_retry: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)  # 0 = unlimited
    grading_method: Mapped[str] = mapped_column(String(10), default="highest")
    max_points: Mapped[float] = mapped_column(Numeric(8, 2), default=0)
    min_points: Mapped[float] = mapped_column(Numeric(8, 2), default=0)
    document: Mapped[str] = mapped_column(Text)  # validated document as JSON
    rendered: Mapped[str] = mapped_column(Text, default="{}")  # sanitized HTML per node field
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    owner_unit: Mapped[Unit] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])

    @property
    def doc(self) -> dict:
        return json.loads(self.document)

    @property
    def html(self) -> dict:
        return json.loads(self.rendered or "{}")

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def has_responses(self) -> bool:
        return any(n["kind"] == "response" for n in self.doc["nodes"])

    def _move(self, allowed: tuple[ScenarioStatus, ...], to: ScenarioStatus) -> None:
        if self.status not in allowed:
            raise Conflict(
                _(
                    "Không thể chuyển tình huống từ trạng thái “%(value)s” sang “%(value2)s”.",
                    value=STATUS_LABELS[self.status],
                    value2=STATUS_LABELS[to],
                )
            )
        self.status = to

    def ensure_editable(self) -> None:
        if not self.editable:
            raise Conflict(
                _(
                    "Phiên bản này không còn sửa được (đã gửi duyệt hoặc đã ban hành). Hãy tạo "
                    "phiên bản mới để chỉnh sửa.",
                )
            )

    def submit(self) -> None:
        self._move(EDITABLE, ScenarioStatus.submitted)

    def return_to_author(self) -> None:
        self._move((ScenarioStatus.submitted,), ScenarioStatus.returned)

    def approve(self) -> None:
        self._move((ScenarioStatus.submitted,), ScenarioStatus.approved)

    def publish(self, now: dt.datetime) -> None:
        self._move((ScenarioStatus.approved, ScenarioStatus.draft), ScenarioStatus.published)
        self.published_at = now

    def archive(self) -> None:
        self._move((ScenarioStatus.published,), ScenarioStatus.archived)


@event.listens_for(Session, "before_flush")
def _published_versions_are_immutable(session: Session, _ctx, _instances) -> None:
    """A published (or archived) version never changes content: results point at it."""
    for obj in session.dirty:
        if not isinstance(obj, Scenario):
            continue
        state = inspect(obj)
        old_status = state.attrs.status.history.deleted
        was = old_status[0] if old_status else obj.status
        if was not in (ScenarioStatus.published, ScenarioStatus.archived):
            continue
        changed = [c for c in FROZEN_COLUMNS if state.attrs[c].history.has_changes()]
        if changed:
            raise Conflict(_("Phiên bản đã ban hành không được sửa; hãy tạo phiên bản mới."))


class RunMode(enum.StrEnum):
    practice = "practice"
    assessed = "assessed"


class RunStatus(enum.StrEnum):
    in_progress = "in_progress"
    finished = "finished"
    abandoned = "abandoned"  # the learner started over; kept (an assessed one still counts as an attempt)


class ScenarioRun(Base):
    """A learner playing one scenario version. Progress lives here, so a closed phone resumes."""

    __tablename__ = "scenario_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # learner's unit at start
    mode: Mapped[RunMode] = mapped_column(Enum(RunMode, native_enum=False, length=10))
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, native_enum=False, length=15), default=RunStatus.in_progress, index=True
    )
    current_node: Mapped[str] = mapped_column(String(80))
    variables: Mapped[str] = mapped_column(Text, default="{}")
    step: Mapped[int] = mapped_column(Integer, default=0)  # bumps on every move: idempotent POSTs
    raw_points: Mapped[float] = mapped_column(Numeric(8, 2), default=0)
    path_score: Mapped[decimal.Decimal | None] = mapped_column(Numeric(5, 2))
    rubric_points: Mapped[decimal.Decimal | None] = mapped_column(Numeric(8, 2))
    rubric_max: Mapped[decimal.Decimal | None] = mapped_column(Numeric(8, 2))
    score: Mapped[decimal.Decimal | None] = mapped_column(Numeric(5, 2))
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    scenario: Mapped[Scenario] = relationship()
    user: Mapped[User] = relationship()
    cadre: Mapped[CadreProfile | None] = relationship()
    unit: Mapped[Unit] = relationship()
    steps: Mapped[list[ScenarioStep]] = relationship(
        back_populates="run", order_by="ScenarioStep.seq", cascade="all, delete-orphan"
    )
    responses: Mapped[list[ScenarioResponse]] = relationship(
        back_populates="run", order_by="ScenarioResponse.id", cascade="all, delete-orphan"
    )

    @property
    def vars(self) -> dict[str, int]:
        return json.loads(self.variables or "{}")

    @property
    def finished(self) -> bool:
        return self.status == RunStatus.finished

    @property
    def in_progress(self) -> bool:
        return self.status == RunStatus.in_progress

    @property
    def decisions(self) -> list[ScenarioStep]:
        return [s for s in self.steps if not s.undone]


class ScenarioStep(Base):
    """One decision taken in a run (the path). ``seq`` is unique per run: a double POST
    cannot record the same step twice. An undone step (allow_retry) is kept, marked."""

    __tablename__ = "scenario_step"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scenario_run.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(80))
    choice_index: Mapped[int] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Numeric(8, 2))
    variables_before: Mapped[str] = mapped_column(Text, default="{}")
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[ScenarioRun] = relationship(back_populates="steps")


class ScenarioResponse(Base):
    """A free-text answer at a response node, graded later against the node's rubric."""

    __tablename__ = "scenario_response"
    __table_args__ = (UniqueConstraint("run_id", "node_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    run_id: Mapped[int] = mapped_column(ForeignKey("scenario_run.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[str] = mapped_column(String(80))
    answer: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    levels: Mapped[str | None] = mapped_column(Text)  # JSON list: chosen level index per criterion
    points: Mapped[decimal.Decimal | None] = mapped_column(Numeric(8, 2))
    max_points: Mapped[decimal.Decimal] = mapped_column(Numeric(8, 2))
    comment: Mapped[str | None] = mapped_column(Text)
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)

    run: Mapped[ScenarioRun] = relationship(back_populates="responses")
    grader: Mapped[User | None] = relationship(foreign_keys=[grader_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def graded(self) -> bool:
        return self.points is not None

    @property
    def chosen_levels(self) -> list[int]:
        return json.loads(self.levels) if self.levels else []


def loads(value: str | None) -> Any:
    return json.loads(value) if value else None


class ScenarioDraft(Base):
    """What the learner is writing at a response node, saved as it is typed (before "Gửi câu trả
    lời"). One row per (run, node); ``seq`` is the writer's newest sequence number (milliseconds
    from the page), so a late, older save never overwrites a newer one. Deleted when the answer
    is sent; kept when a send is refused (too long, session gone), so nothing typed is lost."""

    __tablename__ = "scenario_draft"
    __table_args__ = (UniqueConstraint("run_id", "node_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scenario_run.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
