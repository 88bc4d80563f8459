"""Demo content: content/scenarios/*.yaml imported as published (owner unit ``qn``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from lms import paths
from lms.db import utcnow
from lms.org.services import unit_by_code
from lms.scenarios.services import check_paths, import_checked


def content_dir() -> Path:
    return paths.content_dir() / "scenarios"


def load_content(session: Session) -> str:
    folder = content_dir()
    if not folder.is_dir():
        return "scenarios: no content/scenarios folder"
    unit = unit_by_code(session, "qn")
    if unit is None:
        return "scenarios: unit 'qn' missing; skipped"
    counts = import_checked(session, check_paths([folder]), unit, actor=None, now=utcnow())
    return (
        f"scenarios: {counts['created']} created, {counts['updated']} new versions, "
        f"{counts['unchanged']} unchanged"
    )
