"""Which evaluation components scenarios produce for a program (registered in lms.events): a
published scenario, or one in the content folder being imported, for one of its target groups."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import events, safe_yaml
from lms.scenarios.models import Scenario, ScenarioStatus


def scenario_components(session: Session, root: Path | None, _code: str, groups: list[str]) -> set[str]:
    wanted = set(groups)
    published = session.scalars(
        select(Scenario.target_groups).where(Scenario.status == ScenarioStatus.published)
    )
    if any(wanted & set((value or "").split()) for value in published):
        return {"scenarios"}
    for path in sorted((root / "scenarios").glob("*.yaml")) if root is not None else []:
        try:
            data = safe_yaml.load(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # the scenario validator reports a broken file at its line
        found = data.get("target_groups") if isinstance(data, dict) else None
        if isinstance(found, list) and wanted & {g for g in found if isinstance(g, str)}:
            return {"scenarios"}
    return set()


events.component_producers.append(scenario_components)
