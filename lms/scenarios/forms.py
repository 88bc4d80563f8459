from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.auth.models import Role


class SourceForm(FlaskForm):
    source = TextAreaField(
        _l("Nội dung tình huống (YAML theo content/FORMATS.md)"),
        validators=[DataRequired(), Length(max=300_000)],
        render_kw={"rows": 28, "spellcheck": "false"},
    )
    owner_unit_id = SelectField(_l("Đơn vị sở hữu"), coerce=int, validators=[Optional()])


class StartForm(FlaskForm):
    mode = SelectField(choices=[("practice", "practice"), ("assessed", "assessed")])


class PlayForm(FlaskForm):
    step = IntegerField(validators=[Optional()])
    action = HiddenField(validators=[DataRequired()])
    choice = IntegerField(validators=[Optional()])
    answer = TextAreaField(_l("Câu trả lời của đồng chí"), validators=[Optional(), Length(max=10000)])


class WorkflowForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Nhận xét (bắt buộc khi trả lại)"), validators=[Optional(), Length(max=4000)])


class GradeForm(FlaskForm):
    comment = TextAreaField(_l("Nhận xét cho học viên"), validators=[Optional(), Length(max=4000)])
    review = HiddenField()


STAFF = (Role.instructor, Role.approver, Role.admin)
