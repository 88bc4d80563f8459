"""Every read of data owned by other packages, in one place.

Results come from ``lms.results`` (the one table quizzes and scenarios write). Cohorts,
enrollments and attendance belong to ``lms.programs``, built on another branch: until the
integrator wires these functions to its models, they read the tables ``cohort``,
``enrollment``, ``cohort_session`` and ``attendance`` with plain SQL *if they exist* and
otherwise answer "nothing known" (empty dict / None / False).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from lms.results.models import Result

log = logging.getLogger("lms")
_TABLES: dict[str, bool] = {}  # engine URL -> whether the programs tables exist (checked once)


def _has_programs(session: Session) -> bool:
    # Inspect through the session's own connection: a second connection would wait for the
    # write lock this session may hold (SQLite BEGIN IMMEDIATE) and fail "database is locked".
    connection = session.connection()
    key = str(connection.engine.url)
    if key not in _TABLES:
        names = set(inspect(connection).get_table_names())
        _TABLES[key] = {"cohort", "enrollment", "attendance", "cohort_session"} <= names
    return _TABLES[key]


def _query(session: Session, sql: str, **params) -> list:
    """Plain SQL against the programs tables; a schema we do not know answers nothing."""
    try:
        with session.begin_nested():
            return list(session.execute(text(sql), params))
    except SQLAlchemyError as exc:  # the other package's schema differs: say so once in the log
        log.warning("evaluation inputs: cannot read programs tables: %s", exc)
        return []


def results_for(
    session: Session,
    cadre_ids: Iterable[int],
    cohort_id: int | None = None,
    program_code: str | None = None,
) -> list[Result]:
    query = select(Result).where(Result.cadre_id.in_(list(cadre_ids)))
    if cohort_id is not None:
        query = query.where(Result.cohort_id == cohort_id)
    if program_code is not None:
        query = query.where(Result.program_code == program_code)
    return list(session.scalars(query.order_by(Result.finished_at, Result.id)))


def attendance_for(session: Session, cohort_id: int, cadre_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """cadre_id -> (sessions attended, sessions required); cadres without data are absent."""
    ids = list(cadre_ids)
    if not ids or not _has_programs(session):
        return {}
    required = _query(session, "SELECT count(*) FROM cohort_session WHERE cohort_id = :c", c=cohort_id)
    total = int(required[0][0]) if required else 0
    rows = _query(
        session,
        "SELECT e.profile_id, count(a.id) FROM enrollment e "
        "LEFT JOIN attendance a ON a.enrollment_id = e.id AND a.status = 'present' "
        "WHERE e.cohort_id = :c GROUP BY e.profile_id",
        c=cohort_id,
    )
    wanted = set(ids)
    return {int(cadre): (int(attended), total) for cadre, attended in rows if cadre in wanted and total}


def cohort_info(session: Session, cohort_id: int) -> dict | None:
    """{id, code, title, program_code, unit_id, start_date, end_date} or None when unknown."""
    if not _has_programs(session):
        return None
    rows = _query(
        session,
        "SELECT c.id, c.code, c.title, p.code, c.unit_id, c.start_date, c.end_date "
        "FROM cohort c LEFT JOIN program p ON p.id = c.program_id WHERE c.id = :c",
        c=cohort_id,
    )
    if not rows:
        return None
    row = rows[0]
    start, end = (_as_date(v) for v in (row[5], row[6]))
    return dict(
        id=row[0],
        code=row[1],
        title=row[2],
        program_code=row[3],
        unit_id=row[4],
        start_date=start,
        end_date=end,
    )


def is_enrolled(session: Session, cohort_id: int, cadre_id: int) -> bool:
    if not _has_programs(session):
        return False
    rows = _query(
        session,
        "SELECT 1 FROM enrollment WHERE cohort_id = :c AND profile_id = :p",
        c=cohort_id,
        p=cadre_id,
    )
    return bool(rows)


def enrolled_cadres(session: Session, cohort_id: int) -> list[int]:
    if not _has_programs(session):
        return []
    return [
        int(r[0])
        for r in _query(session, "SELECT profile_id FROM enrollment WHERE cohort_id = :c", c=cohort_id)
    ]


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
