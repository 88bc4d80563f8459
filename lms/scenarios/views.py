from __future__ import annotations

from flask import Blueprint

from lms.scenarios import permissions  # noqa: F401  (registers the rules)

bp = Blueprint("scenarios", __name__)
