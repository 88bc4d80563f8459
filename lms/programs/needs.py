"""Training needs filed by units and their summary by unit and title.

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lms import audit
from lms.errors import LmsError
from lms.org.models import Title, Unit
from lms.programs.models import TrainingNeed

# --- training needs -------------------------------------------------------------------------


def file_need(
    session: Session,
    actor: Any,
    now: dt.datetime,
    *,
    unit: Unit,
    title: Title | None,
    topic_text: str,
    people: int,
    period: str,
) -> TrainingNeed:
    if people <= 0:
        raise LmsError(_("Số người phải lớn hơn 0."))
    need = TrainingNeed(
        unit=unit,
        title=title,
        topic_text=topic_text.strip(),
        people=people,
        period=period.strip(),
        filed_by_id=actor.id,
        created_at=now,
    )
    session.add(need)
    session.flush()
    audit.record(
        session,
        actor,
        "needs.file",
        "training_need",
        need.id,
        after={"unit": unit.code, "people": people, "period": need.period},
        now=now,
    )
    return need


def needs_summary(session: Session, scope: ColumnElement[bool], period: str | None = None) -> list[Any]:
    """Sum of people by unit and title (SQL GROUP BY), scoped to the viewer's subtree."""
    query = (
        select(
            Unit.name.label("unit_name"),
            Title.name.label("title_name"),
            TrainingNeed.period,
            func.sum(TrainingNeed.people).label("people"),
            func.count(TrainingNeed.id).label("filings"),
        )
        .join(Unit, Unit.id == TrainingNeed.unit_id)
        .outerjoin(Title, Title.id == TrainingNeed.title_id)
        .where(scope)
        .group_by(Unit.name, Unit.path, Title.name, Title.sort_order, TrainingNeed.period)
        .order_by(Unit.path, TrainingNeed.period, Title.sort_order)
    )
    if period:
        query = query.where(TrainingNeed.period == period)
    return list(session.execute(query))
