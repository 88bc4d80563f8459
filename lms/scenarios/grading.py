"""Rubric grading of free-text answers: the grading queue, grading and second review, and what
the learner sees of a graded answer. Plain functions over a session; they flush, never commit."""

from __future__ import annotations

import datetime as dt
import decimal
import json

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms import audit
from lms.auth.models import Role, User
from lms.db import get_by_public_id
from lms.errors import Conflict, Forbidden, LmsError
from lms.org.models import Unit
from lms.scenarios.documents import _dec
from lms.scenarios.graph import Graph
from lms.scenarios.models import RunMode, RunStatus, ScenarioResponse, ScenarioRun
from lms.scenarios.runs import _score_run, sync_result

# --- rubric grading -------------------------------------------------------------------------


def grading_query(user: User, only_open: bool = True):
    query = (
        select(ScenarioResponse)
        .join(ScenarioRun, ScenarioRun.id == ScenarioResponse.run_id)
        .join(Unit, Unit.id == ScenarioRun.unit_id)
        .where(ScenarioRun.status == RunStatus.finished)
    )
    if user.role != Role.admin:
        query = query.where(Unit.path.startswith(user.unit.path, autoescape=True))
    if only_open:
        query = query.where(ScenarioResponse.points.is_(None))
    # the queue shows the scenario, the learner and their unit of every answer: load them at once
    run = selectinload(ScenarioResponse.run)
    query = query.options(
        run.selectinload(ScenarioRun.scenario),
        run.selectinload(ScenarioRun.user),
        run.selectinload(ScenarioRun.unit),
    )
    return query.order_by(ScenarioResponse.submitted_at)


def response_node(response: ScenarioResponse) -> dict:
    return Graph(response.run.scenario.doc).node(response.node_id)


def node_titles(responses: list[ScenarioResponse]) -> dict[int, str]:
    """The title of the step each answer belongs to ("Giải thích trình tự tiếp theo"), by
    response id, for the grading queue; each scenario's document is read once."""
    graphs: dict[int, Graph] = {}
    titles = {}
    for response in responses:
        scenario = response.run.scenario
        if scenario.id not in graphs:
            graphs[scenario.id] = Graph(scenario.doc)
        node = graphs[scenario.id].nodes.get(response.node_id, {})
        titles[response.id] = node.get("title") or response.node_id
    return titles


def _levels_points(node: dict, levels: list[int]) -> decimal.Decimal:
    rubric = node["rubric"]
    if len(levels) != len(rubric):
        raise LmsError(_("Hãy chọn một mức cho mỗi tiêu chí."))
    total = decimal.Decimal(0)
    for criterion, index in zip(rubric, levels, strict=True):
        if not 0 <= index < len(criterion["levels"]):
            raise LmsError(_("Mức đánh giá không hợp lệ; vui lòng tải lại trang."))
        total += _dec(criterion["levels"][index]["points"])
    return total


def _grade_state(response: ScenarioResponse) -> dict:
    return {
        "levels": response.chosen_levels,
        "points": None if response.points is None else str(response.points),
        "comment": response.comment,
        "review_comment": response.review_comment,
    }


def grade_response(
    session: Session,
    response: ScenarioResponse,
    actor: User,
    levels: list[int],
    comment: str,
    now: dt.datetime,
    review: bool = False,
) -> None:
    """Grade (or, as a second grader, review) one answer; the run and its Result follow."""
    run = response.run
    if not run.finished:
        raise Conflict(_("Chỉ chấm bài đã hoàn thành."))
    before = _grade_state(response)
    points = _levels_points(response_node(response), levels)
    comment = (comment or "").strip() or None
    if review:
        if not response.graded:
            raise Conflict(_("Bài chưa được chấm lần đầu nên chưa thể chấm phúc tra."))
        if response.grader_id == actor.id:
            raise Forbidden(_("Người chấm phúc tra phải khác người chấm lần đầu."))
        response.reviewer_id, response.reviewed_at, response.review_comment = actor.id, now, comment
    else:
        response.grader_id, response.graded_at, response.comment = actor.id, now, comment
    response.levels = json.dumps(levels)
    response.points = points
    session.flush()
    audit.record(
        session,
        actor,
        "scenario.review" if review else "scenario.grade",
        "scenario_response",
        response.id,
        before=before,
        after=_grade_state(response),
        now=now,
    )
    _score_run(run)
    session.flush()
    if run.mode == RunMode.assessed and run.cadre_id:
        sync_result(session, run.cadre, run.scenario, now, actor=actor)


def get_response(session: Session, public_id: str) -> ScenarioResponse:
    return get_by_public_id(session, ScenarioResponse, public_id, _("Không tìm thấy câu trả lời."))


def word_count(text: str | None) -> int:
    """Words of a free-text answer as a grader counts them (runs of non-space characters)."""
    return len((text or "").split())


def criterion_levels(node: dict, response: ScenarioResponse) -> list[dict]:
    """What the learner sees of a graded answer: each criterion, the level given, its points
    and the best points of that criterion (levels stored as indexes into the node's rubric)."""
    chosen = response.chosen_levels
    rows = []
    for index, criterion in enumerate(node.get("rubric") or []):
        levels = criterion.get("levels") or []
        if index >= len(chosen) or not 0 <= chosen[index] < len(levels):
            return []  # a rubric that no longer matches the grade: show only the total
        level = levels[chosen[index]]
        rows.append(
            {
                "criterion": criterion.get("criterion", ""),
                "label": level.get("label", ""),
                "points": level.get("points", 0),
                "max": max(lv.get("points", 0) for lv in levels),
            }
        )
    return rows
