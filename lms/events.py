"""Signals between features, so data flows one way without the writer knowing its readers.

- ``result_recorded(session, result=...)``: sent by lms.results after a Result is written or
  updated; evaluation recomputes the cadre's record.
- ``attendance_changed(session, cohort_id=...)``: sent by lms.programs; evaluation recomputes
  the cohort's records.
- ``program_saved(session, program_code=..., evaluation=...)``: sent by the programs importer;
  evaluation keeps the program's evaluation scheme in step with the file's ``evaluation`` block.

Receivers run inside the sender's transaction (same session), so a record never disagrees
with the inputs committed alongside it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
result_recorded = _signals.signal("result-recorded")
attendance_changed = _signals.signal("attendance-changed")
program_saved = _signals.signal("program-saved")

# Which evaluation components can a program produce? Each feature that produces one registers
# ``producer(session, root, program_code, target_groups) -> set[str]`` (quizzes: "entrance",
# "exit"; scenarios: "scenarios"), reading the content folder being imported (``root``, may be
# None) and what is already published. The programs importer refuses a weight nothing produces.
component_producers: list = []

# Who owns cohorts answers "which cohort does this result belong to?" (lms.programs registers
# it): quizzes and scenarios only know the program code.
cohort_resolvers: list = []


def resolve_cohort(session, cadre_id: int, program_code: str | None, finished_at) -> int | None:
    for resolve in cohort_resolvers:
        cohort_id = resolve(session, cadre_id, program_code, finished_at)
        if cohort_id is not None:
            return cohort_id
    return None
