"""Who may author, approve, play, view runs, grade and see analytics of scenarios."""

from __future__ import annotations

from lms.auth.models import Role
from lms.auth.permissions import has_role, in_unit_scope, rule
from lms.scenarios.models import Scenario, ScenarioResponse, ScenarioRun, ScenarioStatus


def _owns_scope(user, scenario: Scenario | None) -> bool:
    """Staff act on scenarios owned by a unit in their subtree (admin: all)."""
    if scenario is None or has_role(user, Role.admin):
        return True
    return in_unit_scope(user, scenario.owner_unit)


@rule("scenarios.author")
def can_author(user, scenario) -> bool:
    return has_role(user, Role.instructor, Role.admin) and _owns_scope(user, scenario)


@rule("scenarios.approve")
def can_approve(user, scenario) -> bool:
    if not has_role(user, Role.approver, Role.admin) or not _owns_scope(user, scenario):
        return False
    return scenario is None or scenario.author_id != user.id  # never one's own work


@rule("scenarios.play")
def can_play(user, scenario) -> bool:
    if scenario is None:
        return True
    if scenario.status != ScenarioStatus.published:
        return can_author(user, scenario) or can_approve(user, scenario)  # preview
    return has_role(user, Role.admin) or (user.unit is not None and scenario.owner_unit.contains(user.unit))


@rule("scenario_run.view")
def can_view_run(user, run: ScenarioRun | None) -> bool:
    if run is None:
        return True
    if run.user_id == user.id:
        return True
    if has_role(user, Role.admin):
        return True
    return has_role(user, Role.instructor, Role.board) and in_unit_scope(user, run.unit)


@rule("scenarios.grade")
def can_grade(user, response: ScenarioResponse | None) -> bool:
    if not has_role(user, Role.instructor, Role.admin):
        return False
    if response is None or has_role(user, Role.admin):
        return True
    return in_unit_scope(user, response.run.unit) and response.run.user_id != user.id


@rule("scenarios.analytics")
def can_see_analytics(user, scenario) -> bool:
    return has_role(user, Role.instructor, Role.approver, Role.admin) and _owns_scope(user, scenario)
