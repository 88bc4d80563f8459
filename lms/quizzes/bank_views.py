"""The question bank pages: the list, editing a question (GIFT text or the per-field form of
lms/quizzes/authoring.py), new questions by type. Routes on the quizzes blueprint; lms/quizzes/views.py
imports this module to register them."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.permissions import authorize, can, requires
from lms.db import db, fold_key
from lms.errors import LmsError
from lms.quizzes import authoring, bank_files, gift, services
from lms.quizzes.blueprint import bp
from lms.quizzes.forms import (
    IMPORT_FORMATS,
    BankImportForm,
    QuestionEditForm,
    QuestionForm,
)
from lms.quizzes.models import (
    Question,
    QuestionCategory,
    Quiz,
)
from lms.quizzes.qtypes import REGISTRY
from lms.web import now, text_arg

# --- question bank ---------------------------------------------------------------------------


@bp.get("/quizzes/bank")
@requires("quizzes.author")
def bank():
    """The categories, and the questions of one category and/or one tag (a GET form, no JS)."""
    categories = db.session.scalars(select(QuestionCategory).order_by(QuestionCategory.path)).all()
    path = text_arg("category")
    tag = services.fold_tag(text_arg("tag"))
    questions = []
    if path or tag:
        try:
            questions = services.bank_questions(db.session, category=path, tag=tag)
        except LmsError:  # a category name that is only slashes and spaces
            path = ""
    return render_template(
        "quizzes/bank.html",
        categories=categories,
        path=path,
        tag=tag,
        tags=services.bank_tags(db.session),
        questions=questions,
        form_types=authoring.FORM_TYPES,
        type_labels={qtype: authoring.type_label(qtype) for qtype in REGISTRY},
        export_quizzes=[
            q
            for q in db.session.scalars(select(Quiz).order_by(Quiz.code))
            if can(current_user, "quizzes.author", q)
        ],
    )


def _question_or_404(public_id: str) -> Question:
    question = db.session.scalar(select(Question).where(Question.public_id == public_id))
    if question is None:
        abort(404)
    return question


@bp.route("/quizzes/bank/<public_id>", methods=["GET", "POST"])
@requires("quizzes.author")
def edit_question(public_id: str):
    question = _question_or_404(public_id)
    form = QuestionEditForm()
    changes = None
    if request.method == "GET":
        form.gift.data = f"$CATEGORY: {question.category.path}\n\n" + gift.export_question(
            question.code, question.tag_list, question.latest
        )
    elif form.validate_on_submit():
        items, problems = gift.parse(form.gift.data, "câu hỏi")
        if not problems and (len(items) != 1 or items[0].code != question.code):
            problems = [_("Cần đúng một câu hỏi với mã ::%(code)s::", code=question.code)]
        if problems:
            form.gift.errors.extend(str(p) for p in problems)
        elif request.form.get("action") == "correct_key":
            if items[0].qtype != question.latest.qtype:
                form.gift.errors.append(_("Sửa đáp án không được đổi loại câu hỏi."))
            else:
                try:
                    changes = services.correct_key(
                        db.session, current_user, question.latest, items[0].data, now()
                    )
                except LmsError as exc:
                    db.session.rollback()
                    form.gift.errors.append(exc.message)
                else:
                    db.session.commit()
                    flash(_("Đã sửa đáp án và chấm lại %(n)s bài làm.", n=len(changes)), "success")
        else:
            status = services.save_question(db.session, current_user, items[0], now())[1]
            db.session.commit()
            flash(
                {
                    "new_version": _("Câu hỏi đã được dùng nên đã tạo phiên bản mới."),
                    "unchanged": _("Không có thay đổi."),
                }.get(status, _("Đã lưu câu hỏi.")),
                "success",
            )
            return redirect(url_for("quizzes.edit_question", public_id=public_id))
    used = services.version_used(db.session, question.latest)
    return render_template(
        "quizzes/question.html",
        question=question,
        form=form,
        used=used,
        changes=changes,
        per_field=authoring.form_supported(question.latest),
    )


# --- question bank: the per-field form (lms/quizzes/authoring.py) ----------------------------


@bp.get("/quizzes/bank/new")
@requires("quizzes.author")
def new_question_types():
    return render_template(
        "quizzes/question_types.html",
        types=[(qtype, authoring.type_label(qtype)) for qtype in authoring.FORM_TYPES],
        category=request.args.get("category", ""),
    )


@bp.route("/quizzes/bank/new/<qtype>", methods=["GET", "POST"])
@requires("quizzes.author")
def new_question(qtype: str):
    if qtype not in authoring.FORM_TYPES:
        abort(404)
    form = QuestionForm()
    if request.method == "GET":
        form.category.data = request.args.get("category", "")
    return _question_form(form, qtype, None)


@bp.route("/quizzes/bank/<public_id>/form", methods=["GET", "POST"])
@requires("quizzes.author")
def edit_question_form(public_id: str):
    question = _question_or_404(public_id)
    if not authoring.form_supported(question.latest):
        flash(_("Câu hỏi loại này chỉ sửa được bằng GIFT."), "warning")
        return redirect(url_for("quizzes.edit_question", public_id=public_id))
    form = QuestionForm(data=authoring.form_data(question)) if request.method == "GET" else QuestionForm()
    return _question_form(form, question.latest.qtype, question)


def _question_form(form: QuestionForm, qtype: str, question: Question | None):
    """Show the form; on a post, save through services.save_question or show what is wrong."""
    categories = list(db.session.scalars(select(QuestionCategory.path).order_by(QuestionCategory.path)))
    form.category.choices = [("", _("— Chọn nhóm —"))] + [(path, path) for path in categories]
    if request.method == "POST":
        shape_ok = form.validate()
        item = authoring.build_input(form, qtype, question, categories)
        taken = _("Mã câu hỏi này đã có trong ngân hàng; hãy chọn mã khác.")
        if item is not None and question is None and services.question_by_code(db.session, item.code):
            form.code.errors = [*form.code.errors, taken]
            item = None
        if shape_ok and item is not None:
            try:
                saved, status = services.save_question(db.session, current_user, item, now())
                db.session.commit()
            except LmsError as exc:  # a rule of the services
                db.session.rollback()
                form.block_errors = [exc.message]
            except IntegrityError:  # the same code saved by someone else meanwhile
                db.session.rollback()
                form.code.errors = [*form.code.errors, taken]
            else:
                messages = {
                    "created": _("Đã thêm câu hỏi."),
                    "new_version": _("Câu hỏi đã được dùng trong bài làm nên đã tạo phiên bản mới."),
                    "unchanged": _("Không có thay đổi."),
                }
                flash(messages.get(status, _("Đã lưu câu hỏi.")), "success")
                if request.form.get("action") == "save_new":
                    path = saved.category.path
                    return redirect(url_for("quizzes.new_question", qtype=qtype, category=path))
                return redirect(url_for("quizzes.edit_question_form", public_id=saved.public_id))
    version = question.latest if question is not None else None
    return render_template(
        "quizzes/question_form.html",
        form=form,
        qtype=qtype,
        type_label=authoring.type_label(qtype),
        question=question,
        used=version is not None and services.version_used(db.session, version),
        kept=authoring.kept_parts(version) if version is not None else [],
        row_index=authoring.row_index,
    )


# --- question bank: files in and out (lms/quizzes/bank_files.py) -----------------------------


@bp.route("/quizzes/bank/import", methods=["GET", "POST"])
@requires("quizzes.author")
def bank_import():
    """Upload → preview (count, types, categories and every problem; nothing written) →
    "Nhập" sends the checked text back and imports it."""
    form = BankImportForm()
    result, error = None, None
    if request.method == "POST":
        if not form.validate_on_submit():
            error = "; ".join(e for errors in form.errors.values() for e in errors) or _(
                "Biểu mẫu không hợp lệ."
            )
        elif request.form.get("action") == "import" and form.content.data:
            result = bank_files.preview(
                form.filename.data, form.content.data, form.fmt.data, form.skip_unsupported.data
            )
            if not result.problems:
                counts = bank_files.run_import(db.session, current_user, result, now())
                db.session.commit()
                labels = {
                    "created": _("mới"),
                    "updated": _("cập nhật"),
                    "new_version": _("phiên bản mới"),
                    "unchanged": _("không đổi"),
                }
                summary = ", ".join(f"{n} {labels.get(s, s)}" for s, n in sorted(counts.items()))
                flash(_("Đã nhập %(n)s câu hỏi (%(s)s).", n=len(result.items), s=summary), "success")
                return redirect(url_for("quizzes.bank"))
        else:
            upload = form.file.data
            if upload is None or not getattr(upload, "filename", ""):
                error = _("Chọn một tệp để tải lên.")
            else:
                try:
                    text = bank_files.decode_upload(upload.filename, upload.read(bank_files.MAX_BYTES + 1))
                except LmsError as exc:
                    error = exc.message
                else:
                    result = bank_files.preview(
                        upload.filename, text, form.fmt.data, form.skip_unsupported.data
                    )
                    form.content.data, form.filename.data = text, result.filename
    return render_template(
        "quizzes/bank_import.html",
        form=form,
        result=result,
        error=error,
        type_labels={qtype: authoring.type_label(qtype) for qtype in REGISTRY},
        format_labels=dict(IMPORT_FORMATS),
    )


@bp.get("/quizzes/bank/export")
@requires("quizzes.author")
def bank_export():
    """Download a category (with subcategories) or a quiz's questions as GIFT or Moodle XML."""
    fmt = request.args.get("format", "gift")
    source = request.args.get("source", "")
    if fmt not in bank_files.EXTENSIONS or ":" not in source:
        abort(400)
    kind, value = source.split(":", 1)
    if kind == "quiz":
        quiz = bank_files.quiz_by_code(db.session, value)
        if quiz is None:
            abort(404)
        authorize("quizzes.author", quiz)
        questions, name = bank_files.questions_for(db.session, quiz), quiz.code
    elif kind == "category":
        questions, name = bank_files.questions_for(db.session, category=value), value
    else:
        abort(400)
    if not questions:
        flash(_("Không có câu hỏi nào để xuất."), "warning")
        return redirect(url_for("quizzes.bank"))
    body = bank_files.export_text(questions, fmt)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", fold_key(name)).strip("-") or "cau-hoi"
    filename = f"{safe}.{bank_files.EXTENSIONS[fmt]}"
    return (
        body,
        200,
        {
            "Content-Type": bank_files.MIMETYPES[fmt],
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )
