"""Planning decisions: the board decides with a written reason (append-only, audited);
limits per title warn when a unit plans more cadres than allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import audit
from lms.db import utcnow
from lms.errors import LmsError
from lms.evaluation.models import DECISION_STATUS, Decision, EvaluationRecord, PlanningDecision, PlanningLimit
from lms.org.models import CadreProfile, PlanningStatus, Unit

MIN_DECISION_REASON = 20


# --- planning decisions --------------------------------------------------------------------


def planning_limit(session: Session, title_id: int | None, day: dt.date) -> PlanningLimit | None:
    """The limit valid on ``day`` for the title (a title-specific row wins over a general one)."""
    rows = session.scalars(
        select(PlanningLimit).where((PlanningLimit.title_id == title_id) | PlanningLimit.title_id.is_(None))
    )
    valid = [
        r
        for r in rows
        if (r.valid_from is None or r.valid_from <= day) and (r.valid_to is None or day <= r.valid_to)
    ]
    valid.sort(key=lambda r: (r.title_id is None, -(r.valid_from or dt.date.min).toordinal()))
    return valid[0] if valid else None


def pool_count(session: Session, unit: Unit, title_id: int) -> int:
    return session.scalar(
        select(func.count(CadreProfile.id))
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(
            Unit.path.startswith(unit.path, autoescape=True),
            CadreProfile.title_id == title_id,
            CadreProfile.planning_status == PlanningStatus.in_pool,
        )
    )


def limit_warning(session: Session, profile: CadreProfile, day: dt.date) -> str | None:
    """A warning when the cadre's unit has more cadres planned for the title than allowed."""
    if profile.title_id is None:
        return None
    limit = planning_limit(session, profile.title_id, day)
    if limit is None:
        return None
    count = pool_count(session, profile.unit, profile.title_id)
    if count <= limit.max_per_title:
        return None
    return (
        f"{profile.unit.name} đang có {count} người trong quy hoạch chức danh "
        f"“{profile.title.name}”, vượt giới hạn {limit.max_per_title} người ({limit.legal_basis})."
    )


def decide(
    session: Session,
    actor: Any,
    profile: CadreProfile,
    decision: Decision | str,
    reason: str,
    policy_reference: str = "",
    now: dt.datetime | None = None,
) -> PlanningDecision:
    """Record a board decision (append-only) and apply it to the planning status (audited)."""
    now = now or utcnow()
    try:
        decision = Decision(decision)
    except ValueError:
        raise LmsError(_("Quyết định không hợp lệ.")) from None
    reason = (reason or "").strip()
    if len(reason) < MIN_DECISION_REASON:
        raise LmsError(
            _(
                "Cần ghi lý do bằng văn bản (ít nhất %(MIN_DECISION_REASON)s ký tự).",
                MIN_DECISION_REASON=MIN_DECISION_REASON,
            )
        )
    before = profile.planning_status
    after = DECISION_STATUS[decision] or before
    latest = session.scalar(
        select(EvaluationRecord.recommendation)
        .where(EvaluationRecord.cadre_id == profile.id)
        .order_by(EvaluationRecord.year.desc(), EvaluationRecord.id.desc())
        .limit(1)
    )
    if after != before:
        from lms.org.services import update_profile

        update_profile(session, profile, actor, planning_status=after)
    row = PlanningDecision(
        cadre_id=profile.id,
        decision=decision,
        status_before=str(before),
        status_after=str(after),
        reason=reason,
        policy_reference=(policy_reference or "").strip(),
        recommendation=latest,
        actor_id=getattr(actor, "id", None),
        unit_id=getattr(actor, "unit_id", None) or profile.unit_id,
        created_at=now,
    )
    row.limit_warning = limit_warning(session, profile, now.date())
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "planning.decide",
        "cadre_profile",
        profile.id,
        before={"planning_status": str(before)},
        after={"planning_status": str(after), "decision": str(decision), "reference": row.policy_reference},
        note=reason,
        now=now,
    )
    return row


def decisions_for(session: Session, profile: CadreProfile) -> list[PlanningDecision]:
    return list(
        session.scalars(
            select(PlanningDecision)
            .where(PlanningDecision.cadre_id == profile.id)
            .order_by(PlanningDecision.created_at.desc(), PlanningDecision.id.desc())
        )
    )
