"""Scenarios inside the learner's courses (lms/events.py): a scenario belongs to a program when
they share a target group (``Scenario.target_groups`` ∩ the program's target groups)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import events, numerals
from lms.auth.models import User
from lms.scenarios import services as sv
from lms.scenarios.models import RunMode, RunStatus, ScenarioRun


def _state(runs: list[ScenarioRun]) -> str:
    if any(r.status == RunStatus.in_progress and r.mode == RunMode.assessed for r in runs):
        return _("Đang làm dở")
    scored = [r for r in runs if r.finished and r.mode == RunMode.assessed and r.score is not None]
    if scored:
        best = max(r.score for r in scored)
        text = numerals.score(best)
        if any(r.pending for r in scored):
            return _("Điểm tạm: %(s)s/10, chờ chấm tự luận", s=text)
        return _("Điểm: %(s)s/10", s=text)
    return _("Chưa làm")


def activities(session: Session, user: User, programs: list[dict]) -> dict[str, list[dict]]:
    if not programs:
        return {}
    scenarios = session.scalars(sv.playable_query(user)).all()
    runs: dict[int, list[ScenarioRun]] = {}
    if scenarios:
        for run in session.scalars(
            select(ScenarioRun).where(
                ScenarioRun.user_id == user.id, ScenarioRun.scenario_id.in_([s.id for s in scenarios])
            )
        ):
            runs.setdefault(run.scenario_id, []).append(run)
    out: dict[str, list[dict]] = {}
    for program in programs:
        groups = set(program["target_groups"])
        for scenario in scenarios:
            if not groups & set((scenario.target_groups or "").split()):
                continue
            out.setdefault(program["code"], []).append(
                {
                    "stage": "scenarios",
                    "kind": "scenario",
                    "title": scenario.title,
                    "url": url_for("scenarios.intro", public_id=scenario.public_id),
                    "meta": _("khoảng %(n)s phút", n=scenario.estimated_minutes),
                    "state": _state(runs.get(scenario.id, [])),
                    "order": 0,
                }
            )
    return out


events.program_activity_providers.append(activities)


def result_reviews(session: Session, user: User, results: list) -> dict[int, dict]:
    """The review of each scenario result: the run's summary (the path taken, the feedback)."""
    wanted = {r.origin_id: r for r in results if r.kind == "scenario"}
    if not wanted:
        return {}
    runs = {r.id: r for r in session.scalars(select(ScenarioRun).where(ScenarioRun.id.in_(list(wanted))))}
    out = {}
    for origin_id, result in wanted.items():
        run = runs.get(origin_id)
        if run is None:
            out[result.id] = {"url": None, "why_not": _("Lượt làm này không còn trên hệ thống.")}
        elif run.user_id != user.id:
            out[result.id] = {"url": None, "why_not": _("Lượt làm thuộc tài khoản khác.")}
        elif not run.finished:
            out[result.id] = {"url": None, "why_not": _("Lượt làm chưa kết thúc.")}
        else:
            out[result.id] = {"url": url_for("scenarios.play", public_id=run.public_id), "why_not": None}
    return out


events.result_review_providers.append(result_reviews)
