"""Who may do what with evaluation data. Board members work within their unit's subtree;
instructors assess cadres in their subtree; admins do everything; a learner only answers
their own survey."""

from __future__ import annotations

from lms.auth.models import Role
from lms.auth.permissions import has_role, in_unit_scope, rule
from lms.org.models import CadreProfile, Unit


def _unit_of(obj):
    if isinstance(obj, Unit):
        return obj
    if isinstance(obj, CadreProfile):
        return obj.unit
    return getattr(obj, "unit", None)


def _board_in_scope(user, obj) -> bool:
    if has_role(user, Role.admin):
        return True
    if not has_role(user, Role.board):
        return False
    return obj is None or in_unit_scope(user, _unit_of(obj))


@rule("evaluation.board")
def _board(user, obj) -> bool:
    return _board_in_scope(user, obj)


@rule("evaluation.decide")
def _decide(user, obj) -> bool:
    return _board_in_scope(user, obj)


@rule("evaluation.dossier")
def _dossier(user, obj) -> bool:
    return _board_in_scope(user, obj)


@rule("evaluation.export")
def _export(user, obj) -> bool:
    return _board_in_scope(user, obj)


@rule("evaluation.reports")
def _reports(user, obj) -> bool:
    return _board_in_scope(user, obj)


@rule("evaluation.schemes")
def _schemes(user, _obj) -> bool:
    return has_role(user, Role.admin)


@rule("evaluation.assess")
def _assess(user, obj) -> bool:
    if has_role(user, Role.admin):
        return True
    if not has_role(user, Role.instructor):
        return False
    return obj is None or in_unit_scope(user, _unit_of(obj))


@rule("evaluation.survey")
def _survey(user, profile) -> bool:
    """Route level: any account; object level: only one's own profile."""
    if profile is None:
        return True
    return profile.user_id == user.id
