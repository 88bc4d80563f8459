"""The scenario authoring workflow: create, save drafts (text or forms), new versions, and the
review transitions (submit, return, approve, publish). Plain functions over a session; the
acting user and the clock come in as arguments. They flush, never commit."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit
from lms.auth.models import User
from lms.errors import Conflict, FileProblem, Forbidden, InvalidFile, LmsError, NotFound
from lms.org.models import Unit
from lms.scenarios.documents import (
    _apply,
    _dec,
    _dumps,
    _next_version,
    _publish,
    _wf_state,
    check_document,
    dump_document,
    latest,
    render_document,
)
from lms.scenarios.editor import META_KEYS
from lms.scenarios.models import Scenario, ScenarioRun, ScenarioStatus
from lms.scenarios.validate import Checked, validate_text

WORKING = (ScenarioStatus.draft, ScenarioStatus.submitted, ScenarioStatus.returned, ScenarioStatus.approved)


# --- authoring workflow ---------------------------------------------------------------------


def _checked_or_raise(text: str, path: str) -> Checked:
    checked = validate_text(text, path)
    if not checked.ok:
        raise InvalidFile(checked.problems)
    return checked


def create_scenario(session: Session, actor: User, text: str, owner_unit: Unit, now: dt.datetime) -> Scenario:
    checked = _checked_or_raise(text, "scenario.yaml")
    code = checked.document["code"]
    if latest(session, code) is not None:
        raise Conflict(
            _("Mã tình huống “%(code)s” đã tồn tại; hãy chọn mã khác hoặc sửa tình huống đó.", code=code)
        )
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
        raise LmsError(_("Không được đổi mã tình huống (đang là “%(code)s”).", code=scenario.code))
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
        raise LmsError(_("Không được đổi mã tình huống (đang là “%(code)s”).", code=scenario.code))
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
        raise LmsError(_("Mã tình huống là chữ thường không dấu, số và “-”, ví dụ: tranh-chap-dat-dai."))
    if latest(session, code) is not None:
        raise Conflict(
            _("Mã tình huống “%(code)s” đã tồn tại; hãy chọn mã khác hoặc sửa tình huống đó.", code=code)
        )
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
        raise Forbidden(_("Người soạn không được tự duyệt hoặc ban hành tình huống của mình."))


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
            raise LmsError(_("Khi trả lại phải ghi rõ lý do để người soạn sửa."))
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
            raise Conflict(_("Chỉ ban hành được phiên bản đã duyệt."))
        _publish(session, scenario, actor, now)
    else:
        raise NotFound(_("Thao tác không tồn tại."))
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
