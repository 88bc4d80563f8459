"""Signals between features, so data flows one way without the writer knowing its readers.

- ``result_recorded(session, result=...)``: sent by lms.results after a Result is written or
  updated; evaluation recomputes the cadre's record.
- ``attendance_changed(session, cohort_id=...)``: sent by lms.programs; evaluation recomputes
  the cohort's records.
- ``program_saved(session, program_code=..., evaluation=...)``: sent by the programs importer;
  evaluation keeps the program's evaluation scheme in step with the file's ``evaluation`` block.
- ``records_stale(session, program_code=..., actor=...)``: sent by evaluation when a program's
  scheme changed and open records were computed with the old one; lms.jobs asks for a
  ``recompute`` job in the same transaction (handed to the queue after the commit).

Receivers run inside the sender's transaction (same session), so a record never disagrees
with the inputs committed alongside it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
result_recorded = _signals.signal("result-recorded")
attendance_changed = _signals.signal("attendance-changed")
program_saved = _signals.signal("program-saved")
records_stale = _signals.signal("records-stale")

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


# The learner's way through a program ("Khóa học của tôi", the quiz list). lms.programs owns
# enrollments and registers ``learner_programs``; lms.quizzes and lms.scenarios register
# ``program_activities``, so programs lists a course's tests and scenarios without importing them
# and quizzes groups its list by program without knowing about cohorts.
#
# learner_programs: fn(session, user) -> {"enrolled": [ProgramInfo], "known": set of program codes}
#   ProgramInfo = {"code", "title", "cohort_id", "cohort_title", "target_groups": [codes]}
# program_activities: fn(session, user, [ProgramInfo]) -> {program code: [Activity]}
#   Activity = {"stage": "entrance" | "topics" | "scenarios" | "exit", "kind", "title", "url",
#               "meta": str, "state": str, "order": sortable}
learner_program_resolvers: list = []
program_activity_providers: list = []
STAGES = ("entrance", "topics", "scenarios", "exit")


def learner_programs(session, user) -> dict:
    enrolled: list[dict] = []
    known: set[str] = set()
    for resolve in learner_program_resolvers:
        found = resolve(session, user)
        enrolled.extend(found["enrolled"])
        known |= set(found["known"])
    return {"enrolled": enrolled, "known": known}


def program_activities(session, user, programs: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {p["code"]: [] for p in programs}
    for provide in program_activity_providers:
        for code, items in provide(session, user, programs).items():
            out.setdefault(code, []).extend(items)
    for items in out.values():
        items.sort(key=lambda a: (STAGES.index(a["stage"]), a.get("order", 0), a["title"]))
    return out


# Where a learner reviews a result ("Xem lại bài"). lms.quizzes and lms.scenarios register
# ``fn(session, user, results) -> {result id: {"url": str | None, "why_not": str | None}}`` for
# the results of their kind, so lms.results links each row without importing them.
result_review_providers: list = []


def result_reviews(session, user, results: list) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for provide in result_review_providers:
        out.update(provide(session, user, results))
    return out
