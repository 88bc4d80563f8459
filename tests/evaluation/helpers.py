"""Hand-made evaluation inputs: results through record_result, assessments through the service."""

from __future__ import annotations

import datetime as dt
import itertools

from lms.results.services import record_result

_origin = itertools.count(10_000)
WHEN = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)


def result(
    session,
    cadre,
    purpose,
    score,
    *,
    cohort_id=1,
    topic="t1",
    program="p1",
    kind=None,
    pending=False,
    source_id=None,
    details=None,
    when=WHEN,
):
    kind = kind or ("scenario" if purpose == "scenario" else "quiz")
    return record_result(
        session,
        cadre=cadre,
        kind=kind,
        origin_id=next(_origin),
        source_id=source_id or next(_origin),
        source_version=1,
        source_title=f"{purpose} {topic}",
        purpose=purpose,
        score=score,
        passed=score >= 5,
        finished_at=when,
        pending=pending,
        topic_code=topic,
        program_code=program,
        cohort_id=cohort_id,
        details=details,
    )
