"""Scenario rules: import/export, authoring workflow, playing, rubric grading, results.

Plain functions over a session; the acting user and the clock come in as arguments. They
flush, never commit. Errors are ``LmsError`` subclasses with a Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, selectinload

from lms import audit
from lms.auth.models import Role, User
from lms.errors import Conflict, FileProblem, Forbidden, InvalidFile, LmsError, NotFound
from lms.org.models import CadreProfile, Unit
from lms.results.services import record_result
from lms.sanitize import markdown_to_html
from lms.scenarios import drafts
from lms.scenarios.editor import META_KEYS
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
from lms.scenarios.validate import Checked, validate_file, validate_text

WORKING = (ScenarioStatus.draft, ScenarioStatus.submitted, ScenarioStatus.returned, ScenarioStatus.approved)
MARKDOWN_FIELDS = ("text", "prompt", "model_answer", "outcome", "commentary")
TOP_ORDER = (
    "code",
    "title",
    "target_groups",
    "titles",
    "field",
    "legal_basis",
    "as_of",
    "estimated_minutes",
    "pass_mark",
    "rubric_weight",
    "allow_retry",
    "attempts_allowed",
    "grading_method",
    "variables",
    "start",
    "nodes",
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _dec(value: Any) -> decimal.Decimal:
    return decimal.Decimal(str(value))


# --- documents ------------------------------------------------------------------------------


def render_document(doc: dict) -> dict:
    """Markdown → sanitized HTML for every prose field, once, at save time."""
    rendered: dict[str, dict] = {}
    for node in doc["nodes"]:
        html = {key: markdown_to_html(node[key]) for key in MARKDOWN_FIELDS if node.get(key)}
        if node["kind"] == "decision":
            html["choices"] = [
                {key: markdown_to_html(c[key]) for key in ("feedback", "consequence") if c.get(key)}
                for c in node["choices"]
            ]
        rendered[node["id"]] = html
    return rendered


def _apply(scenario: Scenario, checked: Checked, now: dt.datetime) -> None:
    doc = checked.document
    assert doc is not None
    scenario.title = doc["title"].strip()
    scenario.field = doc["field"]
    scenario.target_groups = " ".join(doc.get("target_groups") or [])
    scenario.titles = " ".join(doc.get("titles") or [])
    scenario.legal_basis = doc["legal_basis"].strip()
    scenario.as_of = dt.date.fromisoformat(doc["as_of"])
    scenario.estimated_minutes = doc["estimated_minutes"]
    scenario.pass_mark = _dec(doc.get("pass_mark", 5))
    scenario.rubric_weight = _dec(doc.get("rubric_weight", 0))
    scenario.allow_retry = bool(doc.get("allow_retry", False))
    scenario.attempts_allowed = int(doc.get("attempts_allowed", 0))
    scenario.grading_method = doc.get("grading_method", "highest")
    scenario.max_points = _dec(checked.max_points)
    scenario.min_points = _dec(checked.min_points)
    scenario.document = _dumps(doc)
    scenario.rendered = _dumps(render_document(doc))
    scenario.updated_at = now


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    # Markdown paragraphs stay readable: multi-line text as a literal block (|).
    style = "|" if "\n" in value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def export_text(scenario: Scenario) -> str:
    """The version as a YAML file in the format of content/FORMATS.md (round-trips)."""
    return dump_document(scenario.doc)


def dump_document(doc: dict) -> str:
    ordered = {key: doc[key] for key in TOP_ORDER if key in doc}
    ordered.update({key: value for key, value in doc.items() if key not in ordered})  # keep unknowns visible
    if isinstance(ordered.get("as_of"), str):
        try:
            ordered["as_of"] = dt.date.fromisoformat(ordered["as_of"])
        except ValueError:
            pass  # validation reports it
    return yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def check_document(scenario: Scenario) -> Checked:
    """Validate a stored version exactly as an imported file would be (drafts may hold errors)."""
    return validate_text(export_text(scenario), f"{scenario.code}.yaml")


def latest(session: Session, code: str, statuses=None) -> Scenario | None:
    query = select(Scenario).where(Scenario.code == code)
    if statuses:
        query = query.where(Scenario.status.in_(statuses))
    return session.scalar(query.order_by(Scenario.version.desc()).limit(1))


def _next_version(session: Session, code: str) -> int:
    return (session.scalar(select(func.max(Scenario.version)).where(Scenario.code == code)) or 0) + 1


def _publish(session: Session, scenario: Scenario, actor: Any, now: dt.datetime) -> None:
    for old in session.scalars(
        select(Scenario).where(
            Scenario.code == scenario.code,
            Scenario.status == ScenarioStatus.published,
            Scenario.id != scenario.id,
        )
    ):
        old.archive()
    scenario.publish(now)
    scenario.approver_id = getattr(actor, "id", None)


def check_paths(paths: list[Path]) -> list[Checked]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    checked = [validate_file(f) for f in files]
    seen: dict[str, str] = {}
    for item in checked:
        code = item.document["code"] if item.document else None
        if code and code in seen:
            item.problems.append(FileProblem(item.path, 1, f"code {code!r} is also used by {seen[code]}"))
        elif code:
            seen[code] = item.path
    return checked


def import_checked(
    session: Session, checked: list[Checked], owner_unit: Unit, actor: Any, now: dt.datetime
) -> dict[str, int]:
    """Publish every document; nothing is written when any has a problem. Importing an
    unchanged file again does nothing; a changed one becomes a new published version."""
    problems = [p for item in checked for p in item.problems]
    if problems:
        raise InvalidFile(problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for item in checked:
        doc = item.document
        current = latest(session, doc["code"], [ScenarioStatus.published])
        if current is not None and current.document == _dumps(doc):
            counts["unchanged"] += 1
            continue
        scenario = Scenario(
            code=doc["code"],
            version=_next_version(session, doc["code"]),
            owner_unit_id=owner_unit.id,
            author_id=getattr(actor, "id", None),
            status=ScenarioStatus.draft,
            created_at=now,
        )
        _apply(scenario, item, now)
        session.add(scenario)
        session.flush()
        _publish(session, scenario, actor, now)
        counts["updated" if current else "created"] += 1
        audit.record(
            session, actor, "scenario.import", "scenario", scenario.id, after=_wf_state(scenario), now=now
        )
    session.flush()
    return counts


# --- authoring workflow ---------------------------------------------------------------------


def _wf_state(scenario: Scenario) -> dict:
    return {"code": scenario.code, "version": scenario.version, "status": scenario.status.value}


def _checked_or_raise(text: str, path: str) -> Checked:
    checked = validate_text(text, path)
    if not checked.ok:
        raise InvalidFile(checked.problems)
    return checked


def create_scenario(session: Session, actor: User, text: str, owner_unit: Unit, now: dt.datetime) -> Scenario:
    checked = _checked_or_raise(text, "scenario.yaml")
    code = checked.document["code"]
    if latest(session, code) is not None:
        raise Conflict(f"Mã tình huống “{code}” đã tồn tại; hãy chọn mã khác hoặc sửa tình huống đó.")
    scenario = Scenario(code=code, version=1, owner_unit_id=owner_unit.id, author_id=actor.id, created_at=now)
    _apply(scenario, checked, now)
    session.add(scenario)
    session.flush()
    audit.record(
        session, actor, "scenario.create", "scenario", scenario.id, after=_wf_state(scenario), now=now
    )
    return scenario


def save_draft(session: Session, scenario: Scenario, actor: User, text: str, now: dt.datetime) -> Scenario:
    scenario.ensure_editable()
    checked = _checked_or_raise(text, f"{scenario.code}.yaml")
    if checked.document["code"] != scenario.code:
        raise LmsError(f"Không được đổi mã tình huống (đang là “{scenario.code}”).")
    before = {"max_points": str(scenario.max_points), "title": scenario.title}
    _apply(scenario, checked, now)
    _discard_previews(session, scenario)
    session.flush()
    audit.record(
        session,
        actor,
        "scenario.edit",
        "scenario",
        scenario.id,
        before=before,
        after={"max_points": str(scenario.max_points), "title": scenario.title},
        now=now,
    )
    return scenario


def _apply_unfinished(scenario: Scenario, doc: dict, now: dt.datetime) -> None:
    """Store a draft that does not validate yet: the document as the forms built it, the
    columns it can fill, and no point bounds (computed again once it validates)."""
    scenario.title = str(doc.get("title") or scenario.title or doc.get("code")).strip()[:300]
    scenario.field = str(doc.get("field") or "")[:60]
    scenario.target_groups = " ".join(doc.get("target_groups") or [])
    scenario.titles = " ".join(doc.get("titles") or [])
    scenario.legal_basis = str(doc.get("legal_basis") or "").strip()
    try:
        scenario.as_of = dt.date.fromisoformat(doc["as_of"]) if doc.get("as_of") else None
    except (TypeError, ValueError):
        scenario.as_of = None
    scenario.max_points = scenario.min_points = _dec(0)
    scenario.document = _dumps(doc)
    try:
        scenario.rendered = _dumps(render_document(doc))
    except (KeyError, TypeError, AttributeError):
        scenario.rendered = "{}"
    scenario.updated_at = now


def _discard_previews(session: Session, scenario: Scenario) -> None:
    """Runs of an unpublished version are author previews (practice only, never a Result);
    after an edit their path may name nodes that no longer exist, so they are dropped."""
    if scenario.status == ScenarioStatus.published:
        return
    for run in session.scalars(select(ScenarioRun).where(ScenarioRun.scenario_id == scenario.id)):
        session.delete(run)


def save_document(
    session: Session, scenario: Scenario, actor: User, doc: dict, now: dt.datetime, what: str
) -> Checked:
    """Form editor save: re-serialise, validate as an import would, and store the draft even
    when it has problems (authors build step by step). Submission is refused while it has
    errors (see ``transition``). ``what`` names the change in the audit log."""
    scenario.ensure_editable()
    if doc.get("code") != scenario.code:
        raise LmsError(f"Không được đổi mã tình huống (đang là “{scenario.code}”).")
    checked = validate_text(dump_document(doc), f"{scenario.code}.yaml")
    before = {"title": scenario.title, "max_points": str(scenario.max_points)}
    if checked.ok:
        _apply(scenario, checked, now)
    else:
        _apply_unfinished(scenario, doc, now)
    _discard_previews(session, scenario)
    session.flush()
    audit.record(
        session,
        actor,
        "scenario.edit",
        "scenario",
        scenario.id,
        before=before,
        after={
            "title": scenario.title,
            "max_points": str(scenario.max_points),
            "errors": len(checked.problems),
        },
        note=what,
        now=now,
    )
    return checked


def create_blank(
    session: Session, actor: User, code: str, title: str, owner_unit: Unit, now: dt.datetime
) -> Scenario:
    """A new draft started from the forms: only a code and a title; nodes are added next."""
    from lms.scenarios.editor import blank_document
    from lms.scenarios.validate import SLUG

    code = (code or "").strip()
    if not SLUG.match(code) or len(code) > 80:
        raise LmsError("Mã tình huống là chữ thường không dấu, số và “-”, ví dụ: tranh-chap-dat-dai.")
    if latest(session, code) is not None:
        raise Conflict(f"Mã tình huống “{code}” đã tồn tại; hãy chọn mã khác hoặc sửa tình huống đó.")
    scenario = Scenario(
        code=code, version=1, owner_unit_id=owner_unit.id, author_id=actor.id, created_at=now, title=title
    )
    _apply_unfinished(scenario, blank_document(code, title), now)
    session.add(scenario)
    session.flush()
    audit.record(
        session, actor, "scenario.create", "scenario", scenario.id, after=_wf_state(scenario), now=now
    )
    return scenario


class StillInvalid(LmsError):
    """Submission refused: the draft still has validation errors (listed in ``problems``)."""

    status = 409

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__(
            f"Chưa gửi duyệt được: tình huống còn {len(problems)} lỗi cần sửa: "
            + "; ".join(p.message for p in problems)
        )


def new_version(session: Session, scenario: Scenario, actor: User, now: dt.datetime) -> Scenario:
    """Editing a published version: reuse the working copy of the code, or start one."""
    working = latest(session, scenario.code, WORKING)
    if working is not None:
        return working
    copy = Scenario(
        code=scenario.code,
        version=_next_version(session, scenario.code),
        owner_unit_id=scenario.owner_unit_id,
        author_id=actor.id,
        status=ScenarioStatus.draft,
        created_at=now,
    )
    for column in (*META_KEYS, "max_points", "min_points", "document", "rendered"):
        setattr(copy, column, getattr(scenario, column))
    copy.updated_at = now
    session.add(copy)
    session.flush()
    audit.record(session, actor, "scenario.new_version", "scenario", copy.id, after=_wf_state(copy), now=now)
    return copy


def _not_author(scenario: Scenario, actor: User) -> None:
    if scenario.author_id is not None and scenario.author_id == actor.id:
        raise Forbidden("Người soạn không được tự duyệt hoặc ban hành tình huống của mình.")


def transition(
    session: Session, scenario: Scenario, actor: User, action: str, now: dt.datetime, comment: str = ""
) -> None:
    before = _wf_state(scenario)
    comment = (comment or "").strip()
    if action == "submit":
        checked = check_document(scenario)
        if not checked.ok:
            raise StillInvalid(checked.problems)
        scenario.submit()
    elif action == "return":
        _not_author(scenario, actor)
        if not comment:
            raise LmsError("Khi trả lại phải ghi rõ lý do để người soạn sửa.")
        scenario.return_to_author()
        scenario.review_comment = comment
    elif action == "approve":
        _not_author(scenario, actor)
        scenario.approve()
        scenario.approver_id = actor.id
        scenario.review_comment = comment or None
    elif action == "publish":
        _not_author(scenario, actor)
        if scenario.status != ScenarioStatus.approved:
            raise Conflict("Chỉ ban hành được phiên bản đã duyệt.")
        _publish(session, scenario, actor, now)
    else:
        raise NotFound("Thao tác không tồn tại.")
    scenario.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        f"scenario.{action}",
        "scenario",
        scenario.id,
        before=before,
        after=_wf_state(scenario),
        note=comment or None,
        now=now,
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
            raise Conflict("Chỉ làm bài tính điểm trên tình huống đã ban hành; bản nháp chỉ xem thử.")
        if cadre is None:
            raise Forbidden(
                "Tài khoản chưa gắn với hồ sơ cán bộ nên chỉ luyện tập được; "
                "đề nghị quản trị gắn hồ sơ để làm bài tính điểm."
            )
        used = assessed_runs_used(session, scenario, user)
        if scenario.attempts_allowed and used >= scenario.attempts_allowed:
            raise Conflict(f"Đồng chí đã dùng hết {scenario.attempts_allowed} lượt làm bài tính điểm.")
    if scenario.status != ScenarioStatus.published and not check_document(scenario).ok:
        raise Conflict("Bản nháp còn lỗi nên chưa chơi thử được; hãy sửa các lỗi trong trang soạn trước.")
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
        raise Forbidden("Chỉ người đang làm mới được làm lại lượt này.")
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
        raise LmsError("Bước này không có lựa chọn; vui lòng tải lại trang.")
    available = dict(graph.available(run.current_node, run.vars))
    choice = available.get(choice_index)
    if choice is None:
        raise LmsError("Lựa chọn không hợp lệ; vui lòng tải lại trang và chọn lại.")
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
        raise LmsError("Bước này cần một lựa chọn hoặc câu trả lời; vui lòng tải lại trang.")
    _move_to(session, run, node["next"], now)


MAX_ANSWER = drafts.MAX_ANSWER


def respond(session: Session, run: ScenarioRun, step: int | None, answer: str, now: dt.datetime) -> None:
    if _stale(run, step):
        return
    node = Graph(run.scenario.doc).node(run.current_node)
    if node["kind"] != "response":
        raise LmsError("Bước này không yêu cầu trả lời viết; vui lòng tải lại trang.")
    answer = (answer or "").strip()
    if not answer:
        raise LmsError("Vui lòng viết câu trả lời trước khi gửi.")
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
        raise Forbidden("Tình huống này không cho phép chọn lại: quyết định đã đưa ra không thể rút lại.")
    if not can_undo(run):
        raise Conflict("Chỉ chọn lại được ngay sau quyết định vừa đưa ra.")
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
        raise LmsError("Hãy chọn một mức cho mỗi tiêu chí.")
    total = decimal.Decimal(0)
    for criterion, index in zip(rubric, levels, strict=True):
        if not 0 <= index < len(criterion["levels"]):
            raise LmsError("Mức đánh giá không hợp lệ; vui lòng tải lại trang.")
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
        raise Conflict("Chỉ chấm bài đã hoàn thành.")
    before = _grade_state(response)
    points = _levels_points(response_node(response), levels)
    comment = (comment or "").strip() or None
    if review:
        if not response.graded:
            raise Conflict("Bài chưa được chấm lần đầu nên chưa thể chấm phúc tra.")
        if response.grader_id == actor.id:
            raise Forbidden("Người chấm phúc tra phải khác người chấm lần đầu.")
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


def get_scenario(session: Session, public_id: str) -> Scenario:
    scenario = session.scalar(select(Scenario).where(Scenario.public_id == public_id))
    if scenario is None:
        raise NotFound("Không tìm thấy tình huống.")
    return scenario


def get_run(session: Session, public_id: str) -> ScenarioRun:
    run = session.scalar(select(ScenarioRun).where(ScenarioRun.public_id == public_id))
    if run is None:
        raise NotFound("Không tìm thấy lượt làm bài.")
    return run


def get_response(session: Session, public_id: str) -> ScenarioResponse:
    response = session.scalar(select(ScenarioResponse).where(ScenarioResponse.public_id == public_id))
    if response is None:
        raise NotFound("Không tìm thấy câu trả lời.")
    return response


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
