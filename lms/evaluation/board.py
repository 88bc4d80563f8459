"""The board's list: cadres in scope with their latest evaluation, in one SQL query per page.

Filters on the record (band, cohort, year) pick the latest record *matching* them; standard
gaps are computed in SQL (mirror of ``lms.org.services.standard_gaps``; with ``grace_months``
the due month is counted from the month the cadre took the title).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import ColumnElement, and_, case, exists, extract, func, or_, select
from sqlalchemy.orm import aliased

from lms.evaluation.models import EvaluationRecord
from lms.org.models import (
    CadreProfile,
    CadreQualification,
    QualificationLevel,
    Title,
    TitleStandard,
    Unit,
    target_group_title,
)


@dataclasses.dataclass
class BoardFilters:
    unit_id: int | None = None
    title_id: int | None = None
    target_group_id: int | None = None
    planning_status: str | None = None
    band: str | None = None
    gap: str | None = None  # "gap" | "overdue"
    cohort_id: int | None = None
    year: int | None = None


def _month_index(column) -> ColumnElement:
    return extract("year", column) * 12 + extract("month", column)


def gap_condition(today: dt.date, overdue_only: bool = False) -> ColumnElement[bool]:
    """True when the cadre's title has a valid standard the cadre's qualifications miss."""
    need = aliased(QualificationLevel)
    have = aliased(QualificationLevel)
    meets = (
        select(CadreQualification.id)
        .join(have, CadreQualification.level_id == have.id)
        .where(
            CadreQualification.profile_id == CadreProfile.id,
            have.kind == need.kind,
            have.rank >= need.rank,
        )
        .correlate_except(CadreQualification, have)  # two levels deep: name what is local
    )
    conditions = [
        TitleStandard.title_id == CadreProfile.title_id,
        or_(TitleStandard.valid_from.is_(None), TitleStandard.valid_from <= today),
        or_(TitleStandard.valid_to.is_(None), TitleStandard.valid_to >= today),
        ~exists(meets),
    ]
    if overdue_only:
        today_index = today.year * 12 + today.month
        conditions.append(
            case(
                (
                    and_(TitleStandard.grace_months.is_not(None), CadreProfile.title_since.is_not(None)),
                    _month_index(CadreProfile.title_since) + TitleStandard.grace_months < today_index,
                ),
                else_=and_(TitleStandard.due_by.is_not(None), TitleStandard.due_by < today),
            )
        )
    return exists(
        select(TitleStandard.id)
        .join(need, TitleStandard.min_level_id == need.id)
        .where(*conditions)
        .correlate(CadreProfile)
    )


def _record_conditions(filters: BoardFilters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.band:
        conditions.append(EvaluationRecord.band == filters.band)
    if filters.cohort_id:
        conditions.append(EvaluationRecord.cohort_id == filters.cohort_id)
    if filters.year:
        conditions.append(EvaluationRecord.year == filters.year)
    return conditions


def _profile_conditions(scope, filters: BoardFilters, today: dt.date) -> list[ColumnElement[bool]]:
    """Everything that selects cadres (shared by the page query and the count)."""
    conditions = [scope]
    record = _record_conditions(filters)
    if record:  # "has a matching record": a semi-join PostgreSQL can hash
        conditions.append(CadreProfile.id.in_(select(EvaluationRecord.cadre_id).where(*record)))
    if filters.unit_id:
        unit_path = select(Unit.path).where(Unit.id == filters.unit_id).scalar_subquery()
        conditions.append(Unit.path.startswith(unit_path))
    if filters.title_id:
        conditions.append(CadreProfile.title_id == filters.title_id)
    if filters.target_group_id:
        titles = select(target_group_title.c.title_id).where(
            target_group_title.c.target_group_id == filters.target_group_id
        )
        conditions.append(CadreProfile.title_id.in_(titles))
    if filters.planning_status:
        conditions.append(CadreProfile.planning_status == filters.planning_status)
    if filters.gap == "gap":
        conditions.append(gap_condition(today))
    elif filters.gap == "overdue":
        conditions.append(gap_condition(today, overdue_only=True))
    return conditions


def board_query(scope: ColumnElement[bool], filters: BoardFilters, today: dt.date):
    """Rows (profile columns, unit and title names, latest matching record, gap flags).

    The latest record is a correlated subquery on ``evaluation_record(cadre_id)``, so a page
    costs one index probe per shown cadre instead of aggregating every record.
    """
    latest_id = (
        select(func.max(EvaluationRecord.id))
        .where(EvaluationRecord.cadre_id == CadreProfile.id, *_record_conditions(filters))
        .correlate(CadreProfile)
        .scalar_subquery()
    )
    return (
        select(
            CadreProfile.id,
            CadreProfile.public_id,
            CadreProfile.full_name,
            CadreProfile.planning_status,
            Unit.name.label("unit_name"),
            Title.name.label("title_name"),
            EvaluationRecord.total,
            EvaluationRecord.band,
            EvaluationRecord.year,
            EvaluationRecord.certificate,
            EvaluationRecord.recommendation,
            EvaluationRecord.missing_components,
            EvaluationRecord.pending_components,
            EvaluationRecord.renormalised,
            EvaluationRecord.finalized_at,
            gap_condition(today).label("has_gap"),
            gap_condition(today, overdue_only=True).label("overdue"),
        )
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .outerjoin(Title, CadreProfile.title_id == Title.id)
        .outerjoin(EvaluationRecord, EvaluationRecord.id == latest_id)
        .where(*_profile_conditions(scope, filters, today))
        .order_by(CadreProfile.name_key, CadreProfile.id)
    )


def board_count(scope: ColumnElement[bool], filters: BoardFilters, today: dt.date):
    """The number of cadres the list shows, without computing any row."""
    return (
        select(func.count(CadreProfile.id))
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(*_profile_conditions(scope, filters, today))
    )



def with_records_in(scope: ColumnElement[bool]):
    """``inputs.cohort_rows`` condition: cohorts holding evaluation records of cadres in ``scope``
    (a condition on Unit), the only cohorts the board's filter can find anyone in. An EXISTS per
    cohort on ``ix_evaluation_record_cohort_id``, not a scan of every record in the scope."""

    def condition(cohort_id) -> ColumnElement[bool]:
        return exists(
            select(EvaluationRecord.id)
            .join(CadreProfile, EvaluationRecord.cadre_id == CadreProfile.id)
            .join(Unit, CadreProfile.unit_id == Unit.id)
            .where(EvaluationRecord.cohort_id == cohort_id, scope)
        )

    return condition
