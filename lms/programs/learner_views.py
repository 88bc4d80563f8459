"""A learner's training: "Khóa học của tôi", reading a topic, marking it studied and the time
beacon.

Each view: load → authorize → validate → act (service) → commit once → respond.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms import events
from lms.auth.permissions import requires
from lms.db import db
from lms.programs import learner
from lms.programs import services as svc
from lms.programs.blueprint import _labels, bp
from lms.web import now, text_arg

# --- learners -------------------------------------------------------------------------------


@bp.get("/my/training")
@requires("training.mine")
def my_training():
    enrollments = svc.my_enrollments(db.session, current_user)
    rows = []
    for enrollment in enrollments:
        progress = {
            p.topic_id: p
            for p in db.session.scalars(
                select(svc.TopicProgress).where(svc.TopicProgress.enrollment_id == enrollment.id)
            )
        }
        rows.append((enrollment, progress, svc.next_step(enrollment, progress)))
    # the course's tests and scenarios, from the features that own them (lms/events.py)
    programs = learner.enrolled_programs(db.session, current_user)["enrolled"]
    activities = events.program_activities(db.session, current_user, programs)
    return render_template(
        "programs/my_training.html",
        rows=rows,
        profile=svc.profile_of(db.session, current_user),
        activities=activities,
    )


def _learner_topic(public_id: str):
    topic = svc.get_topic(db.session, public_id)
    version = topic.published
    if version is None:
        abort(404)  # learners never see drafts
    enrollment = svc.require_learner_access(db.session, current_user, topic)
    return topic, version, enrollment


@bp.get("/my/topics/<public_id>")
@requires("training.mine")
def learn_topic(public_id: str):
    topic, version, enrollment = _learner_topic(public_id)
    anchor = text_arg("at") if "at" in request.args else None
    # opening the page is the resume point even without JS; ?at= records the lesson
    progress = svc.add_time(db.session, enrollment, topic, 0, anchor, now())
    db.session.commit()
    items = enrollment.cohort.program.items
    position = next(i for i, item in enumerate(items) if item.topic_id == topic.id)
    return render_template(
        "programs/learn_topic.html",
        topic=topic,
        version=version,
        enrollment=enrollment,
        progress=progress,
        previous=items[position - 1].topic if position > 0 else None,
        following=items[position + 1].topic if position + 1 < len(items) else None,
        **_labels(),
    )


@bp.post("/my/topics/<public_id>/studied")
@requires("training.mine")
def learn_studied(public_id: str):
    topic, _version, enrollment = _learner_topic(public_id)
    svc.mark_studied(db.session, enrollment, topic, now())
    db.session.commit()
    flash(_("Đã ghi nhận đồng chí học xong chuyên đề này."), "success")
    return redirect(url_for("programs.my_training"))


@bp.post("/my/topics/<public_id>/beacon")
@requires("training.mine")
def learn_beacon(public_id: str):
    topic, _version, enrollment = _learner_topic(public_id)
    data = request.get_json(silent=True) or {}
    try:
        seconds = int(data.get("seconds", 0))
    except (TypeError, ValueError):
        return jsonify({"error": "seconds"}), 400
    anchor = data.get("anchor")
    progress = svc.add_time(
        db.session, enrollment, topic, seconds, anchor if isinstance(anchor, str) else None, now()
    )
    db.session.commit()
    return jsonify({"seconds_spent": progress.seconds_spent})
