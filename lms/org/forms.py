from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.org.models import GENDER_LABELS, PLANNING_STATUS_LABELS


class CadreFilterForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Họ tên"), validators=[Optional(), Length(max=100)])
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    title_id = SelectField(_l("Chức danh"), coerce=int, validators=[Optional()])
    planning_status = SelectField(
        _l("Quy hoạch"),
        choices=[
            SelectChoice("", _l("— Tất cả —")),
            *(SelectChoice(k.value, v) for k, v in PLANNING_STATUS_LABELS.items()),
        ],
        validators=[Optional()],
    )


class CadreEditForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    birth_year = IntegerField(_l("Năm sinh"), validators=[DataRequired(), NumberRange(1930, 2015)])
    gender = SelectField(_l("Giới tính"), choices=[SelectChoice(k, v) for k, v in GENDER_LABELS.items()])
    ethnicity = StringField(_l("Dân tộc"), validators=[DataRequired(), Length(max=60)])
    unit_id = SelectField(_l("Đơn vị"), coerce=int)
    title_id = SelectField(_l("Chức danh"), coerce=int)
    title_since = DateField(_l("Giữ chức danh từ ngày"), validators=[Optional()])
    submit = SubmitField(_l("Lưu hồ sơ"))


class QualificationForm(FlaskForm):
    level_id = SelectField(_l("Trình độ"), coerce=int)
    field = StringField(_l("Chuyên ngành (nếu có)"), validators=[Optional(), Length(max=200)])
    obtained_on = DateField(_l("Ngày cấp bằng/chứng chỉ"), validators=[Optional()])
    submit = SubmitField(_l("Thêm trình độ"))
