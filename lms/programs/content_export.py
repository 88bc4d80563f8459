"""Exporting programs and their published topics as content files that import again.

Part of the content files importer and exporter (lms/programs/content_files.py, content/FORMATS.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.programs import frame
from lms.programs.models import Program, Topic, TopicVersion

# --- export ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Lists of codes on one line ([a, b]); mappings in block style, as the files are written."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(item, str | int | float) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False
    )


def program_document(program: Program) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": program.code,
        "title": program.title,
        "target_groups": [g.code for g in program.target_groups],
        "titles": [t.code for t in program.titles],
        "duration_days": program.duration_days,
    }
    if program.legal_basis:
        doc["legal_basis"] = program.legal_basis
    if program.as_of:
        doc["as_of"] = program.as_of
    goals = {
        "knowledge": program.goal_knowledge,
        "skills": program.goal_skills,
        "attitude": program.goal_attitude,
    }
    if any(goals.values()):
        doc["goals"] = {k: v for k, v in goals.items() if v}
    if program.source:
        doc["source"] = program.source
    if program.source_titles:
        doc["source_titles"] = [
            item["text"] if item["title"] == frame.frame_title(item["text"]) and "note" not in item else item
            for item in json.loads(program.source_titles)
        ]
    doc["topics"] = [item.topic.code for item in program.items]
    if program.delivery:
        doc["delivery"] = json.loads(program.delivery)
    if program.evaluation_scheme is not None:
        doc["evaluation"] = program.evaluation_scheme
    return doc


def topic_document(topic: Topic, version: TopicVersion) -> str:
    front: dict[str, Any] = {
        "code": topic.code,
        "title": version.title,
        "kind": str(version.kind),
        "field": version.field,
        "hours": int(version.hours) if float(version.hours).is_integer() else version.hours,
    }
    if version.target_group_codes:
        front["target_groups"] = version.target_group_codes
    if version.legal_basis:
        front["legal_basis"] = version.legal_basis
    if version.as_of:
        front["as_of"] = version.as_of
    if version.lessons:
        front["lessons"] = [{"title": lesson.title, "anchor": lesson.anchor} for lesson in version.lessons]
    return "---\n" + _dump(front) + "---\n" + version.body


def export_content(session: Session, root: Path) -> tuple[int, int]:
    """Write programs and the latest published topics under ``root``; returns the counts."""
    (root / "programs").mkdir(parents=True, exist_ok=True)
    (root / "topics").mkdir(parents=True, exist_ok=True)
    programs = session.scalars(select(Program).order_by(Program.code)).all()
    for program in programs:
        (root / "programs" / f"{program.code}.yaml").write_text(_dump(program_document(program)), "utf-8")
    count = 0
    for topic in session.scalars(select(Topic).order_by(Topic.code)):
        version = topic.published
        if version is not None:
            (root / "topics" / f"{topic.code}.md").write_text(topic_document(topic, version), "utf-8")
            count += 1
    return len(programs), count
