"""Evaluation schemes, records, frozen snapshots, assessments, planning decisions, surveys.

Cohorts belong to ``lms.programs``; here they are referenced only by an integer ``cohort_id``
(no foreign key) plus the ``program_code``, so this package can ship before that one.
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
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms.db import Base, UTCDateTime, utcnow
from lms.org.models import CadreProfile, PlanningStatus, Title, new_public_id

DEFAULT_PROGRAM = "*"  # program_code of the default scheme

COMPONENTS = ("entrance", "exit", "scenarios", "assessment", "attendance", "reflection")
COMPONENT_LABELS = {
    "entrance": "Kiểm tra đầu vào",
    "exit": "Kiểm tra đầu ra",
    "scenarios": "Xử lý tình huống",
    "assessment": "Đánh giá của giảng viên",
    "attendance": "Chuyên cần",
    "reflection": "Bài thu hoạch",
}


def is_provisional(missing: str | None, pending: str | None, renormalised: bool | None) -> bool:
    """A total is provisional while a weighted component has no score or waits for grading
    (``renormalised`` covers records computed before the component lists were stored)."""
    return bool(missing or pending or renormalised)


# The same names through the catalog, for pages (COMPONENT_LABELS stays plain text: it is
# stored in records and in the reasons they give).
COMPONENT_NAMES = {
    "entrance": _l("Kiểm tra đầu vào"),
    "exit": _l("Kiểm tra đầu ra"),
    "scenarios": _l("Xử lý tình huống"),
    "assessment": _l("Đánh giá của giảng viên"),
    "attendance": _l("Chuyên cần"),
    "reflection": _l("Bài thu hoạch"),
}


def _loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class EvaluationScheme(Base):
    """One version of a program's evaluation rules. Never edited: a change is a new version."""

    __tablename__ = "evaluation_scheme"
    __table_args__ = (UniqueConstraint("program_code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_code: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    weights: Mapped[str] = mapped_column(Text)  # JSON {component: weight}
    pass_mark: Mapped[decimal.Decimal] = mapped_column(Numeric(4, 2))
    component_min: Mapped[decimal.Decimal] = mapped_column(Numeric(4, 2))
    attendance_min_pct: Mapped[int] = mapped_column(Integer)
    bands: Mapped[str] = mapped_column(Text)  # JSON [[label, min], ...] highest first
    policy_rules: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of rule dicts
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def weights_data(self) -> dict[str, float]:
        return _loads(self.weights, {})

    @property
    def bands_data(self) -> list[list]:
        return _loads(self.bands, [])

    @property
    def rules_data(self) -> list[dict]:
        return _loads(self.policy_rules, [])


class AssessmentKind(enum.StrEnum):
    monthly = "monthly"
    reflection = "reflection"


ASSESSMENT_KIND_LABELS = {
    AssessmentKind.monthly: _l("Đánh giá hằng tháng"),
    AssessmentKind.reflection: _l("Bài thu hoạch"),
}


class Assessment(Base):
    """An instructor's manual assessment: a monthly mark, or the reflection paper's mark."""

    __tablename__ = "evaluation_assessment"
    __table_args__ = (
        UniqueConstraint("cadre_id", "cohort_id", "kind", "month"),
        CheckConstraint("points >= 0 AND points <= 10", name="points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(Integer, index=True)
    program_code: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[AssessmentKind] = mapped_column(
        Enum(AssessmentKind, native_enum=False, length=20), default=AssessmentKind.monthly
    )
    month: Mapped[str] = mapped_column(String(7))  # "2026-03"
    points: Mapped[decimal.Decimal] = mapped_column(Numeric(4, 2))
    comment: Mapped[str] = mapped_column(Text, default="")
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    cadre: Mapped[CadreProfile] = relationship()


class EvaluationRecord(Base):
    """The live evaluation of one cadre in one cohort, recomputed from its inputs until
    finalized; finalized values are kept in append-only snapshots."""

    __tablename__ = "evaluation_record"
    __table_args__ = (
        UniqueConstraint("cadre_id", "cohort_id"),
        Index("ix_evaluation_record_year_band", "year", "band"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(Integer, index=True)
    program_code: Mapped[str | None] = mapped_column(String(80), index=True)
    year: Mapped[int] = mapped_column(Integer)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("evaluation_scheme.id"))
    total: Mapped[decimal.Decimal | None] = mapped_column(Numeric(5, 2))
    band: Mapped[str | None] = mapped_column(String(40))
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate_reason: Mapped[str | None] = mapped_column(Text)
    renormalised: Mapped[bool] = mapped_column(Boolean, default=False)
    # Weighted components with no score yet, and components with answers waiting to be
    # graded (comma-separated component codes): while either is non-empty the total is
    # provisional, and every page and export that shows it says so and names what is missing.
    missing_components: Mapped[str] = mapped_column(String(120), default="", server_default="")
    pending_components: Mapped[str] = mapped_column(String(120), default="", server_default="")
    components: Mapped[str] = mapped_column(Text, default="{}")  # JSON, see services.compute
    gains: Mapped[str] = mapped_column(Text, default="{}")  # JSON {topic: gain}
    recommendation: Mapped[str | None] = mapped_column(Text)  # JSON {decision, text, reference}
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finalized_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    cadre: Mapped[CadreProfile] = relationship()
    scheme: Mapped[EvaluationScheme] = relationship()

    @property
    def components_data(self) -> dict:
        return _loads(self.components, {})

    @property
    def gains_data(self) -> dict:
        return _loads(self.gains, {})

    @property
    def recommendation_data(self) -> dict | None:
        return _loads(self.recommendation, None)

    @property
    def missing_list(self) -> list[str]:
        return [c for c in (self.missing_components or "").split(",") if c]

    @property
    def pending_list(self) -> list[str]:
        return [c for c in (self.pending_components or "").split(",") if c]

    @property
    def provisional(self) -> bool:
        return is_provisional(self.missing_components, self.pending_components, self.renormalised)

    def finalize(self, now: dt.datetime) -> None:
        if self.finalized_at is not None:
            from lms.errors import Conflict

            raise Conflict(_("Kết quả đánh giá này đã được chốt; hãy dùng chức năng đính chính."))
        self.finalized_at = now


class EvaluationSnapshot(Base):
    """A frozen copy (inputs and outputs) of a finalized record. Append-only: a correction
    is a new snapshot pointing to the one it supersedes, with who and why."""

    __tablename__ = "evaluation_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    record_id: Mapped[int] = mapped_column(ForeignKey("evaluation_record.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(Integer, index=True)
    data: Mapped[str] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_snapshot.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def data_dict(self) -> dict:
        return _loads(self.data, {})


class Decision(enum.StrEnum):
    include = "include"
    keep = "keep"
    propose_removal = "propose_removal"
    remove = "remove"
    propose_appointment = "propose_appointment"
    defer = "defer"


DECISION_LABELS = {
    Decision.include: _l("Đưa vào quy hoạch"),
    Decision.keep: _l("Giữ nguyên"),
    Decision.propose_removal: _l("Đề nghị đưa ra khỏi quy hoạch"),
    Decision.remove: _l("Đưa ra khỏi quy hoạch"),
    Decision.propose_appointment: _l("Đề nghị xem xét bổ nhiệm"),
    Decision.defer: _l("Hoãn xem xét"),
}
# What each decision does to the profile's planning status (None: leave it as it is).
DECISION_STATUS = {
    Decision.include: PlanningStatus.in_pool,
    Decision.keep: None,
    Decision.propose_removal: PlanningStatus.proposed_removal,
    Decision.remove: PlanningStatus.removed,
    Decision.propose_appointment: PlanningStatus.proposed_appointment,
    Decision.defer: None,
}


class PlanningDecision(Base):
    """A board's decision on one cadre's planning status. Append-only."""

    __tablename__ = "planning_decision"
    __table_args__ = (Index("ix_planning_decision_cadre_at", "cadre_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id"))
    decision: Mapped[Decision] = mapped_column(Enum(Decision, native_enum=False, length=30))
    status_before: Mapped[str] = mapped_column(String(30))
    status_after: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    policy_reference: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str | None] = mapped_column(Text)  # what the system suggested then
    limit_warning: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the deciding board's unit
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    cadre: Mapped[CadreProfile] = relationship()


class PlanningLimit(Base):
    """How many cadres may be planned for one title (data, with its legal basis)."""

    __tablename__ = "planning_limit"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int | None] = mapped_column(ForeignKey("title.id"))  # None: every title
    max_per_title: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    title: Mapped[Title | None] = relationship()


class Improvement(enum.StrEnum):
    rat_tich_cuc = "rat_tich_cuc"
    kha_tich_cuc = "kha_tich_cuc"
    tich_cuc = "tich_cuc"
    khong_dang_ke = "khong_dang_ke"


IMPROVEMENT_LABELS = {
    Improvement.rat_tich_cuc: _l("Rất tích cực"),
    Improvement.kha_tich_cuc: _l("Khá tích cực"),
    Improvement.tich_cuc: _l("Tích cực"),
    Improvement.khong_dang_ke: _l("Không đáng kể"),
}


class SurveyResponse(Base):
    """A learner's post-training self-assessment, one per cadre and cohort."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("cadre_id", "cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, index=True)
    program_code: Mapped[str | None] = mapped_column(String(80))
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    improvement: Mapped[Improvement] = mapped_column(Enum(Improvement, native_enum=False, length=20))
    needs_update: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


APPEND_ONLY = (EvaluationSnapshot, PlanningDecision)


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError(f"{type(obj).__tablename__} rows are append-only")
