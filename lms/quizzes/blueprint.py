"""The quizzes blueprint and the attempt loaders every quiz view module uses, kept apart so the
view modules (``views``, ``attempt_views``) import this one and never each other's internals."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from lms.auth.permissions import authorize
from lms.db import db
from lms.quizzes import services
from lms.quizzes.models import Attempt, Quiz
from lms.web import now

bp = Blueprint("quizzes", __name__)


def load_attempt(public_id: str, lock: bool = False) -> Attempt:
    """The attempt the current user may view; an attempt past its deadline is closed first.
    ``lock``: its row locked until the commit (a submit)."""
    attempt = services.attempt_by_public_id(db.session, public_id, lock=lock)
    authorize("attempt.view", attempt)
    if services.is_overdue(attempt, now()):
        services.refresh_state(db.session, attempt, now())
        db.session.commit()
    return attempt


def own_attempt(public_id: str, lock: bool = False) -> Attempt:
    """An attempt of the current user's own (another user's, even one they may view, is refused)."""
    attempt = load_attempt(public_id, lock=lock)
    if attempt.user_id != current_user.id:
        abort(403)
    return attempt


def quiz_for(action: str, public_id: str) -> Quiz:
    """The quiz with this public id, if the current user may do ``action`` on it."""
    quiz = services.quiz_by_public_id(db.session, public_id)
    authorize(action, quiz)
    return quiz
