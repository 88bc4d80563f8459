"""Playing a scenario: runs (start, restart, choose, advance, respond, undo), scoring a
finished run and keeping the cadre's Result in step with the grading method. Plain functions
over a session; the acting user and the clock come in as arguments. They flush, never commit."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from lms import audit
from lms.auth.models import Role, User
from lms.db import get_by_public_id
from lms.errors import Conflict, Forbidden, LmsError
from lms.org.models import CadreProfile, Unit
from lms.results.services import record_result
from lms.scenarios import drafts
from lms.scenarios.documents import _dec, _dumps, check_document
from lms.scenarios.graph import Graph, apply_effects, final_score, path_score, rubric_max
from lms.scenarios.models import (
    RunMode,
    RunStatus,
    Scenario,
    ScenarioResponse,
    ScenarioRun,
    ScenarioStatus,
    ScenarioStep,
)

# --- playing --------------------------------------------------------------------------------


def playable_query(user: User):
    """Published scenarios whose owner unit's subtree contains the user's unit."""
    query = (
        select(Scenario)
        .join(Unit, Unit.id == Scenario.owner_unit_id)
        .where(Scenario.status == ScenarioStatus.published)
    )
    if user.role != Role.admin:
        query = query.where(literal(user.unit.path).startswith(Unit.path))
    return query.order_by(Scenario.title)


def profile_of(session: Session, user: User) -> CadreProfile | None:
    return session.scalar(select(CadreProfile).where(CadreProfile.user_id == user.id))


def open_run(session: Session, scenario: Scenario, user: User, mode: RunMode) -> ScenarioRun | None:
    return session.scalar(
        select(ScenarioRun).where(
            ScenarioRun.scenario_id == scenario.id,
            ScenarioRun.user_id == user.id,
            ScenarioRun.mode == mode,
            ScenarioRun.status == RunStatus.in_progress,
        )
    )


def assessed_runs_used(session: Session, scenario: Scenario, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ScenarioRun)
            .where(
                ScenarioRun.scenario_id == scenario.id,
                ScenarioRun.user_id == user.id,
                ScenarioRun.mode == RunMode.assessed,
            )
        )
        or 0
    )


def start_run(
    session: Session, scenario: Scenario, user: User, mode: RunMode, now: dt.datetime
) -> ScenarioRun:
    existing = open_run(session, scenario, user, mode)
    if existing is not None:
        return existing  # resume instead of starting twice
    cadre = profile_of(session, user)
    if mode == RunMode.assessed:
        if scenario.status != ScenarioStatus.published:
            raise Conflict(_("Chỉ làm bài tính điểm trên tình huống đã ban hành; bản nháp chỉ xem thử."))
        if cadre is None:
            raise Forbidden(
                _(
                    "Tài khoản chưa gắn với hồ sơ cán bộ nên chỉ luyện tập được; đề nghị quản trị "
                    "gắn hồ sơ để làm bài tính điểm.",
                )
            )
        used = assessed_runs_used(session, scenario, user)
        if scenario.attempts_allowed and used >= scenario.attempts_allowed:
            raise Conflict(
                _(
                    "Đồng chí đã dùng hết %(attempts_allowed)s lượt làm bài tính điểm.",
                    attempts_allowed=scenario.attempts_allowed,
                )
            )
    if scenario.status != ScenarioStatus.published and not check_document(scenario).ok:
        raise Conflict(_("Bản nháp còn lỗi nên chưa chơi thử được; hãy sửa các lỗi trong trang soạn trước."))
    graph = Graph(scenario.doc)
    run = ScenarioRun(
        scenario_id=scenario.id,
        user_id=user.id,
        cadre_id=cadre.id if cadre else None,
        unit_id=user.unit_id,
        mode=mode,
        current_node=graph.start,
        variables=_dumps(graph.initial),
        step=0,
        raw_points=0,
        started_at=now,
        updated_at=now,
    )
    session.add(run)
    session.flush()
    if graph.node(graph.start)["kind"] == "ending":
        finish_run(session, run, now)
    return run


# Grading methods under which dropping an unfinished assessed run gains nothing over finishing
# it badly and taking another attempt. Under "first" or "mean" it would hide an attempt that
# should count, so there an assessed run can only be finished.
RESTARTABLE_METHODS = ("highest", "last")


def restart_blocker(session: Session, run: ScenarioRun) -> str | None:
    """Why the learner may not drop this unfinished run and start again (None: they may).
    Practice: always allowed. Assessed: only when the rules allow a new attempt, counting the
    dropped run as one used attempt, and only under a grading method where that changes nothing."""
    if not run.in_progress:
        return "Lượt này đã kết thúc."
    if run.mode == RunMode.practice:
        return None
    scenario = run.scenario
    if scenario.grading_method not in RESTARTABLE_METHODS:
        return (
            "Tình huống này tính điểm theo lượt đầu tiên hoặc điểm trung bình các lượt, "
            "nên bài tính điểm đã bắt đầu phải làm tiếp cho xong."
        )
    used = assessed_runs_used(session, scenario, run.user)
    if scenario.attempts_allowed and used >= scenario.attempts_allowed:
        return (
            f"Đồng chí đã dùng hết {scenario.attempts_allowed} lượt tính điểm "
            "nên cần làm tiếp lượt này cho xong."
        )
    if scenario.status != ScenarioStatus.published:
        return "Tình huống này không còn nhận bài tính điểm mới."
    return None


def restart_run(session: Session, run: ScenarioRun, user: User, now: dt.datetime) -> ScenarioRun:
    """Drop an unfinished run (kept as abandoned, never scored) and start a new one in the same
    mode. A second tap on the same button finds the run already dropped and returns the new one."""
    if run.user_id != user.id:
        raise Forbidden(_("Chỉ người đang làm mới được làm lại lượt này."))
    if run.status == RunStatus.abandoned:
        current = open_run(session, run.scenario, user, run.mode)
        if current is not None:
            return current
    blocker = restart_blocker(session, run)
    if blocker is not None:
        raise Conflict(blocker)
    run.status = RunStatus.abandoned
    run.updated_at = now
    session.flush()
    if run.mode == RunMode.assessed:
        audit.record(
            session,
            user,
            "scenario.restart",
            "scenario_run",
            run.id,
            before={"node": run.current_node, "step": run.step},
            after={"status": RunStatus.abandoned.value},
            now=now,
        )
    return start_run(session, run.scenario, user, run.mode, now)


def last_decision(run: ScenarioRun) -> ScenarioStep | None:
    decisions = run.decisions
    return decisions[-1] if decisions else None


def feedback_for(run: ScenarioRun) -> dict | None:
    """The feedback and consequence of the decision that led to the current node, if any."""
    step = last_decision(run)
    if step is None:
        return None
    doc_node = Graph(run.scenario.doc).node(step.node_id)
    choice = doc_node["choices"][step.choice_index]
    if choice["next"] != run.current_node:
        return None
    choices_html = run.scenario.html.get(step.node_id, {}).get("choices") or []
    html = choices_html[step.choice_index] if step.choice_index < len(choices_html) else {}
    return {
        "label": choice["label"],
        "points": step.points,
        "feedback": html.get("feedback", ""),
        "consequence": html.get("consequence", ""),
        "step": step,
    }


def can_undo(run: ScenarioRun) -> bool:
    return bool(run.scenario.allow_retry and run.in_progress and feedback_for(run))


def _stale(run: ScenarioRun, step: int | None) -> bool:
    """A POST for another step (double tap, resend, old tab) or to a finished or abandoned run
    changes nothing."""
    return not run.in_progress or step is None or step != run.step


def _move_to(session: Session, run: ScenarioRun, node_id: str, now: dt.datetime) -> None:
    run.current_node = node_id
    run.step += 1
    run.updated_at = now
    session.flush()
    if Graph(run.scenario.doc).node(node_id)["kind"] == "ending":
        finish_run(session, run, now)


def choose(session: Session, run: ScenarioRun, step: int | None, choice_index: int, now: dt.datetime) -> None:
    if _stale(run, step):
        return
    graph = Graph(run.scenario.doc)
    node = graph.node(run.current_node)
    if node["kind"] != "decision":
        raise LmsError(_("Bước này không có lựa chọn; vui lòng tải lại trang."))
    available = dict(graph.available(run.current_node, run.vars))
    choice = available.get(choice_index)
    if choice is None:
        raise LmsError(_("Lựa chọn không hợp lệ; vui lòng tải lại trang và chọn lại."))
    seq = (max((s.seq for s in run.steps), default=0)) + 1
    run.steps.append(
        ScenarioStep(
            seq=seq,
            node_id=node["id"],
            choice_index=choice_index,
            points=_dec(choice.get("points") or 0),
            variables_before=run.variables,
            at=now,
        )
    )
    run.variables = _dumps(apply_effects(choice, run.vars))
    run.raw_points = _dec(run.raw_points or 0) + _dec(choice.get("points") or 0)
    _move_to(session, run, choice["next"], now)


def advance(session: Session, run: ScenarioRun, step: int | None, now: dt.datetime) -> None:
    if _stale(run, step):
        return
    node = Graph(run.scenario.doc).node(run.current_node)
    if node["kind"] != "situation":
        raise LmsError(_("Bước này cần một lựa chọn hoặc câu trả lời; vui lòng tải lại trang."))
    _move_to(session, run, node["next"], now)


MAX_ANSWER = drafts.MAX_ANSWER


def respond(session: Session, run: ScenarioRun, step: int | None, answer: str, now: dt.datetime) -> None:
    if _stale(run, step):
        return
    node = Graph(run.scenario.doc).node(run.current_node)
    if node["kind"] != "response":
        raise LmsError(_("Bước này không yêu cầu trả lời viết; vui lòng tải lại trang."))
    answer = (answer or "").strip()
    if not answer:
        raise LmsError(_("Vui lòng viết câu trả lời trước khi gửi."))
    refused = drafts.too_long_message(answer)
    if refused:
        raise LmsError(refused)
    run.responses.append(
        ScenarioResponse(
            node_id=node["id"], answer=answer, submitted_at=now, max_points=_dec(rubric_max(node))
        )
    )
    drafts.discard(session, run, node["id"])
    _move_to(session, run, node["next"], now)


def undo(session: Session, run: ScenarioRun, step: int | None, now: dt.datetime) -> None:
    if _stale(run, step):
        return
    if not run.scenario.allow_retry:
        raise Forbidden(_("Tình huống này không cho phép chọn lại: quyết định đã đưa ra không thể rút lại."))
    if not can_undo(run):
        raise Conflict(_("Chỉ chọn lại được ngay sau quyết định vừa đưa ra."))
    last = last_decision(run)
    last.undone = True
    run.variables = last.variables_before
    run.raw_points = _dec(run.raw_points) - _dec(last.points)
    run.current_node = last.node_id
    run.step += 1
    run.updated_at = now
    session.flush()


def _score_run(run: ScenarioRun) -> None:
    scenario = run.scenario
    graph = Graph(scenario.doc)
    ending = graph.node(run.current_node)
    run.path_score = path_score(float(run.raw_points or 0), ending, float(scenario.max_points))
    if run.responses:
        run.rubric_max = sum((_dec(r.max_points) for r in run.responses), decimal.Decimal(0))
        run.rubric_points = sum((_dec(r.points or 0) for r in run.responses), decimal.Decimal(0))
        run.pending = any(not r.graded for r in run.responses)
    else:
        run.rubric_max = run.rubric_points = None
        run.pending = False
    run.score = final_score(run.path_score, scenario.rubric_weight, run.rubric_points, run.rubric_max)
    run.passed = run.score >= scenario.pass_mark


def finish_run(session: Session, run: ScenarioRun, now: dt.datetime, actor: Any = None) -> None:
    run.status = RunStatus.finished
    run.finished_at = now
    _score_run(run)
    session.flush()
    if run.mode == RunMode.assessed and run.cadre_id:
        sync_result(session, run.cadre, run.scenario, now, actor=actor or run.user)


def decisions_detail(run: ScenarioRun) -> list[dict]:
    graph = Graph(run.scenario.doc)
    rows = []
    for step in run.decisions:
        node = graph.node(step.node_id)
        rows.append(
            {
                "node": step.node_id,
                "title": node.get("title", ""),
                "choice": step.choice_index,
                "label": node["choices"][step.choice_index]["label"],
                "points": float(step.points),
            }
        )
    return rows


def sync_result(
    session: Session, cadre: CadreProfile, scenario: Scenario, now: dt.datetime, actor: Any
) -> None:
    """One Result per cadre × scenario version, reflecting the grading policy.

    The Result is keyed (origin_id) by the first finished assessed run, so it is found again
    and updated in place after every later run or rubric grade. Its score follows
    ``grading_method``: highest / last / first run score, or the mean of all finished runs.
    """
    runs = list(
        session.scalars(
            select(ScenarioRun)
            .where(
                ScenarioRun.cadre_id == cadre.id,
                ScenarioRun.scenario_id == scenario.id,
                ScenarioRun.mode == RunMode.assessed,
                ScenarioRun.status == RunStatus.finished,
            )
            .order_by(ScenarioRun.finished_at, ScenarioRun.id)
        )
    )
    if not runs:
        return
    method = scenario.grading_method
    if method == "last":
        counted = [runs[-1]]
    elif method == "first":
        counted = [runs[0]]
    elif method == "mean":
        counted = runs
    else:
        best = max(r.score for r in runs)
        counted = [next(r for r in runs if r.score == best)]
    score = sum((r.score for r in counted), decimal.Decimal(0)) / len(counted)
    pending = any(r.pending for r in (runs if method == "highest" else counted))
    shown = counted[-1]
    record_result(
        session,
        cadre=cadre,
        kind="scenario",
        purpose="scenario",
        origin_id=runs[0].id,
        source_id=scenario.id,
        source_version=scenario.version,
        source_title=scenario.title,
        score=score,
        passed=score >= scenario.pass_mark,
        pending=pending,
        finished_at=shown.finished_at,
        details={
            "scenario": scenario.code,
            "grading_method": method,
            "runs": [{"run": r.public_id, "score": str(r.score), "pending": r.pending} for r in runs],
            "counted": [r.public_id for r in counted],
            "decisions": decisions_detail(shown),
        },
        actor=actor,
    )


def get_run(session: Session, public_id: str) -> ScenarioRun:
    return get_by_public_id(session, ScenarioRun, public_id, _("Không tìm thấy lượt làm bài."))
