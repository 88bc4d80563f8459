from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from lms.auth.models import ROLE_LABELS


class LoginForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập hoặc số điện thoại"),
        validators=[DataRequired(_l("Vui lòng nhập tên đăng nhập.")), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Đăng nhập"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("Mật khẩu mới (ít nhất 10 ký tự)"),
        validators=[DataRequired(), Length(min=10, max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[DataRequired(), EqualTo("new", _l("Hai mật khẩu mới không khớp nhau."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Đổi mật khẩu"))


class UserCreateForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(min=3, max=80)])
    display_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        _l("Vai trò"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Tạo tài khoản"))


class UserActionForm(FlaskForm):
    """The CSRF-carrying form behind the enable/disable/reset buttons."""

    submit = SubmitField(_l("Xác nhận"))


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV (UTF-8)"), validators=[FileRequired(_l("Vui lòng chọn tệp CSV."))])
    submit = SubmitField(_l("Nhập dữ liệu"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField(_l("Hành động"), validators=[Length(max=60)])
    object_type = StringField(_l("Loại đối tượng"), validators=[Length(max=40)])
    object_id = StringField(_l("Mã đối tượng"), validators=[Length(max=64)])
    remember = BooleanField()
