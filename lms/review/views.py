"""The approver's review queue: every topic and scenario version waiting for a decision."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from lms.auth.permissions import requires
from lms.db import db
from lms.review import (
    permissions,  # noqa: F401  (registers the rule)
    services,
)

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@requires("review.queue")
def queue():
    items = services.queue(db.session, current_user)
    return render_template(
        "review/queue.html",
        topics=[i for i in items if i.kind == services.KIND_TOPIC],
        scenarios=[i for i in items if i.kind == services.KIND_SCENARIO],
        total=len(items),
    )
