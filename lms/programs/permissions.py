"""Who may author, approve and read topics, see and manage cohorts, and file training needs."""

from __future__ import annotations

from lms.auth.models import Role
from lms.auth.permissions import has_role, in_unit_scope, rule
from lms.org.models import UnitKind
from lms.programs.models import Cohort, TopicVersion, VersionStatus

COMMUNE_KINDS = (UnitKind.commune, UnitKind.ward, UnitKind.special_zone)


@rule("programs.author")
def _author(user, _obj) -> bool:
    return has_role(user, Role.instructor, Role.admin)


@rule("programs.approve")
def _approve(user, version) -> bool:
    """Only approvers, and never on a version they wrote themselves."""
    if not has_role(user, Role.approver):
        return False
    if isinstance(version, TopicVersion):
        return version.author_id != user.id
    return True


@rule("programs.view_topic")
def _view_topic(user, version) -> bool:
    """Everyone logged in reads published versions; only staff see the others."""
    if isinstance(version, TopicVersion) and version.status is VersionStatus.published:
        return True
    return has_role(user, Role.instructor, Role.approver, Role.admin)


def _is_instructor_of(user, cohort: Cohort) -> bool:
    return has_role(user, Role.instructor) and cohort.has_instructor(user)


@rule("cohort.view")
def _view_cohort(user, cohort) -> bool:
    if not isinstance(cohort, Cohort):
        return has_role(user, Role.admin, Role.instructor, Role.board)
    if has_role(user, Role.admin):
        return True
    if has_role(user, Role.board):
        return in_unit_scope(user, cohort.unit)
    return _is_instructor_of(user, cohort)


@rule("cohort.manage")
def _manage_cohort(user, cohort) -> bool:
    if not isinstance(cohort, Cohort):
        return has_role(user, Role.admin, Role.instructor)
    return has_role(user, Role.admin) or _is_instructor_of(user, cohort)


@rule("training.mine")
def _mine(user, _obj) -> bool:
    return True


@rule("needs.file")
def _file_needs(user, _obj) -> bool:
    return has_role(user, Role.admin) or (user.unit is not None and user.unit.kind in COMMUNE_KINDS)


@rule("needs.view")
def _view_needs(user, _obj) -> bool:
    return has_role(user, Role.admin, Role.board)
