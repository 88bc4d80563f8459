from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

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


class FilterSelect(SelectField):
    """A filter's select: a value not among the choices is a readable error (then ignored)."""

    def pre_validate(self, form) -> None:
        if self.data and self.data not in {str(c[0]) for c in self.iter_choices()}:
            raise ValidationError(_l("Không có lựa chọn này; bộ lọc này đã được bỏ qua."))


class FilterDate(DateField):
    """A filter's date (yyyy-mm-dd, what <input type=date> sends), from 1900 to 2999."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Ngày không hợp lệ; vui lòng chọn lại.")) from None

    def pre_validate(self, form) -> None:
        if self.data and not 1900 <= self.data.year <= 2999:
            raise ValidationError(_l("Ngày không hợp lệ; vui lòng chọn lại."))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = FilterSelect(_l("Người thực hiện"), choices=[], validate_choice=False)
    action = FilterSelect(_l("Hành động"), choices=[], validate_choice=False)
    object_type = FilterSelect(_l("Loại đối tượng"), choices=[], validate_choice=False)
    object_id = StringField(_l("Mã đối tượng"), validators=[Length(max=64)])
    date_from = FilterDate(_l("Từ ngày"), validators=[Optional()])
    date_to = FilterDate(_l("Đến ngày"), validators=[Optional()])
    remember = BooleanField()

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
