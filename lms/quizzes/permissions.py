"""Who may author, take, view, grade, analyse and export quizzes."""

from __future__ import annotations

from lms.auth.models import Role
from lms.auth.permissions import has_role, in_unit_scope, rule


def _staff_in_scope(user, quiz, *roles: Role) -> bool:
    if has_role(user, Role.admin):
        return True
    if not has_role(user, *roles):
        return False
    return quiz is None or in_unit_scope(user, quiz.owner_unit)


@rule("quizzes.author")
def can_author(user, quiz) -> bool:
    """Instructors author the bank and the quizzes of their unit subtree."""
    return _staff_in_scope(user, quiz, Role.instructor)


@rule("quizzes.take")
def can_take(user, quiz) -> bool:
    """A learner may take a quiz owned by their unit or a unit above it."""
    if quiz is None:
        return True
    return user.unit is not None and quiz.owner_unit.contains(user.unit)


@rule("attempt.view")
def can_view_attempt(user, attempt) -> bool:
    if attempt is None:
        return True
    if attempt.user_id == user.id:
        return True
    return _staff_in_scope(user, attempt.quiz, Role.instructor, Role.board)


@rule("attempt.grade")
def can_grade(user, attempt) -> bool:
    return _staff_in_scope(user, attempt.quiz if attempt is not None else None, Role.instructor)


@rule("quizzes.stats")
def can_see_stats(user, quiz) -> bool:
    return _staff_in_scope(user, quiz, Role.instructor, Role.board)


@rule("quizzes.export")
def can_export(user, quiz) -> bool:
    """Named results leave the system: instructors in scope and admins only."""
    return _staff_in_scope(user, quiz, Role.instructor)
