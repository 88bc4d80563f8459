from __future__ import annotations

import datetime as dt
import math
import time
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from lms.auth.models import User
from lms.auth.permissions import authorize, can, requires, unit_scope
from lms.auth.services import cookie_identity
from lms.db import db
from lms.errors import Conflict, LmsError
from lms.quizzes import (  # noqa: F401  (permissions and producers register on import)
    attempt_html,
    attempt_views,  # the summary and flag routes, on the same blueprint
    authoring,
    bank_files,
    bank_views,  # the question bank pages, on the same blueprint
    builder_views,  # the quiz builder and the previews, on the same blueprint
    file_views,  # the images of questions, on the same blueprint
    gift,
    learner,
    navigation,
    permissions,
    producers,
    review_options,
    services,
    stats_views,  # the statistics page, "Tính lại" and "Đóng bài kiểm tra ngay"
)
from lms.quizzes.blueprint import bp, load_attempt, own_attempt, quiz_for
from lms.quizzes.forms import (
    GradeForm,
    OverrideForm,
)
from lms.quizzes.models import (
    GRADING_LABELS,
    Attempt,
    AttemptSlot,
    AttemptState,
    Navigation,
    Quiz,
)
from lms.quizzes.qtypes import display_response, get_type, learner_payload
from lms.results.models import PURPOSE_LABELS
from lms.web import now, page_arg

PAGE_SIZE = 5  # questions per page when a quiz is paged
VN = ZoneInfo("Asia/Ho_Chi_Minh")


# --- learner -------------------------------------------------------------------------------


@bp.get("/quizzes")
@requires("quizzes.take")
def available():
    """The learner's quizzes, grouped by the programs they are enrolled in (entrance first)."""
    at = now()
    rows = learner.quiz_rows(
        db.session, current_user, services.quizzes_for_learner(db.session, current_user), at
    )
    groups = learner.grouped(db.session, current_user, rows)
    return render_template(
        "quizzes/list.html",
        groups=groups,
        rows=[r for g in groups for r in g["rows"]],
        purpose_labels=PURPOSE_LABELS,
        now=at,
    )


@bp.get("/quizzes/<public_id>")
@requires("quizzes.take")
def intro(public_id: str):
    """What the learner should know before the timer starts; "Bắt đầu làm bài" is a POST."""
    quiz = services.quiz_by_public_id(db.session, public_id)
    authorize("quizzes.take", quiz)
    row = learner.quiz_rows(db.session, current_user, [quiz], now())[0]
    return render_template(
        "quizzes/intro.html",
        quiz=quiz,
        row=row,
        questions=len(quiz.slots),
        purpose_labels=PURPOSE_LABELS,
        grading_labels=GRADING_LABELS,
    )


@bp.post("/quizzes/<public_id>/start")
@requires("quizzes.take")
def start(public_id: str):
    quiz = services.quiz_by_public_id(db.session, public_id)
    authorize("quizzes.take", quiz)
    attempt = services.start_attempt(db.session, current_user, quiz, now())
    db.session.commit()
    return redirect(url_for("quizzes.attempt_page", public_id=attempt.public_id))


def _page_slots(attempt: Attempt, page: int) -> tuple[list[AttemptSlot], int, int]:
    slots = attempt.slots
    if attempt.quiz.navigation is not Navigation.paged:
        return slots, 1, 1
    pages = max(1, math.ceil(len(slots) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    return slots[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page, pages


@bp.get("/quizzes/attempts/<public_id>")
@requires("attempt.view")
def attempt_page(public_id: str):
    attempt = load_attempt(public_id)
    if not attempt.is_open or attempt.user_id != current_user.id:
        return redirect(url_for("quizzes.review", public_id=public_id))
    slots, page, pages = _page_slots(attempt, page_arg())
    answers = services.answers_of(db.session, attempt)
    states = navigation.slot_states(db.session, attempt, answers)
    numbers = {s["position"]: s["number"] for s in states}
    flagged = {s["position"] for s in states if s["flagged"]}
    questions = []
    for slot in slots:
        q = {
            "slot": slot,
            "view": learner_payload(slot.version, slot.order),
            "response": display_response(
                slot.version, slot.order, answers[slot.position].response if slot.position in answers else {}
            ),
        }
        q["html"] = attempt_html.question_html(q, numbers.get(slot.position), slot.position in flagged)
        questions.append(q)
    answered = sum(1 for s in states if s["answered"])
    return render_template(
        "quizzes/attempt.html",
        states=states,
        page_urls={
            n: url_for("quizzes.attempt_page", public_id=attempt.public_id, page=n)
            for n in {s["page"] for s in states}
        },
        attempt=attempt,
        quiz=attempt.quiz,
        questions=questions,
        page=page,
        pages=pages,
        answered=answered,
        remaining=services.remaining_seconds(attempt, now()),
        seq=int(time.time() * 1000),
    )


def _client_seq(raw: str | None) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        value = 0
    # no sequence from the page (no JS): the server clock in milliseconds orders plain posts
    return value if 0 < value < 2**62 else int(time.time() * 1000)


@bp.post("/quizzes/attempts/<public_id>")
@requires("attempt.view")
def attempt_post(public_id: str):
    """The page without JS: save the shown answers, then move, save or submit."""
    submitting = request.form.get("action") == "submit"
    # a submit locks the attempt's row as it reads it (one statement, not a second one to lock)
    attempt = own_attempt(public_id, lock=submitting)
    if not attempt.is_open:
        flash(_("Bài làm đã kết thúc khi hết giờ; các câu trả lời đã lưu trước đó được chấm."), "warning")
        return redirect(url_for("quizzes.review", public_id=public_id))
    try:
        positions = [int(p) for p in request.form.getlist("positions")]
    except ValueError:
        abort(400)
    seq = _client_seq(request.form.get("seq"))
    fields = request.form.to_dict(flat=False)
    try:
        services.save_answers(db.session, attempt, [(p, fields, seq) for p in positions], now())
    except Conflict:
        db.session.commit()  # keep the lazy close
        flash(_("Bài làm đã kết thúc khi hết giờ; các câu trả lời đã lưu trước đó được chấm."), "warning")
        return redirect(url_for("quizzes.review", public_id=public_id))
    try:
        flags = {int(p) for p in request.form.getlist("flag")}
    except ValueError:
        abort(400)
    navigation.set_flags(attempt, positions, flags)
    if request.form.get("action") == "summary":
        db.session.commit()
        return redirect(url_for("quizzes.attempt_summary", public_id=public_id))
    if submitting:
        services.submit_attempt(db.session, attempt, now(), actor=current_user, locked=True)
        db.session.commit()
        flash(_("Đã nộp bài."), "success")
        return redirect(url_for("quizzes.review", public_id=public_id))
    db.session.commit()
    flash(_("Đã lưu câu trả lời."), "success")
    page = request.form.get("goto", type=int) or request.form.get("page", 1, type=int)
    return redirect(url_for("quizzes.attempt_page", public_id=public_id, page=page))


def _autosave_in_one_statement(public_id: str):
    """The autosave of a signed-in session in one statement per answer (autosave.save_guarded:
    the login, owner, state and deadline checked by the upsert itself, the attempt's slots from
    this worker's cache); None, with nothing written, sends it the checked way below."""
    identity = cookie_identity(session.get("_user_id"))
    items = _autosave_items(request.get_json(silent=True))
    if identity is None or not items:
        return None
    papers = current_app.extensions.setdefault("lms_quiz_papers", services.PaperCache())
    paper = papers.get(db.session, public_id)
    outcome = paper and services.save_guarded(db.session, paper, *identity, items, now())
    if not outcome:
        db.session.rollback()
        return None
    db.session.commit()
    return jsonify(outcome)


@bp.post("/quizzes/attempts/<public_id>/save")
@requires("attempt.view", fast=_autosave_in_one_statement)
def autosave(public_id: str):
    """JSON autosave: {"answers": {"<position>": {"fields": {name: [values]}, "seq": n}}}.

    The hot path of an exam: the attempt's owner, state, deadline and the saved slots come in
    one statement (services.autosave_target), no ORM attempt is loaded. Only the learner who
    owns the attempt may save (403 otherwise, staff included); an attempt past its deadline
    goes the slow way, which closes it (409)."""
    review_url = url_for("quizzes.review", public_id=public_id)
    items = _autosave_items(request.get_json(silent=True))
    positions = {position for position, _, _ in items or []}
    target = services.autosave_target(db.session, public_id, positions)
    if target.user_id != current_user.id:
        abort(403)
    if target.overdue(now()):
        return _autosave_closing(public_id, review_url)
    if not target.is_open:
        return jsonify(state="closed", review_url=review_url), 409
    if items is None:
        return jsonify(error=_("Dữ liệu gửi lên không hợp lệ.")), 400
    try:
        outcome = services.save_to_target(db.session, target, items, now())
    except LmsError as exc:
        db.session.rollback()
        return jsonify(error=exc.message), 400
    db.session.commit()
    return jsonify(outcome)


def _autosave_items(payload) -> list[tuple[int, dict, object]] | None:
    """The (position, fields, seq) of a JSON autosave body, or None when it is malformed."""
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return None
    items = []
    try:
        for position, entry in payload["answers"].items():
            raw = entry["fields"]
            fields = MultiDict([(str(k), str(v)) for k, values in raw.items() for v in values])
            items.append((int(position), fields.to_dict(flat=False), entry["seq"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return items


def _autosave_closing(public_id: str, review_url: str):
    """An overdue attempt: the lazy close (with what was saved) and a 409."""
    own_attempt(public_id)  # closes it
    return jsonify(state="closed", review_url=review_url), 409


@bp.get("/quizzes/attempts/<public_id>/review")
@requires("attempt.view")
def review(public_id: str):
    attempt = load_attempt(public_id)
    quiz = attempt.quiz
    staff = attempt.user_id != current_user.id
    if attempt.is_open and not staff:
        return redirect(url_for("quizzes.attempt_page", public_id=public_id))
    answers = services.answers_of(db.session, attempt)
    closes_at = services.rules_for(db.session, quiz, attempt.user).closes_at
    parts = review_options.visibility_now(attempt, closes_at, now(), staff)
    show_score, show_right, show_feedback = (parts[part].shown for part in review_options.PARTS)
    items = []
    for slot in attempt.slots:
        qtype = get_type(slot.version.qtype, slot.version.data)
        response = answers[slot.position].response if slot.position in answers else {}
        items.append(
            {
                "slot": slot,
                "view": learner_payload(slot.version, slot.order),
                "response": display_response(slot.version, slot.order, response),
                "feedback": qtype.feedback(response) if show_feedback and not attempt.is_open else "",
                "right": qtype.right_answer() if show_right and not attempt.is_open else "",
            }
        )
    return render_template(
        "quizzes/review.html",
        attempt=attempt,
        quiz=quiz,
        items=items,
        staff=staff,
        show_score=show_score,
        show_feedback=show_feedback and not attempt.is_open,
        shown_later=[
            (
                part,
                format_datetime(when.shown_from, "HH:mm"),
                format_date(when.shown_from, "dd/MM/yyyy"),
                when,
            )  # noqa: E501
            for part, when in review_options.shown_later(parts)
        ],
        can_grade=can(current_user, "attempt.grade", attempt),
    )


# --- staff: quizzes, overrides, grading ------------------------------------------------------


def _scoped_quizzes():
    return select(Quiz).join(Quiz.owner_unit).where(unit_scope(current_user))


@bp.get("/quizzes/manage")
@requires("quizzes.stats")
def manage():
    quizzes = db.session.scalars(_scoped_quizzes().order_by(Quiz.title)).all()
    return render_template("quizzes/manage.html", quizzes=quizzes, purpose_labels=PURPOSE_LABELS)


@bp.get("/quizzes/manage/<public_id>")
@requires("quizzes.stats")
def manage_quiz(public_id: str):
    quiz = quiz_for("quizzes.stats", public_id)
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.quiz_id == quiz.id)
        .options(selectinload(Attempt.user))
        .order_by(Attempt.started_at.desc())
        .limit(500)
    ).all()
    form = OverrideForm()
    return render_template(
        "quizzes/manage_quiz.html",
        quiz=quiz,
        attempts=attempts,
        form=form,
        purpose_labels=PURPOSE_LABELS,
        grading_labels=GRADING_LABELS,
        can_author=can(current_user, "quizzes.author", quiz),
        close_form=FlaskForm(),
        now_utc=now(),
    )


def _to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=VN).astimezone(dt.UTC) if value else None


@bp.post("/quizzes/manage/<public_id>/override")
@requires("quizzes.author")
def override(public_id: str):
    quiz = quiz_for("quizzes.author", public_id)
    form = OverrideForm()
    if not form.validate():
        flash(_("Thông tin gia hạn chưa hợp lệ: %(e)s", e=" ".join(sum(form.errors.values(), []))), "error")
        return redirect(url_for("quizzes.manage_quiz", public_id=public_id))
    user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
    if user is None or not quiz.owner_unit.contains(user.unit):
        flash(_("Không có học viên này trong phạm vi của bài kiểm tra."), "error")
        return redirect(url_for("quizzes.manage_quiz", public_id=public_id))
    services.set_override(
        db.session,
        current_user,
        quiz,
        user,
        time_limit_minutes=form.time_limit_minutes.data,
        attempts_allowed=form.attempts_allowed.data,
        closes_at=_to_utc(form.closes_at.data),
        now=now(),
    )
    db.session.commit()
    flash(_("Đã lưu gia hạn cho %(name)s.", name=user.display_name), "success")
    return redirect(url_for("quizzes.manage_quiz", public_id=public_id))


@bp.get("/quizzes/grading")
@requires("attempt.grade")
def grading_queue():
    scoped = Attempt.quiz_id.in_(select(Quiz.id).join(Quiz.owner_unit).where(unit_scope(current_user)))
    slots = services.grading_queue(db.session, scoped)
    return render_template("quizzes/grading.html", slots=slots)


@bp.route("/quizzes/grading/<public_id>/<int:position>", methods=["GET", "POST"])
@requires("attempt.grade")
def grade(public_id: str, position: int):
    attempt = services.attempt_by_public_id(db.session, public_id)
    authorize("attempt.grade", attempt)
    slot = next((s for s in attempt.slots if s.position == position), None)
    if slot is None:
        abort(404)
    answer = services.answers_of(db.session, attempt).get(position)
    form = GradeForm(data={"points": slot.awarded, "comment": slot.comment})
    if form.validate_on_submit():
        try:
            services.grade_manually(
                db.session, current_user, slot, float(form.points.data), form.comment.data, now()
            )
        except LmsError as exc:
            db.session.rollback()
            form.points.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Đã lưu điểm."), "success")
            return redirect(url_for("quizzes.grading_queue"))
    return render_template(
        "quizzes/grade.html",
        attempt=attempt,
        slot=slot,
        response=answer.response if answer else {},
        form=form,
        rubric=slot.version.data.get("rubric", ""),
    ), (400 if form.errors else 200)  # a refused grade is rendered in place, never as a success


# --- statistics and exports ----------------------------------------------------------------


@bp.get("/quizzes/manage/<public_id>/results.<fmt>")
@requires("quizzes.export")
def export_results(public_id: str, fmt: str):
    from lms.quizzes.exports import results_csv, results_xlsx

    quiz = quiz_for("quizzes.export", public_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    if _finished_count(quiz) > int(current_app.config["LMS_JOB_EXPORT_INLINE_MAX"]):
        # a big export runs as a job (lms/jobs): the person follows its progress, then downloads
        from lms.jobs.views import request_export

        return request_export("quiz_results", {"quiz_id": quiz.id, "fmt": fmt})
    if fmt == "csv":
        body, mimetype = results_csv(db.session, quiz), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = results_xlsx(db.session, quiz)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    filename = f"ket-qua-{quiz.code}.{fmt}"
    return body, 200, {"Content-Type": mimetype, "Content-Disposition": f'attachment; filename="{filename}"'}


def _finished_count(quiz) -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.finished
        )
    )
