"""Which evaluation components a program's quizzes produce (registered in lms.events)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import events, safe_yaml
from lms.quizzes.models import Quiz

COMPONENT_OF_PURPOSE = {"entrance": "entrance", "exit": "exit", "final": "exit"}


def quiz_components(session: Session, root: Path | None, program_code: str, _groups: list[str]) -> set[str]:
    purposes = {
        str(p) for p in session.scalars(select(Quiz.purpose).where(Quiz.program_code == program_code))
    }
    for path in sorted((root / "quizzes").glob("*.yaml")) if root is not None else []:
        try:
            data = safe_yaml.load(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # the quiz importer reports a broken file at its line
        if isinstance(data, dict) and data.get("program") == program_code:
            purposes.add(str(data.get("purpose")))
    return {COMPONENT_OF_PURPOSE[p] for p in purposes if p in COMPONENT_OF_PURPOSE}


events.component_producers.append(quiz_components)
