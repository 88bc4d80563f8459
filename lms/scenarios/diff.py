"""What changed between two versions of a scenario, for the reviewer.

Reuses the topics' line diff (``lms.programs.diff.diff_lines``: unified-style hunks with
context, changed words marked) on the YAML export of both versions — the same text an author
edits in the advanced editor and a reviewer can download, in a fixed key order, so a change to a
node shows under that node. Plain text only: the template escapes it.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.programs.diff import Hunk, diff_lines
from lms.scenarios.models import Scenario, ScenarioStatus
from lms.scenarios.services import export_text


@dataclasses.dataclass(frozen=True)
class ScenarioDiff:
    old: Scenario
    new: Scenario
    hunks: tuple[Hunk, ...]

    @property
    def unchanged(self) -> bool:
        return not self.hunks

    @property
    def lines_added(self) -> int:
        return sum(line.kind == "added" for hunk in self.hunks for line in hunk.lines)

    @property
    def lines_removed(self) -> int:
        return sum(line.kind == "removed" for hunk in self.hunks for line in hunk.lines)


def baseline(session: Session, scenario: Scenario) -> Scenario | None:
    """The version to compare with: the published one, else the newest earlier version."""
    published = session.scalar(
        select(Scenario).where(
            Scenario.code == scenario.code,
            Scenario.status == ScenarioStatus.published,
            Scenario.id != scenario.id,
        )
    )
    if published is not None:
        return published
    return session.scalar(
        select(Scenario)
        .where(Scenario.code == scenario.code, Scenario.version < scenario.version)
        .order_by(Scenario.version.desc())
        .limit(1)
    )


def diff_versions(old: Scenario, new: Scenario) -> ScenarioDiff:
    before, after = export_text(old).splitlines(), export_text(new).splitlines()
    return ScenarioDiff(old, new, tuple(diff_lines(before, after)))


def changes_for(session: Session, scenario: Scenario) -> ScenarioDiff | None:
    """The diff shown on the page of a version that is not published (None: nothing to compare)."""
    if scenario.status == ScenarioStatus.published:
        return None
    old = baseline(session, scenario)
    return diff_versions(old, scenario) if old is not None else None
