"""Keeping records in step with their inputs: receivers of lms/events.py signals (connected
when this module is imported, which lms.evaluation.services does)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms import events
from lms.evaluation import inputs
from lms.evaluation.records import recompute, recompute_for_result
from lms.evaluation.schemes import IMPORT_NOTE, ensure_scheme
from lms.results.models import Result

# --- keeping records in step with their inputs (see lms/events.py) ------------------------


@events.result_recorded.connect
def _on_result_recorded(session: Session, result: Result) -> None:
    recompute_for_result(session, result)


@events.attendance_changed.connect
def _on_attendance_changed(session: Session, cohort_id: int) -> None:
    for cadre_id in inputs.enrolled_cadres(session, cohort_id):
        recompute(session, cadre_id, cohort_id)


@events.program_saved.connect
def _on_program_saved(session: Session, program_code: str, evaluation: dict | None) -> None:
    if evaluation is not None:
        ensure_scheme(session, program_code, evaluation, note=IMPORT_NOTE)
