"""Programs, topics (authoring and approval), my training, cohorts and training needs.

Each view: load → authorize → validate → act (service) → commit once → respond.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from lms import events
from lms.auth.models import Role
from lms.auth.permissions import authorize, can, requires, unit_scope
from lms.db import db
from lms.errors import LmsError
from lms.org.models import CadreProfile, TargetGroup, Title, Unit
from lms.programs import learner, permissions  # noqa: F401  (register the rules and the learner's programs)
from lms.programs import services as svc
from lms.programs.forms import (
    AttachmentForm,
    CohortForm,
    EnrollForm,
    NeedForm,
    ProgramForm,
    ReturnForm,
    TopicForm,
)
from lms.programs.models import (
    ATTENDANCE_LABELS,
    FIELDS,
    STATUS_LABELS,
    TOPIC_KIND_LABELS,
    Attachment,
    AttendanceStatus,
    Cohort,
    Program,
    Topic,
    TopicVersion,
)
from lms.sanitize import markdown_to_html
from lms.web import now, text_arg

bp = Blueprint("programs", __name__)


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "kind_labels": TOPIC_KIND_LABELS, "fields": FIELDS}


# --- content: lists for staff ---------------------------------------------------------------


@bp.get("/content")
@requires("programs.view_topic")
def content_index():
    programs = db.session.scalars(
        select(Program).options(selectinload(Program.items)).order_by(Program.code)
    ).all()
    topics = db.session.scalars(
        select(Topic).options(selectinload(Topic.versions)).order_by(Topic.code)
    ).all()
    return render_template("programs/content.html", programs=programs, topics=topics, **_labels())


@bp.get("/content/review")
@requires("programs.approve")
def review_queue():
    from lms.programs.models import VersionStatus

    versions = db.session.scalars(
        select(TopicVersion)
        .where(TopicVersion.status.in_([VersionStatus.submitted, VersionStatus.approved]))
        .options(selectinload(TopicVersion.topic))
        .order_by(TopicVersion.submitted_at)
    ).all()
    return render_template("programs/review.html", versions=versions, **_labels())


# --- programs -------------------------------------------------------------------------------


@bp.get("/programs/<code>")
@requires("programs.view_topic")
def program_view(code: str):
    program = svc.get_program(db.session, code)
    return render_template("programs/program.html", program=program, **_labels())


def _program_form(program: Program | None) -> ProgramForm:
    form = ProgramForm(obj=program)
    form.target_group_ids.choices = [
        SelectChoice(g.id, g.name) for g in db.session.scalars(select(TargetGroup).order_by(TargetGroup.id))
    ]
    form.title_ids.choices = [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Title).order_by(Title.sort_order))
    ]
    if program is not None and request.method == "GET":
        form.target_group_ids.data = [g.id for g in program.target_groups]
        form.title_ids.data = [t.id for t in program.titles]
        form.topic_codes.data = "\n".join(t.code for t in program.topics)
    return form


@bp.route("/programs/new", methods=["GET", "POST"])
@requires("programs.author")
def program_new():
    return _program_edit(None)


@bp.route("/programs/<code>/edit", methods=["GET", "POST"])
@requires("programs.author")
def program_edit(code: str):
    return _program_edit(svc.get_program(db.session, code))


def _program_edit(program: Program | None):
    form = _program_form(program)
    if program is None and request.method == "POST" and not form.code.data:
        form.code.errors = [_("Cần nhập mã chương trình.")]
    elif form.validate_on_submit():
        fields = {name: f.data for name, f in form._fields.items()}
        fields["code"] = program.code if program else form.code.data
        fields["topic_codes"] = [
            c.strip() for c in (form.topic_codes.data or "").replace(",", "\n").splitlines()
        ]
        try:
            saved = svc.save_program(db.session, current_user, now(), program, fields)
        except LmsError as exc:
            db.session.rollback()
            form.topic_codes.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã lưu chương trình."), "success")
            return redirect(url_for("programs.program_view", code=saved.code))
    return render_template("programs/program_edit.html", form=form, program=program)


# --- topics: authoring ----------------------------------------------------------------------


def _topic_form(version: TopicVersion | None) -> TopicForm:
    form = TopicForm(obj=version)
    form.target_groups.choices = [
        SelectChoice(g.code, g.name) for g in db.session.scalars(select(TargetGroup).order_by(TargetGroup.id))
    ]
    if version is not None and request.method == "GET":
        form.target_groups.data = version.target_group_codes
        form.kind.data = str(version.kind)
        form.lessons.data = "\n".join(f"{lesson.anchor} | {lesson.title}" for lesson in version.lessons)
    return form


def _parse_lessons(text: str | None) -> list[tuple[str, str]]:
    lessons = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        anchor, bar, title = line.partition("|")
        if not bar or not anchor.strip() or not title.strip():
            raise LmsError(_("Dòng %(n)s của “Các phần” phải có dạng: mã-phần | Tiêu đề", n=number))
        lessons.append((title.strip(), anchor.strip()))
    return lessons


def _topic_fields(form: TopicForm) -> dict:
    return {
        "title": form.title.data,
        "kind": form.kind.data,
        "field": form.field.data,
        "hours": float(form.hours.data),
        "target_groups": form.target_groups.data or [],
        "legal_basis": form.legal_basis.data,
        "as_of": form.as_of.data,
        "body": form.body.data or "",
        "lessons": _parse_lessons(form.lessons.data),
    }


@bp.route("/topics/new", methods=["GET", "POST"])
@requires("programs.author")
def topic_new():
    form = _topic_form(None)
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = markdown_to_html(form.body.data or "")
        elif not form.code.data:
            form.code.errors = [_("Cần nhập mã chuyên đề.")]
        else:
            try:
                version = svc.create_topic(
                    db.session, current_user, now(), form.code.data, _topic_fields(form)
                )
            except LmsError as exc:
                db.session.rollback()
                form.code.errors = [exc.message]
            else:
                db.session.commit()
                flash(_("Đã tạo bản nháp chuyên đề."), "success")
                return redirect(url_for("programs.topic_view", public_id=version.topic.public_id))
    return render_template("programs/topic_edit.html", form=form, topic=None, preview=preview)


@bp.route("/topics/<public_id>/edit", methods=["GET", "POST"])
@requires("programs.author")
def topic_edit(public_id: str):
    topic = svc.get_topic(db.session, public_id)
    source = topic.open_version or topic.published or topic.latest
    if source is not None and not source.editable and source.status.value in ("submitted", "approved"):
        flash(_("Phiên bản đang chờ duyệt hoặc đã duyệt nên chưa sửa được."), "error")
        return redirect(url_for("programs.topic_view", public_id=topic.public_id))
    form = _topic_form(source)
    del form.code
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = markdown_to_html(form.body.data or "")
        else:
            try:
                svc.edit_topic(db.session, current_user, now(), topic, _topic_fields(form))
            except LmsError as exc:
                db.session.rollback()
                flash(exc.message, "error")
            else:
                db.session.commit()
                flash(_("Đã lưu bản nháp."), "success")
                return redirect(url_for("programs.topic_view", public_id=topic.public_id))
    return render_template("programs/topic_edit.html", form=form, topic=topic, preview=preview)


@bp.get("/topics/<public_id>")
@requires("programs.view_topic")
def topic_view(public_id: str):
    topic = svc.get_topic(db.session, public_id)
    version_id = request.args.get("v")
    version = next((v for v in topic.versions if v.public_id == version_id), None) if version_id else None
    version = version or topic.open_version or topic.published or topic.latest
    if version is None:
        abort(404)
    authorize("programs.view_topic", version)
    return render_template(
        "programs/topic.html",
        topic=topic,
        version=version,
        changes=svc.changes_since_published(db.session, version),
        attach_form=AttachmentForm(),
        return_form=ReturnForm(),
        **_labels(),
    )


def _version_action(public_id: str, action: str):
    version = svc.get_version(db.session, public_id)
    authorize("programs.view_topic", version)
    if action == "submit":
        authorize("programs.author", version)
        svc.submit_version(db.session, current_user, now(), version)
        message = _("Đã gửi duyệt.")
    else:
        authorize("programs.approve", version)
        if action == "approve":
            svc.approve_version(db.session, current_user, now(), version)
            message = _("Đã duyệt.")
        elif action == "publish":
            svc.publish_version(db.session, current_user, now(), version)
            message = _("Đã công bố; học viên sẽ thấy phiên bản này.")
        else:
            form = ReturnForm()
            if not form.validate_on_submit():
                raise LmsError(_("Khi trả lại cần ghi nhận xét để tác giả biết phải sửa gì."))
            svc.return_version(db.session, current_user, now(), version, form.comment.data)
            message = _("Đã trả lại cho tác giả.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("programs.topic_view", public_id=version.topic.public_id, v=version.public_id))


@bp.post("/versions/<public_id>/submit")
@requires("programs.author")
def version_submit(public_id: str):
    return _version_action(public_id, "submit")


@bp.post("/versions/<public_id>/approve")
@requires("programs.approve")
def version_approve(public_id: str):
    return _version_action(public_id, "approve")


@bp.post("/versions/<public_id>/return")
@requires("programs.approve")
def version_return(public_id: str):
    return _version_action(public_id, "return")


@bp.post("/versions/<public_id>/publish")
@requires("programs.approve")
def version_publish(public_id: str):
    return _version_action(public_id, "publish")


# --- attachments ----------------------------------------------------------------------------


def _upload_dir() -> Path:
    configured = current_app.config.get("LMS_UPLOAD_DIR")  # shared by every app host
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


@bp.post("/versions/<public_id>/attachments")
@requires("programs.author")
def attachment_add(public_id: str):
    version = svc.get_version(db.session, public_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        raise LmsError(_("Chọn một tệp để tải lên."))
    upload = form.file.data
    svc.add_attachment(
        db.session,
        current_user,
        now(),
        version,
        upload.filename,
        upload.read(),
        _upload_dir(),
        int(current_app.config["LMS_UPLOAD_MAX_MB"]),
    )
    db.session.commit()
    flash(_("Đã tải lên tài liệu."), "success")
    return redirect(url_for("programs.topic_view", public_id=version.topic.public_id, v=version.public_id))


@bp.post("/attachments/<public_id>/delete")
@requires("programs.author")
def attachment_delete(public_id: str):
    attachment = _attachment(public_id)
    topic_id, version_id = attachment.version.topic.public_id, attachment.version.public_id
    svc.remove_attachment(db.session, current_user, now(), attachment)
    db.session.commit()
    flash(_("Đã gỡ tài liệu."), "success")
    return redirect(url_for("programs.topic_view", public_id=topic_id, v=version_id))


def _attachment(public_id: str) -> Attachment:
    attachment = db.session.scalar(select(Attachment).where(Attachment.public_id == public_id))
    if attachment is None:
        abort(404)
    return attachment


@bp.get("/attachments/<public_id>")
@requires("training.mine")
def attachment_download(public_id: str):
    attachment = _attachment(public_id)
    authorize("programs.view_topic", attachment.version)
    path = _upload_dir() / attachment.stored_name
    if not path.is_file():
        abort(404)
    return send_file(
        path, mimetype=attachment.mimetype, as_attachment=True, download_name=attachment.filename
    )


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


# --- cohorts --------------------------------------------------------------------------------


def _cohort(public_id: str, action: str) -> Cohort:
    cohort = svc.get_cohort(db.session, public_id)
    authorize(action, cohort)
    return cohort


@bp.get("/cohorts")
@requires("cohort.view")
def cohorts():
    role = current_user.role.value
    rows = svc.cohorts_for(db.session, current_user, unit_scope(current_user), role)
    return render_template("programs/cohorts.html", cohorts=rows)


@bp.route("/cohorts/new", methods=["GET", "POST"])
@requires("cohort.manage")
def cohort_new():
    form = CohortForm()
    form.program_id.choices = [
        SelectChoice(p.id, p.title) for p in db.session.scalars(select(Program).order_by(Program.code))
    ]
    units = db.session.scalars(select(Unit).where(unit_scope(current_user)).order_by(Unit.path)).all()
    form.unit_id.choices = [SelectChoice(u.id, u.name) for u in units]
    if form.validate_on_submit():
        program = db.session.get(Program, form.program_id.data)
        unit = db.session.get(Unit, form.unit_id.data)
        start = form.start_date.data
        days = program.duration_days
        schedule = [(start + dt.timedelta(days=i), f"Ngày {i + 1}", None) for i in range(days)]
        try:
            cohort = svc.create_cohort(
                db.session,
                current_user,
                now(),
                program=program,
                code=form.code.data,
                title=form.title.data,
                unit=unit,
                start_date=start,
                end_date=start + dt.timedelta(days=days - 1),
                instructors=[current_user] if current_user.role is Role.instructor else [],
                schedule=schedule,
            )
        except LmsError as exc:
            db.session.rollback()
            form.code.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Đã tạo lớp."), "success")
            return redirect(url_for("programs.cohort_view", public_id=cohort.public_id))
    return render_template("programs/cohort_new.html", form=form)


@bp.get("/cohorts/<public_id>")
@requires("cohort.view")
def cohort_view(public_id: str):
    cohort = _cohort(public_id, "cohort.view")
    enrollments = svc.roster(db.session, cohort)
    enroll_form = None
    if can(current_user, "cohort.manage", cohort):
        enroll_form = _enroll_form(cohort, enrollments)
    attendance = svc.attendance_map(db.session, cohort)
    present_counts: dict[int, int] = {}
    for (_enrollment_id, session_id), status in attendance.items():
        if status is AttendanceStatus.present:
            present_counts[session_id] = present_counts.get(session_id, 0) + 1
    return render_template(
        "programs/cohort.html",
        cohort=cohort,
        enrollments=enrollments,
        topics=cohort.program.topics,
        progress=svc.progress_map(db.session, cohort),
        present_counts=present_counts,
        attendance_labels=ATTENDANCE_LABELS,
        enroll_form=enroll_form,
    )


def _enroll_form(cohort: Cohort, enrollments) -> EnrollForm:
    form = EnrollForm()
    enrolled = {e.profile_id for e in enrollments}
    candidates = db.session.scalars(
        select(CadreProfile)
        .join(Unit, Unit.id == CadreProfile.unit_id)
        .where(Unit.path.startswith(cohort.unit.path, autoescape=True), unit_scope(current_user))
        .order_by(CadreProfile.name_key)
        .limit(500)
    )
    form.profile_ids.choices = [
        SelectChoice(p.id, f"{p.full_name} — {p.unit.name}") for p in candidates if p.id not in enrolled
    ]
    return form


@bp.post("/cohorts/<public_id>/enroll")
@requires("cohort.manage")
def cohort_enroll(public_id: str):
    cohort = _cohort(public_id, "cohort.manage")
    form = _enroll_form(cohort, svc.roster(db.session, cohort))
    if not form.validate_on_submit():
        raise LmsError(_("Chọn ít nhất một cán bộ trong danh sách."))
    for profile_id in form.profile_ids.data:
        svc.enroll(db.session, current_user, now(), cohort, db.session.get(CadreProfile, profile_id))
    db.session.commit()
    flash(_("Đã ghi danh %(n)s cán bộ.", n=len(form.profile_ids.data)), "success")
    return redirect(url_for("programs.cohort_view", public_id=cohort.public_id))


@bp.route("/cohorts/<public_id>/sessions/<int:position>/attendance", methods=["GET", "POST"])
@requires("cohort.manage")
def cohort_attendance(public_id: str, position: int):
    cohort = _cohort(public_id, "cohort.manage")
    session_obj = next((s for s in cohort.sessions if s.position == position), None)
    if session_obj is None:
        abort(404)
    enrollments = svc.roster(db.session, cohort)
    if request.method == "POST":
        action = request.form.get("action", "save")
        if action not in ("save", "all-present"):
            abort(400)
        statuses = {e.id: request.form.get(f"status-{e.id}", "") for e in enrollments}
        if action == "save":
            changed = svc.record_attendance(db.session, current_user, now(), cohort, session_obj, statuses)
            db.session.commit()
            flash(_("Đã lưu điểm danh (%(n)s thay đổi).", n=changed), "success")
            return redirect(url_for("programs.cohort_view", public_id=cohort.public_id))
        marked, changed = svc.record_all_present(
            db.session, current_user, now(), cohort, session_obj, statuses
        )
        db.session.commit()
        flash(
            _(
                "Đã ghi “Có mặt” cho %(m)s học viên chưa điểm danh (%(n)s thay đổi). "
                "Nếu có ai vắng, chọn lại ở dưới rồi bấm “Lưu điểm danh”.",
                m=marked,
                n=changed,
            ),
            "success",
        )
        # back to the same list: the monitor sees everyone and corrects the few exceptions
        return redirect(url_for("programs.cohort_attendance", public_id=cohort.public_id, position=position))
    attendance = svc.attendance_map(db.session, cohort)
    unrecorded = sum(1 for e in enrollments if (e.id, session_obj.id) not in attendance)
    return render_template(
        "programs/attendance.html",
        cohort=cohort,
        session_obj=session_obj,
        enrollments=enrollments,
        attendance=attendance,
        attendance_labels=ATTENDANCE_LABELS,
        unrecorded=unrecorded,
    )


@bp.get("/cohorts/<public_id>/export.csv")
@requires("cohort.view")
def cohort_export(public_id: str):
    cohort = _cohort(public_id, "cohort.view")
    body = svc.cohort_csv(db.session, cohort).encode("utf-8")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{cohort.code}.csv"'},
    )


# --- training needs -------------------------------------------------------------------------


@bp.route("/needs/new", methods=["GET", "POST"])
@requires("needs.file")
def need_new():
    form = NeedForm()
    form.title_id.choices = [SelectChoice(0, _("— Không theo chức danh —"))] + [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Title).order_by(Title.sort_order))
    ]
    if form.validate_on_submit():
        title = db.session.get(Title, form.title_id.data) if form.title_id.data else None
        svc.file_need(
            db.session,
            current_user,
            now(),
            unit=current_user.unit,
            title=title,
            topic_text=form.topic_text.data,
            people=form.people.data,
            period=form.period.data,
        )
        db.session.commit()
        flash(_("Đã gửi đăng ký nhu cầu bồi dưỡng."), "success")
        return redirect(url_for("programs.need_new"))
    return render_template("programs/need_new.html", form=form)


@bp.get("/needs")
@requires("needs.view")
def needs():
    period = request.args.get("period", "").strip()[:20] or None
    rows = svc.needs_summary(db.session, unit_scope(current_user), period)
    return render_template("programs/needs.html", rows=rows, period=period or "")
