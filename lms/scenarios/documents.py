"""Scenario documents: rendering, YAML export, validation of stored versions, versions by
code, publishing, importing checked files. Plain functions over a session; they flush, never
commit. Errors are ``LmsError`` subclasses with a Vietnamese message."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import audit
from lms.db import get_by_public_id
from lms.errors import FileProblem, InvalidFile
from lms.org.models import Unit
from lms.sanitize import markdown_to_html
from lms.scenarios.models import Scenario, ScenarioStatus
from lms.scenarios.validate import Checked, validate_file, validate_text

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


def _wf_state(scenario: Scenario) -> dict:
    return {"code": scenario.code, "version": scenario.version, "status": scenario.status.value}


def get_scenario(session: Session, public_id: str) -> Scenario:
    return get_by_public_id(session, Scenario, public_id, _("Không tìm thấy tình huống."))
