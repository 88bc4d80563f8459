from __future__ import annotations

import datetime as dt
import enum
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, fold_key


class UnitKind(enum.StrEnum):
    province = "province"
    district = "district"  # historical: abolished 1 Jul 2025
    commune = "commune"
    ward = "ward"
    special_zone = "special_zone"


UNIT_KIND_LABELS = {
    UnitKind.province: _l("Tỉnh/thành phố"),
    UnitKind.district: _l("Huyện"),
    UnitKind.commune: _l("Xã"),
    UnitKind.ward: _l("Phường"),
    UnitKind.special_zone: _l("Đặc khu"),
}


class Unit(Base):
    """A node in the unit tree. ``path`` ("/1/7/") makes subtree queries one LIKE."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def contains(self, other: Unit | None) -> bool:
        return other is not None and other.path.startswith(self.path)


class TitleCategory(enum.StrEnum):
    can_bo = "can_bo"
    cong_chuc = "cong_chuc"
    vi_tri_viec_lam = "vi_tri_viec_lam"


TITLE_CATEGORY_LABELS = {
    TitleCategory.can_bo: _l("Cán bộ cấp xã"),
    TitleCategory.cong_chuc: _l("Công chức cấp xã"),
    TitleCategory.vi_tri_viec_lam: _l("Vị trí việc làm (từ 1/7/2025)"),
}


class Title(Base):
    """A title (chức danh) or job position, with the legal basis that defines it."""

    __tablename__ = "title"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[TitleCategory] = mapped_column(Enum(TitleCategory, native_enum=False, length=20))
    legal_basis: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


target_group_title = Table(
    "target_group_title",
    Base.metadata,
    Column("target_group_id", ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True),
    Column("title_id", ForeignKey("title.id", ondelete="CASCADE"), primary_key=True),
)


class TargetGroup(Base):
    """A training target group (nhóm đối tượng) and the titles it covers."""

    __tablename__ = "target_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    titles: Mapped[list[Title]] = relationship(secondary=target_group_title)


class QualificationKind(enum.StrEnum):
    education = "education"
    professional = "professional"
    political = "political"
    state_mgmt = "state_mgmt"
    digital = "digital"
    language = "language"
    it = "it"


QUALIFICATION_KIND_LABELS = {
    QualificationKind.education: _l("Giáo dục phổ thông"),
    QualificationKind.professional: _l("Chuyên môn, nghiệp vụ"),
    QualificationKind.political: _l("Lý luận chính trị"),
    QualificationKind.state_mgmt: _l("Quản lý nhà nước"),
    QualificationKind.digital: _l("Kỹ năng số"),
    QualificationKind.language: _l("Ngoại ngữ"),
    QualificationKind.it: _l("Tin học"),
}


class QualificationLevel(Base):
    """A vocabulary entry, ranked within its kind (higher rank = higher level)."""

    __tablename__ = "qualification_level"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[QualificationKind] = mapped_column(Enum(QualificationKind, native_enum=False, length=20))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)


class PlanningStatus(enum.StrEnum):
    none = "none"
    in_pool = "in_pool"
    proposed_removal = "proposed_removal"
    removed = "removed"
    proposed_appointment = "proposed_appointment"
    appointed = "appointed"


PLANNING_STATUS_LABELS = {
    PlanningStatus.none: _l("Chưa quy hoạch"),
    PlanningStatus.in_pool: _l("Trong quy hoạch"),
    PlanningStatus.proposed_removal: _l("Đề nghị đưa ra khỏi quy hoạch"),
    PlanningStatus.removed: _l("Đã đưa ra khỏi quy hoạch"),
    PlanningStatus.proposed_appointment: _l("Đề nghị bổ nhiệm"),
    PlanningStatus.appointed: _l("Đã bổ nhiệm"),
}

GENDER_LABELS = {"nam": _l("Nam"), "nu": _l("Nữ"), "khac": _l("Khác")}


def new_public_id() -> str:
    return secrets.token_urlsafe(9)


class CadreProfile(Base):
    """A cadre or civil servant. URLs use ``public_id`` so they reveal no counts."""

    __tablename__ = "cadre_profile"
    __table_args__ = (
        CheckConstraint("birth_year BETWEEN 1930 AND 2015", name="birth_year_range"),
        CheckConstraint("gender IN ('nam', 'nu', 'khac')", name="gender_values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    birth_year: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    ethnicity: Mapped[str] = mapped_column(String(60), default="Kinh")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title_id: Mapped[int | None] = mapped_column(ForeignKey("title.id"), index=True)
    title_since: Mapped[dt.date | None] = mapped_column(Date)
    planning_status: Mapped[PlanningStatus] = mapped_column(
        Enum(PlanningStatus, native_enum=False, length=30), default=PlanningStatus.none
    )

    unit: Mapped[Unit] = relationship()
    title: Mapped[Title | None] = relationship()
    qualifications: Mapped[list[CadreQualification]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="CadreQualification.id"
    )

    def set_name(self, name: str) -> None:
        self.full_name = name.strip()
        self.name_key = fold_key(name)


class CadreQualification(Base):
    __tablename__ = "cadre_qualification"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("cadre_profile.id", ondelete="CASCADE"), index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("qualification_level.id"))
    field: Mapped[str | None] = mapped_column(String(200))
    obtained_on: Mapped[dt.date | None] = mapped_column(Date)

    profile: Mapped[CadreProfile] = relationship(back_populates="qualifications")
    level: Mapped[QualificationLevel] = relationship(lazy="joined")


class TitleStandard(Base):
    """A minimum qualification a title requires, with its legal basis and deadline.

    ``due_by`` is the date by which holders below standard must meet it; ``grace_months``
    instead counts from the date the cadre took the title.
    """

    __tablename__ = "title_standard"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("title.id", ondelete="CASCADE"), index=True)
    min_level_id: Mapped[int] = mapped_column(ForeignKey("qualification_level.id"))
    legal_basis: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    due_by: Mapped[dt.date | None] = mapped_column(Date)
    grace_months: Mapped[int | None] = mapped_column(Integer)

    title: Mapped[Title] = relationship()
    min_level: Mapped[QualificationLevel] = relationship(lazy="joined")
