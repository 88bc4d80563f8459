"""Programs (chương trình bồi dưỡng), versioned topics (chuyên đề), cohorts (đợt/lớp),
enrollment, attendance, progress and training needs.

A ``Topic`` is the stable identity (its code); its content lives in ``TopicVersion`` rows
numbered 1, 2, ... that move draft → submitted → approved/returned → published (→ archived
when a newer version is published). Learners only ever see the latest published version;
progress is kept per topic identity, so it survives a new version.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, UTCDateTime, utcnow
from lms.errors import Conflict, Forbidden, LmsError
from lms.numerals import localized
from lms.org.models import CadreProfile, TargetGroup, Title, Unit, new_public_id

FIELDS = {
    "xay-dung-dang": "Xây dựng Đảng",
    "tuyen-giao": "Tuyên giáo",
    "kiem-tra-giam-sat": "Kiểm tra, giám sát",
    "van-phong-dang": "Văn phòng cấp ủy",
    "dan-van": "Dân vận",
    "quan-ly-nha-nuoc": "Quản lý nhà nước",
    "tai-chinh-ke-toan": "Tài chính – kế toán",
    "tai-nguyen-moi-truong": "Tài nguyên – môi trường",
    "dia-chinh-xay-dung": "Địa chính – xây dựng",
    "tu-phap": "Tư pháp",
    "van-hoa-xa-hoi": "Văn hóa – xã hội",
    "lao-dong-tbxh": "Lao động – thương binh và xã hội",
    "quoc-phong-an-ninh": "Quốc phòng – an ninh",
    "chuyen-doi-so": "Chuyển đổi số",
    "ky-nang": "Kỹ năng",
}


class TopicKind(enum.StrEnum):
    common = "common"
    group = "group"


TOPIC_KIND_LABELS = {TopicKind.common: _l("Chuyên đề chung"), TopicKind.group: _l("Chuyên đề theo nhóm")}


class VersionStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    returned = "returned"
    published = "published"
    archived = "archived"


STATUS_LABELS = {
    VersionStatus.draft: _l("Bản nháp"),
    VersionStatus.submitted: _l("Chờ duyệt"),
    VersionStatus.approved: _l("Đã duyệt, chờ công bố"),
    VersionStatus.returned: _l("Bị trả lại"),
    VersionStatus.published: _l("Đã công bố"),
    VersionStatus.archived: _l("Phiên bản cũ"),
}
OPEN_STATUSES = (VersionStatus.draft, VersionStatus.submitted, VersionStatus.approved, VersionStatus.returned)


class AttendanceStatus(enum.StrEnum):
    present = "present"
    absent = "absent"
    excused = "excused"


ATTENDANCE_LABELS = {
    AttendanceStatus.present: _l("Có mặt"),
    AttendanceStatus.absent: _l("Vắng"),
    AttendanceStatus.excused: _l("Vắng có phép"),
}

program_target_group = Table(
    "program_target_group",
    Base.metadata,
    Column("program_id", ForeignKey("program.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True),
)
program_title = Table(
    "program_title",
    Base.metadata,
    Column("program_id", ForeignKey("program.id", ondelete="CASCADE"), primary_key=True),
    Column("title_id", ForeignKey("title.id", ondelete="CASCADE"), primary_key=True),
)
cohort_instructor = Table(
    "cohort_instructor",
    Base.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class Program(Base):
    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    duration_days: Mapped[int] = mapped_column(Integer)
    goal_knowledge: Mapped[str] = mapped_column(Text, default="")
    goal_skills: Mapped[str] = mapped_column(Text, default="")
    goal_attitude: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    evaluation: Mapped[str | None] = mapped_column(Text)  # JSON of the YAML `evaluation` block
    source: Mapped[str | None] = mapped_column(Text)  # where the program's frame comes from
    source_titles: Mapped[str | None] = mapped_column(Text)  # JSON [{text, title, note?}]
    delivery: Mapped[str | None] = mapped_column(Text)  # JSON: months, mentoring unit, rubric...
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    target_groups: Mapped[list[TargetGroup]] = relationship(
        secondary=program_target_group, order_by=TargetGroup.id
    )
    titles: Mapped[list[Title]] = relationship(secondary=program_title, order_by=Title.sort_order)
    items: Mapped[list[ProgramTopic]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramTopic.position"
    )

    @property
    def evaluation_scheme(self) -> dict[str, Any] | None:
        return json.loads(self.evaluation) if self.evaluation else None

    @property
    def source_title_list(self) -> list[dict[str, Any]]:
        return json.loads(self.source_titles) if self.source_titles else []

    @property
    def delivery_data(self) -> dict[str, Any] | None:
        return json.loads(self.delivery) if self.delivery else None

    @property
    def topics(self) -> list[Topic]:
        return [item.topic for item in self.items]


class Topic(Base):
    """The identity of a topic: its code. Content is in versions."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[TopicVersion]] = relationship(
        back_populates="topic", order_by="TopicVersion.version", cascade="all, delete-orphan"
    )

    @property
    def published(self) -> TopicVersion | None:
        """The latest published version (the only one learners see)."""
        for version in reversed(self.versions):
            if version.status is VersionStatus.published:
                return version
        return None

    @property
    def latest(self) -> TopicVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def open_version(self) -> TopicVersion | None:
        """The version being worked on (draft, submitted, approved or returned), if any."""
        for version in reversed(self.versions):
            if version.status in OPEN_STATUSES:
                return version
        return None


class ProgramTopic(Base):
    __tablename__ = "program_topic"
    __table_args__ = (UniqueConstraint("program_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    program: Mapped[Program] = relationship(back_populates="items")
    topic: Mapped[Topic] = relationship()


class TopicVersion(Base):
    __tablename__ = "topic_version"
    __table_args__ = (UniqueConstraint("topic_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(
        Enum(VersionStatus, native_enum=False, length=20), default=VersionStatus.draft, index=True
    )
    title: Mapped[str] = mapped_column(String(400))
    kind: Mapped[TopicKind] = mapped_column(Enum(TopicKind, native_enum=False, length=20))
    field: Mapped[str] = mapped_column(String(40))
    hours: Mapped[float] = mapped_column(Float)
    target_groups: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of codes
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered once and sanitized
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    topic: Mapped[Topic] = relationship(back_populates="versions")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Lesson.position"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def target_group_codes(self) -> list[str]:
        return json.loads(self.target_groups or "[]")

    @property
    def hours_text(self) -> str:
        """4 → "4", 3.5 → "3,5" on a Vietnamese page (and outside a request), "3.5" on an English one."""
        return localized(float(self.hours))

    @property
    def editable(self) -> bool:
        return self.status in (VersionStatus.draft, VersionStatus.returned)

    # --- transitions: each refuses an illegal move ------------------------------------------

    def _require(self, *allowed: VersionStatus) -> None:
        if self.status not in allowed:
            names = ", ".join(str(STATUS_LABELS[s]) for s in allowed)
            raise Conflict(
                _(
                    "Phiên bản %(version)s đang ở trạng thái “%(value)s”; thao tác này chỉ làm "
                    "được khi ở trạng thái: %(names)s.",
                    version=self.version,
                    value=STATUS_LABELS[self.status],
                    names=names,
                )
            )

    def _require_reviewer(self, actor: Any) -> None:
        if actor is None or getattr(actor, "role", None) != "approver":
            raise Forbidden(_("Chỉ người duyệt nội dung mới được duyệt, trả lại hoặc công bố chuyên đề."))
        if self.author_id is not None and actor.id == self.author_id:
            raise Forbidden(
                _("Đồng chí là tác giả phiên bản này nên không thể tự duyệt; hãy nhờ người duyệt khác.")
            )

    def submit(self, actor: Any, now: dt.datetime) -> None:
        self._require(VersionStatus.draft, VersionStatus.returned)
        self.status, self.submitted_at = VersionStatus.submitted, now

    def approve(self, actor: Any, now: dt.datetime) -> None:
        self._require(VersionStatus.submitted)
        self._require_reviewer(actor)
        self.status, self.reviewed_by_id, self.reviewed_at = VersionStatus.approved, actor.id, now

    def return_(self, actor: Any, now: dt.datetime, comment: str) -> None:
        self._require(VersionStatus.submitted, VersionStatus.approved)
        self._require_reviewer(actor)
        if not (comment or "").strip():
            raise LmsError(_("Khi trả lại cần ghi nhận xét để tác giả biết phải sửa gì."))
        self.status, self.reviewed_by_id, self.reviewed_at = VersionStatus.returned, actor.id, now
        self.review_comment = comment.strip()

    def publish(self, actor: Any, now: dt.datetime) -> None:
        self._require(VersionStatus.approved)
        self._require_reviewer(actor)
        self.status, self.published_at = VersionStatus.published, now

    def publish_from_import(self, now: dt.datetime) -> None:
        """Content files are the authoritative source: an import publishes directly."""
        self._require(VersionStatus.draft)
        self.status, self.published_at = VersionStatus.published, now

    def archive(self) -> None:
        self._require(VersionStatus.published)
        self.status = VersionStatus.archived


class Lesson(Base):
    """A section of a topic version: a title and the heading id it links to."""

    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("topic_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(400))
    anchor: Mapped[str] = mapped_column(String(80))

    version: Mapped[TopicVersion] = relationship(back_populates="lessons")


class Attachment(Base):
    """A file attached to a topic version, stored under instance/uploads/ with a random name."""

    __tablename__ = "topic_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    version_id: Mapped[int] = mapped_column(ForeignKey("topic_version.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    mimetype: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[TopicVersion] = relationship(back_populates="attachments")


class Cohort(Base):
    """A run of a program (đợt/lớp bồi dưỡng) owned by a unit."""

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship()
    unit: Mapped[Unit] = relationship()
    instructors: Mapped[list[Any]] = relationship("User", secondary=cohort_instructor)
    sessions: Mapped[list[CohortSession]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortSession.position"
    )
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )

    def has_instructor(self, user: Any) -> bool:
        return any(i.id == user.id for i in self.instructors)


class CohortSession(Base):
    __tablename__ = "cohort_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(400))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id"))

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")
    topic: Mapped[Topic | None] = relationship()


class Enrollment(Base):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("cohort_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    profile: Mapped[CadreProfile] = relationship()


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("enrollment_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cohort_session.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(Enum(AttendanceStatus, native_enum=False, length=20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TopicProgress(Base):
    """How far one enrolled cadre got in one topic (kept across topic versions)."""

    __tablename__ = "topic_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    studied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    seconds_spent: Mapped[int] = mapped_column(Integer, default=0)
    last_anchor: Mapped[str | None] = mapped_column(String(80))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    topic: Mapped[Topic] = relationship()


class TrainingNeed(Base):
    """A commune's registered training need (đăng ký nhu cầu bồi dưỡng)."""

    __tablename__ = "training_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title_id: Mapped[int | None] = mapped_column(ForeignKey("title.id"))
    topic_text: Mapped[str] = mapped_column(String(400))
    people: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(20))
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    title: Mapped[Title | None] = relationship()
