"""The summary of an attempt before it is submitted (which questions are unanswered or
flagged, each a link back to it) and the JSON save of a question's flag. On the quizzes
blueprint; see views.py for the attempt page itself."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.auth.permissions import requires
from lms.db import db
from lms.quizzes import navigation, services
from lms.quizzes.blueprint import bp, own_attempt
from lms.web import now


@bp.get("/quizzes/attempts/<public_id>/summary")
@requires("attempt.view")
def attempt_summary(public_id: str):
    attempt = own_attempt(public_id)
    if not attempt.is_open:
        return redirect(url_for("quizzes.review", public_id=public_id))
    states = navigation.slot_states(db.session, attempt)
    return render_template(
        "quizzes/summary.html",
        attempt=attempt,
        quiz=attempt.quiz,
        states=states,
        unanswered=[s for s in states if not s["answered"]],
        flagged=[s for s in states if s["flagged"]],
        remaining=services.remaining_seconds(attempt, now()),
    )


@bp.post("/quizzes/attempts/<public_id>/flag")
@requires("attempt.view")
def attempt_flag(public_id: str):
    """JSON {"position": n, "flagged": bool}: the "Đánh dấu để xem lại" box, saved at once."""
    attempt = own_attempt(public_id)
    if not attempt.is_open:
        return jsonify(state="closed", review_url=url_for("quizzes.review", public_id=public_id)), 409
    payload = request.get_json(silent=True)
    try:
        position, flagged = int(payload["position"]), bool(payload["flagged"])
    except (KeyError, TypeError, ValueError):
        return jsonify(error=_("Dữ liệu gửi lên không hợp lệ.")), 400
    if not navigation.set_flag(attempt, position, flagged):
        return jsonify(error=_("Dữ liệu gửi lên không hợp lệ.")), 400
    db.session.commit()
    return jsonify(state="saved", position=position, flagged=flagged)
