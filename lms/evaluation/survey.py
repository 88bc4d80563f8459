"""The post-training survey a learner answers once per cohort."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.db import utcnow
from lms.errors import Conflict, Forbidden, LmsError
from lms.evaluation import inputs
from lms.evaluation.models import Improvement, SurveyResponse
from lms.org.models import CadreProfile
from lms.results.models import Result

# --- post-training survey ------------------------------------------------------------------


def may_answer_survey(session: Session, profile: CadreProfile, cohort_id: int) -> bool:
    has_result = session.scalar(
        select(Result.id).where(Result.cadre_id == profile.id, Result.cohort_id == cohort_id).limit(1)
    )
    return has_result is not None or inputs.is_enrolled(session, cohort_id, profile.id)


def submit_survey(
    session: Session,
    profile: CadreProfile,
    cohort_id: int,
    improvement: str,
    needs_update: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> SurveyResponse:
    if not may_answer_survey(session, profile, cohort_id):
        raise Forbidden(_("Đồng chí chưa tham gia lớp này nên không gửi phiếu khảo sát được."))
    existing = session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.cadre_id == profile.id, SurveyResponse.cohort_id == cohort_id
        )
    )
    if existing is not None:
        raise Conflict(_("Đồng chí đã gửi phiếu khảo sát cho lớp này; mỗi người gửi một lần."))
    try:
        improvement = Improvement(improvement)
    except ValueError:
        raise LmsError(_("Mức đánh giá không hợp lệ.")) from None
    program_code = session.scalar(
        select(Result.program_code)
        .where(Result.cadre_id == profile.id, Result.cohort_id == cohort_id)
        .limit(1)
    )
    row = SurveyResponse(
        cohort_id=cohort_id,
        cadre_id=profile.id,
        improvement=improvement,
        needs_update=bool(needs_update),
        comment=(comment or "").strip(),
        program_code=program_code,
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    return row
