"""The quiz builder's pages: settings ("Tạo bài kiểm tra", "Sửa cài đặt"), the questions of a
quiz (add from the bank, random draws, order, points, remove) and the previews "as the learner
sees it" (one bank question, or the first page of a quiz). Every form is a plain POST that works
without JavaScript; nothing a preview shows is stored."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.auth.permissions import requires, unit_scope
from lms.db import db
from lms.errors import LmsError
from lms.org.models import Unit
from lms.quizzes import builder
from lms.quizzes.blueprint import bp, quiz_for
from lms.quizzes.builder_forms import (
    REVIEW_PART_LABELS,
    REVIEW_TIMES,
    AddRandomForm,
    QuizSettingsForm,
    review_field,
)
from lms.quizzes.models import GradingMethod, Navigation, Purpose, Question, Quiz
from lms.quizzes.qtypes import REGISTRY, display_response, get_type, learner_payload
from lms.quizzes.review_options import PARTS
from lms.web import now, text_arg

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_SIZE = 5  # as the attempt page's paged navigation


def _to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=VN).astimezone(dt.UTC) if value else None


def _to_local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(VN).replace(tzinfo=None) if value else None


def _type_label(qtype: str) -> str:
    return _(REGISTRY[qtype].label) if qtype in REGISTRY else qtype


# --- settings --------------------------------------------------------------------------------


def _choices(form: QuizSettingsForm) -> None:
    from lms.programs.models import Program  # programs are another feature: read at request time

    programs = db.session.execute(select(Program.code, Program.title).order_by(Program.title)).all()
    form.program_code.choices = [("", _("— Không gắn chương trình —"))] + [(c, t) for c, t in programs]
    if form.program_code.data and form.program_code.data not in {c for c, _t in programs}:
        form.program_code.choices.append((form.program_code.data, form.program_code.data))  # kept as imported
    units = db.session.scalars(select(Unit).where(unit_scope(current_user)).order_by(Unit.path)).all()
    form.owner_unit_id.choices = [(u.id, u.name) for u in units]


def _form_for(quiz: Quiz | None) -> QuizSettingsForm:
    if request.method == "POST":
        return QuizSettingsForm()
    if quiz is None:
        form = QuizSettingsForm(owner_unit_id=current_user.unit_id)
        for part, default in (("score", 7), ("right_answers", 0), ("feedback", 7)):
            for bit, time, _label in REVIEW_TIMES:
                getattr(form, review_field(part, time)).data = bool(default & bit)
        return form
    data = {
        "title": quiz.title,
        "code": quiz.code,
        "purpose": quiz.purpose.value,
        "program_code": quiz.program_code or "",
        "owner_unit_id": quiz.owner_unit_id,
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempts_allowed": quiz.attempts_allowed,
        "grading_method": quiz.grading_method.value,
        "pass_mark": quiz.pass_mark,
        "opens_at": _to_local(quiz.opens_at),
        "closes_at": _to_local(quiz.closes_at),
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_choices": quiz.shuffle_choices,
        "navigation": quiz.navigation.value,
    }
    for part in PARTS:
        mask = getattr(quiz, f"review_{part}_when")
        for bit, time, _label in REVIEW_TIMES:
            data[review_field(part, time)] = bool(mask & bit)
    return QuizSettingsForm(data=data)


def _settings(form: QuizSettingsForm) -> builder.QuizSettings:
    masks = {}
    for part in PARTS:
        masks[part] = sum(
            bit for bit, time, _label in REVIEW_TIMES if getattr(form, review_field(part, time)).data
        )
    title = form.title.data.strip()
    return builder.QuizSettings(
        title=title,
        code=(form.code.data or "").strip() or builder.free_code(db.session, title),
        purpose=Purpose(form.purpose.data),
        owner_unit_id=form.owner_unit_id.data,
        program_code=form.program_code.data or None,
        time_limit_minutes=form.time_limit_minutes.data or None,
        attempts_allowed=form.attempts_allowed.data,
        grading_method=GradingMethod(form.grading_method.data),
        pass_mark=form.pass_mark.data,
        opens_at=_to_utc(form.opens_at.data),
        closes_at=_to_utc(form.closes_at.data),
        shuffle_questions=bool(form.shuffle_questions.data),
        shuffle_choices=bool(form.shuffle_choices.data),
        navigation=Navigation(form.navigation.data),
        review_score_when=masks["score"],
        review_right_answers_when=masks["right_answers"],
        review_feedback_when=masks["feedback"],
    )


def _settings_page(form: QuizSettingsForm, quiz: Quiz | None, locked: bool):
    return render_template(
        "quizzes/builder_settings.html",
        form=form,
        quiz=quiz,
        locked=locked,
        parts=[(part, REVIEW_PART_LABELS[part]) for part in PARTS],
        times=REVIEW_TIMES,
        review_field=review_field,
    ), (400 if form.errors else 200)


def _save_settings(form: QuizSettingsForm, quiz: Quiz | None):
    """Validate and save; the response to send, or None to show the form (with its messages)."""
    if not form.validate_on_submit():
        return None
    settings = _settings(form)
    if quiz is None and not can_own(settings.owner_unit_id):
        abort(403)
    try:
        if quiz is None:
            quiz = builder.create_quiz(db.session, current_user, settings, now())
            message = _("Đã tạo bài kiểm tra. Bây giờ đồng chí thêm câu hỏi.")
        else:
            changed = builder.update_settings(db.session, current_user, quiz, settings, now())
            message = _("Đã lưu cài đặt.") if changed else _("Không có thay đổi.")
    except builder.SettingsRefused as exc:
        db.session.rollback()
        for name, text in exc.errors.items():
            field = getattr(form, name)
            field.errors = [*field.errors, text]
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("quizzes.builder_questions", public_id=quiz.public_id))


def can_own(unit_id: int) -> bool:
    unit = db.session.get(Unit, unit_id)
    return (
        unit is not None
        and db.session.scalar(select(Unit.id).where(Unit.id == unit.id, unit_scope(current_user))) is not None
    )


@bp.route("/quizzes/manage/new", methods=["GET", "POST"])
@requires("quizzes.author")
def builder_new():
    """«Tạo bài kiểm tra»: the settings of a new quiz, then its questions page."""
    form = _form_for(None)
    _choices(form)
    return _save_settings(form, None) or _settings_page(form, None, False)


@bp.route("/quizzes/manage/<public_id>/settings", methods=["GET", "POST"])
@requires("quizzes.author")
def builder_settings(public_id: str):
    """«Sửa cài đặt»: the same form; with attempts, what decides a grade is locked."""
    quiz = quiz_for("quizzes.author", public_id)
    form = _form_for(quiz)
    _choices(form)
    return _save_settings(form, quiz) or _settings_page(form, quiz, builder.has_attempts(db.session, quiz))


# --- questions -------------------------------------------------------------------------------


def _questions_page(
    quiz: Quiz, random_form: AddRandomForm | None = None, errors=None, typed=None, status=200
):
    counts = builder.category_counts(db.session)
    path = text_arg("category")
    text = text_arg("q")
    known = {p for p, _n in counts}
    listed = builder.category_questions(db.session, path, text) if path in known else []
    held = {s.question_id for s in quiz.slots if s.question_id}
    if random_form is None:
        random_form = AddRandomForm()
        random_form.category.data = path or None
    random_form.category.choices = [(p, f"{p} ({n})") for p, n in counts]
    return render_template(
        "quizzes/builder_questions.html",
        quiz=quiz,
        slots=list(quiz.slots),
        rows=builder.rows(quiz),
        total=builder.total_points(quiz),
        locked=builder.has_attempts(db.session, quiz),
        counts=counts,
        path=path if path in known else "",
        text=text,
        listed=listed,
        held=held,
        random_form=random_form,
        plain_form=FlaskForm(),
        type_label=_type_label,
        errors=errors or {},
        typed=typed or {},
    ), status


@bp.get("/quizzes/manage/<public_id>/questions")
@requires("quizzes.author")
def builder_questions(public_id: str):
    return _questions_page(quiz_for("quizzes.author", public_id))


def _back(quiz: Quiz, **args):
    return redirect(url_for("quizzes.builder_questions", public_id=quiz.public_id, **args) + "#slots")


def _refused(quiz: Quiz, exc: LmsError):
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(url_for("quizzes.builder_questions", public_id=quiz.public_id))


@bp.post("/quizzes/manage/<public_id>/questions/add")
@requires("quizzes.author")
def builder_add(public_id: str):
    quiz = quiz_for("quizzes.author", public_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    ids = request.form.getlist("question")
    questions = list(db.session.scalars(select(Question).where(Question.public_id.in_(ids)))) if ids else []
    order = {public: n for n, public in enumerate(ids)}
    questions.sort(key=lambda q: order[q.public_id])
    if not questions:
        flash(_("Chưa chọn câu hỏi nào: đánh dấu các câu cần thêm rồi bấm «Thêm các câu đã chọn»."), "error")
        return redirect(
            url_for(
                "quizzes.builder_questions",
                public_id=public_id,
                category=request.form.get("category") or None,
            )
        )
    try:
        added = builder.add_questions(db.session, current_user, quiz, questions, now())
    except LmsError as exc:
        return _refused(quiz, exc)
    db.session.commit()
    skipped = len(questions) - len(added)
    message = _("Đã thêm %(n)s câu hỏi.", n=len(added))
    if skipped:
        message += " " + _("%(n)s câu đã có trong bài nên được bỏ qua.", n=skipped)
    flash(message, "success")
    return _back(quiz)


@bp.post("/quizzes/manage/<public_id>/questions/random")
@requires("quizzes.author")
def builder_random(public_id: str):
    quiz = quiz_for("quizzes.author", public_id)
    form = AddRandomForm()
    form.category.choices = [(p, p) for p, _n in builder.category_counts(db.session)]
    if form.validate_on_submit():
        try:
            builder.add_random(
                db.session, current_user, quiz, form.category.data, form.count.data, form.points.data, now()
            )
        except LmsError as exc:
            db.session.rollback()
            form.count.errors = [*form.count.errors, exc.message]
        else:
            db.session.commit()
            flash(_("Đã thêm %(n)s câu ngẫu nhiên.", n=form.count.data), "success")
            return _back(quiz)
    return _questions_page(quiz, random_form=form, status=400)


@bp.post("/quizzes/manage/<public_id>/slots/<int:slot_id>/move")
@requires("quizzes.author")
def builder_move(public_id: str, slot_id: int):
    quiz = quiz_for("quizzes.author", public_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    step = -1 if request.form.get("step") == "up" else 1
    try:
        builder.move_slot(db.session, current_user, quiz, slot_id, step, now())
    except LmsError as exc:
        return _refused(quiz, exc)
    db.session.commit()
    flash(_("Đã đổi thứ tự."), "success")
    return _back(quiz)


@bp.post("/quizzes/manage/<public_id>/slots/<int:slot_id>/remove")
@requires("quizzes.author")
def builder_remove(public_id: str, slot_id: int):
    quiz = quiz_for("quizzes.author", public_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        builder.remove_slot(db.session, current_user, quiz, slot_id, now())
    except LmsError as exc:
        return _refused(quiz, exc)
    db.session.commit()
    flash(_("Đã bỏ câu khỏi bài kiểm tra."), "success")
    return _back(quiz)


@bp.post("/quizzes/manage/<public_id>/slots/<int:slot_id>/points")
@requires("quizzes.author")
def builder_points(public_id: str, slot_id: int):
    quiz = quiz_for("quizzes.author", public_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    raw = request.form.get("points", "")
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        value = None
    try:
        if value is None:
            raise LmsError(_("Nhập số điểm, ví dụ 1 hoặc 0,5."))
        changed = builder.set_points(db.session, current_user, quiz, slot_id, value, now())
    except LmsError as exc:
        db.session.rollback()
        return _questions_page(quiz, errors={slot_id: exc.message}, typed={slot_id: raw}, status=400)
    db.session.commit()
    flash(_("Đã lưu điểm.") if changed else _("Không có thay đổi."), "success")
    return _back(quiz)


# --- previews --------------------------------------------------------------------------------


@bp.get("/quizzes/manage/<public_id>/preview")
@requires("quizzes.author")
def builder_preview(public_id: str):
    """«Xem trước như học viên»: the first page of a paper drawn for this view only."""
    quiz = quiz_for("quizzes.author", public_id)
    problem, questions = None, []
    try:
        paper = builder.preview_paper(db.session, quiz)
    except LmsError as exc:
        problem, paper = exc.message, []
    if quiz.navigation is Navigation.paged:
        shown = paper[:PAGE_SIZE]
    else:
        shown = paper
    number = 0
    for position, (version, points, order) in enumerate(shown, start=1):
        informational = get_type(version.qtype, version.data).informational
        number += 0 if informational else 1
        questions.append(
            {
                "slot": {"position": position, "points": points},
                "view": learner_payload(version, order),
                "response": display_response(version, order, {}),
                "number": number,
                "code": version.question.code,
            }
        )
    return render_template(
        "quizzes/builder_preview.html",
        quiz=quiz,
        questions=questions,
        total=len(paper),
        pages=max(1, -(-len(paper) // PAGE_SIZE)) if quiz.navigation is Navigation.paged else 1,
        problem=problem,
    )


@bp.route("/quizzes/bank/<public_id>/preview", methods=["GET", "POST"])
@requires("quizzes.author")
def question_preview(public_id: str):
    """One bank question as the learner sees it; "Kiểm tra" grades the answer given here and
    shows the feedback, storing nothing."""
    question = db.session.scalar(select(Question).where(Question.public_id == public_id))
    if question is None:
        abort(404)
    version = question.latest
    qtype = get_type(version.qtype, version.data)
    order = qtype.initial_order(random.Random(0), False)  # the author's order
    response, result = {}, None
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        response = qtype.parse_form(request.form.to_dict(flat=False), "q1", order)
        fraction = None if qtype.manual or qtype.informational else qtype.grade(response)
        result = {
            "fraction": fraction,
            "points": None if fraction is None else round(fraction * version.default_points, 4),
            "feedback": qtype.feedback(response),
            "right": qtype.right_answer(),
            "general": version.general_feedback_html,
        }
    return render_template(
        "quizzes/question_preview.html",
        question=question,
        version=version,
        q={
            "slot": {"position": 1, "points": version.default_points},
            "view": learner_payload(version, order),
            "response": display_response(version, order, response),
        },
        informational=qtype.informational,
        manual=qtype.manual,
        result=result,
        type_label=_type_label(version.qtype),
        back=request.args.get("quiz", ""),
        form=FlaskForm(),
    )
