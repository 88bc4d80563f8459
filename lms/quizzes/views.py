from __future__ import annotations

from flask import Blueprint

from lms.quizzes import permissions  # noqa: F401  (registers the rules)

bp = Blueprint("quizzes", __name__)
