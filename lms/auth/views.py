from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from lms import audit
from lms.audit_display import (
    ACTION_LABELS,
    FIELDS_MAX,
    OBJECT_LABELS,
    action_label,
    changes,
    local_day_start,
    object_label,
)
from lms.auth.forms import (
    AuditFilterForm,
    ChangePasswordForm,
    ImportForm,
    LoginForm,
    UserActionForm,
    UserCreateForm,
)
from lms.auth.models import ROLE_LABELS, Role, User, new_session_token
from lms.auth.permissions import LOGIN, PUBLIC, requires
from lms.auth.services import (
    BadCredentials,
    LoginThrottled,
    authenticate,
    change_password,
    create_user,
    get_user,
    reset_password,
    set_active,
)
from lms.db import db
from lms.errors import InvalidFile, LmsError
from lms.org.csv_import import import_accounts
from lms.org.csv_template import template_csv
from lms.org.import_help import IMPORT_COLUMN_HELP
from lms.org.models import Unit
from lms.web import (
    checked_filters,
    client_address,
    local_target,
    now,
    page_arg,
    session_ended_message,
    start_session_clock,
)

bp = Blueprint("auth", __name__)
PAGE_SIZE = 50


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        settings = current_app.config
        try:
            user = authenticate(
                db.session,
                form.username.data,
                form.password.data,
                client_address(),
                now(),
                max_per_account=settings["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                max_per_address=settings["LMS_LOGIN_MAX_FAILURES_PER_ADDRESS"],
                window_minutes=settings["LMS_LOGIN_WINDOW_MINUTES"],
            )
        except (BadCredentials, LoginThrottled) as exc:
            db.session.commit()  # keep the failure count
            form.password.errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            lang = session.get("lang")
            session.clear()  # a fresh session on login: no fixation
            if lang:
                session["lang"] = lang
            login_user(user)
            start_session_clock()
            if user.must_change_password:
                flash(_("Vui lòng đổi mật khẩu trước khi tiếp tục."), "info")
                return redirect(url_for("auth.change_password_view"))
            return redirect(local_target(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, ended=session_ended_message()), status


@bp.post("/logout")
@requires(LOGIN)
def logout():
    # Rotating the token makes a copied cookie of this session worthless too (it also ends the
    # user's sessions on other devices: with signed cookies there is no per-session record).
    user = current_user._get_current_object()
    user.session_token = new_session_token()
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Đồng chí đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(LOGIN)
def change_password_view():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(db.session, current_user, form.current.data, form.new.data)
        except LmsError as exc:
            db.session.rollback()
            form.new.errors.append(exc.message)
            status = 400
        else:
            db.session.commit()
            login_user(
                current_user._get_current_object()
            )  # re-issue this session's cookie with the new token
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "success")
            return redirect(url_for("core.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/password.html", form=form), status


# --- administration ------------------------------------------------------------------------


def _unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(select(Unit).order_by(Unit.path))
    return [SelectChoice(u.id, ("— " * (u.path.count("/") - 2)) + u.name) for u in units]


@bp.route("/admin/users", methods=["GET", "POST"])
@requires("users.manage")
def users():
    form = UserCreateForm()
    form.unit_id.choices = _unit_choices()
    status, created = 200, None
    if form.validate_on_submit():
        try:
            user, password = create_user(
                db.session,
                username=form.username.data,
                display_name=form.display_name.data,
                role=form.role.data,
                unit=db.session.get(Unit, form.unit_id.data),
                actor=current_user,
            )
        except LmsError as exc:
            db.session.rollback()
            form.username.errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            created = (user.username, password)
            form = UserCreateForm(formdata=None)
            form.unit_id.choices = _unit_choices()
    elif request.method == "POST":
        status = 400
    page = page_arg()
    role = request.args.get("role", "")
    query = select(User).order_by(User.username)
    count_query = select(func.count(User.id))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
        count_query = count_query.where(User.role == role)
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    total = db.session.scalar(count_query)
    return render_template(
        "admin/users.html",
        form=form,
        users=rows,
        created=created,
        page=page,
        total=total,
        page_size=PAGE_SIZE,
        role=role,
        role_labels=ROLE_LABELS,
    ), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires("users.manage")
def user_detail(user_id: int):
    user = get_user(db.session, user_id)
    form = UserActionForm()
    new_password = None
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "disable":
            set_active(db.session, user, False, current_user)
            flash(_("Đã khóa tài khoản."), "success")
        elif action == "enable":
            set_active(db.session, user, True, current_user)
            flash(_("Đã mở khóa tài khoản."), "success")
        elif action == "reset":
            new_password = reset_password(db.session, user, current_user)
        else:
            raise LmsError(_("Thao tác không hợp lệ."))
        db.session.commit()
        if new_password is None:
            return redirect(url_for("auth.user_detail", user_id=user.id))
    history = audit.entries(db.session, object_type="user", object_id=str(user.id), limit=50)
    return render_template(
        "admin/user_detail.html",
        user=user,
        form=form,
        new_password=new_password,
        history=history,
        role_labels=ROLE_LABELS,
        action_label=action_label,
    )


@bp.route("/admin/users/import", methods=["GET", "POST"])
@requires("users.manage")
def users_import():
    form = ImportForm()
    problems, imported, status = [], [], 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            imported = import_accounts(
                db.session, upload.read(), upload.filename or "upload.csv", current_user
            )
        except InvalidFile as exc:
            db.session.rollback()
            problems, status = exc.problems, 400
        else:
            db.session.commit()
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/users_import.html",
        form=form,
        problems=problems,
        imported=imported,
        columns=IMPORT_COLUMN_HELP,
    ), status


@bp.get("/admin/users/import/mau-nhap-tai-khoan.csv")
@requires("users.manage")
def users_import_template():
    return Response(
        template_csv(db.session, current_user),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mau-nhap-tai-khoan.csv"'},
    )


@bp.get("/admin/audit")
@requires("audit.view")
def audit_log():
    form = AuditFilterForm(request.args)
    # everyone who appears in the log, in one query: the actor filter's choices and the names shown
    people = db.session.scalars(
        select(User).where(User.id.in_(audit.actor_ids())).order_by(User.display_name, User.username)
    ).all()
    actors = {u.id: u for u in people}
    everyone = SelectChoice("", _("— Tất cả —"))
    form.actor.choices = [everyone] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in people
    ]
    form.action.choices = [everyone] + sorted(
        (SelectChoice(code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c.label
    )
    form.object_type.choices = [everyone] + sorted(
        (SelectChoice(kind, str(label)) for kind, label in OBJECT_LABELS.items()), key=lambda c: c.label
    )
    checked_filters(form)
    page = page_arg()
    rows, total = audit.search(
        db.session,
        action=form.action.data or None,
        object_type=form.object_type.data or None,
        object_id=form.object_id.data or None,
        actor_id=int(form.actor.data) if form.actor.data else None,
        start=local_day_start(form.date_from.data) if form.date_from.data else None,
        end=local_day_start(form.date_to.data + dt.timedelta(days=1)) if form.date_to.data else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render_template(
        "admin/audit.html",
        form=form,
        rows=rows,
        total=total,
        actors=actors,
        page=page,
        page_size=PAGE_SIZE,
        action_label=action_label,
        object_label=object_label,
        changes=changes,
        fields_max=FIELDS_MAX,
    )
