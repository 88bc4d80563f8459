"""Content files, parsed: the data read from a topic or program file and the canonical form
that compares it with what the database holds (import is idempotent).

Part of the content files importer and exporter (lms/programs/content_files.py, content/FORMATS.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

from lms.errors import FileProblem
from lms.programs.models import Program, TopicVersion

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
EVALUATION_WEIGHTS = ("entrance", "exit", "scenarios", "assessment")


# --- parsed data ----------------------------------------------------------------------------


@dataclasses.dataclass
class TopicData:
    path: str
    line: int  # line of the `code` value (for duplicate reports)
    code: str
    title: str
    kind: str
    field: str
    hours: float
    target_groups: list[str]
    legal_basis: str
    as_of: dt.date | None
    lessons: list[tuple[str, str]]
    body: str
    target_group_lines: list[int] = dataclasses.field(default_factory=list)

    def canonical(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "field": self.field,
            "hours": float(self.hours),
            "target_groups": list(self.target_groups),
            "legal_basis": self.legal_basis,
            "as_of": self.as_of,
            "lessons": [list(x) for x in self.lessons],
            "body": self.body,
        }


@dataclasses.dataclass
class ProgramData:
    path: str
    line: int
    code: str
    title: str
    target_groups: list[tuple[str, int]]
    titles: list[tuple[str, int]]
    duration_days: int
    legal_basis: str
    as_of: dt.date | None
    goals: dict[str, str]
    topics: list[tuple[str, int]]
    evaluation: dict[str, Any] | None
    source: str = ""
    source_titles: list[dict[str, Any]] | None = None
    delivery: dict[str, Any] | None = None
    weight_lines: dict[str, int] = dataclasses.field(default_factory=dict)

    def canonical(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "source": self.source,
            "source_titles": _json(_without_lines(self.source_titles)),
            "delivery": _json(self.delivery),
            "target_groups": sorted(c for c, _ in self.target_groups),
            "titles": sorted(c for c, _ in self.titles),
            "duration_days": self.duration_days,
            "legal_basis": self.legal_basis,
            "as_of": self.as_of,
            "goals": [self.goals.get(k, "") for k in ("knowledge", "skills", "attitude")],
            "topics": [c for c, _ in self.topics],
            "evaluation": _json(self.evaluation),
        }


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _without_lines(items: list[dict] | None) -> list[dict] | None:
    return None if items is None else [{k: v for k, v in i.items() if k != "line"} for i in items]


def version_canonical(version: TopicVersion) -> dict[str, Any]:
    return {
        "title": version.title,
        "kind": str(version.kind),
        "field": version.field,
        "hours": float(version.hours),
        "target_groups": version.target_group_codes,
        "legal_basis": version.legal_basis or "",
        "as_of": version.as_of,
        "lessons": [[lesson.title, lesson.anchor] for lesson in version.lessons],
        "body": version.body,
    }


def program_canonical(program: Program) -> dict[str, Any]:
    return {
        "title": program.title,
        "source": program.source or "",
        "source_titles": program.source_titles,
        "delivery": program.delivery,
        "target_groups": sorted(g.code for g in program.target_groups),
        "titles": sorted(t.code for t in program.titles),
        "duration_days": program.duration_days,
        "legal_basis": program.legal_basis or "",
        "as_of": program.as_of,
        "goals": [program.goal_knowledge or "", program.goal_skills or "", program.goal_attitude or ""],
        "topics": [item.topic.code for item in program.items],
        "evaluation": _json(program.evaluation_scheme),
    }


@dataclasses.dataclass
class Parsed:
    programs: list[ProgramData]
    topics: list[TopicData]
    problems: list[FileProblem]
