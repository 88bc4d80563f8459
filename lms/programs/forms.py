from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.formfields import FiniteDecimalField
from lms.programs.models import FIELDS, TOPIC_KIND_LABELS

SLUG = Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Chỉ gồm chữ thường không dấu, số và gạch nối."))


class TopicForm(FlaskForm):
    code = StringField(_l("Mã chuyên đề"), validators=[Optional(), Length(max=80), SLUG])
    title = StringField(_l("Tiêu đề"), validators=[DataRequired(), Length(max=400)])
    kind = SelectField(_l("Loại"), choices=[SelectChoice(k.value, v) for k, v in TOPIC_KIND_LABELS.items()])
    field = SelectField(_l("Lĩnh vực"), choices=[SelectChoice(k, v) for k, v in FIELDS.items()])
    hours = FiniteDecimalField(
        _l("Số giờ"), places=1, validators=[DataRequired(), NumberRange(min=0.5, max=200)]
    )
    target_groups = SelectMultipleField(_l("Nhóm đối tượng"), validators=[Optional()])
    legal_basis = TextAreaField(_l("Căn cứ pháp lý"), validators=[Optional(), Length(max=4000)])
    as_of = DateField(_l("Cập nhật đến ngày"), validators=[Optional()])
    body = TextAreaField(_l("Nội dung (Markdown)"), validators=[Optional(), Length(max=200_000)])
    lessons = TextAreaField(
        _l("Các phần (mỗi dòng: mã-phần | Tiêu đề)"), validators=[Optional(), Length(max=10_000)]
    )
    preview = SubmitField(_l("Xem trước"))
    submit = SubmitField(_l("Lưu bản nháp"))


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("Tài liệu (PDF, DOCX, PPTX, JPG, PNG)"), validators=[FileRequired(_l("Chọn một tệp."))]
    )
    submit = SubmitField(_l("Tải lên"))


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("Nhận xét khi trả lại"), validators=[DataRequired(_l("Cần ghi nhận xét.")), Length(max=4000)]
    )
    submit = SubmitField(_l("Trả lại cho tác giả"))


class ProgramForm(FlaskForm):
    code = StringField(_l("Mã chương trình"), validators=[Optional(), Length(max=80), SLUG])
    title = StringField(_l("Tên chương trình"), validators=[DataRequired(), Length(max=400)])
    duration_days = IntegerField(_l("Số ngày"), validators=[DataRequired(), NumberRange(1, 365)])
    target_group_ids = SelectMultipleField(_l("Nhóm đối tượng"), coerce=int, validators=[Optional()])
    title_ids = SelectMultipleField(_l("Chức danh"), coerce=int, validators=[Optional()])
    goal_knowledge = TextAreaField(_l("Mục tiêu – kiến thức"), validators=[Optional(), Length(max=4000)])
    goal_skills = TextAreaField(_l("Mục tiêu – kỹ năng"), validators=[Optional(), Length(max=4000)])
    goal_attitude = TextAreaField(_l("Mục tiêu – tư tưởng"), validators=[Optional(), Length(max=4000)])
    legal_basis = TextAreaField(_l("Căn cứ pháp lý"), validators=[Optional(), Length(max=4000)])
    as_of = DateField(_l("Cập nhật đến ngày"), validators=[Optional()])
    topic_codes = TextAreaField(
        _l("Mã các chuyên đề, theo thứ tự (mỗi dòng một mã)"), validators=[DataRequired(), Length(max=4000)]
    )
    submit = SubmitField(_l("Lưu chương trình"))


class CohortForm(FlaskForm):
    program_id = SelectField(_l("Chương trình"), coerce=int)
    code = StringField(_l("Mã lớp"), validators=[DataRequired(), Length(max=80), SLUG])
    title = StringField(_l("Tên lớp"), validators=[DataRequired(), Length(max=400)])
    unit_id = SelectField(_l("Đơn vị tổ chức"), coerce=int)
    start_date = DateField(_l("Ngày bắt đầu"), validators=[DataRequired()])
    submit = SubmitField(_l("Tạo lớp"))


class EnrollForm(FlaskForm):
    profile_ids = SelectMultipleField(_l("Cán bộ"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Ghi danh"))


class NeedForm(FlaskForm):
    title_id = SelectField(_l("Chức danh"), coerce=int)
    topic_text = StringField(
        _l("Chuyên đề / lĩnh vực cần bồi dưỡng"), validators=[DataRequired(), Length(max=400)]
    )
    people = IntegerField(_l("Số người"), validators=[DataRequired(), NumberRange(1, 10_000)])
    period = StringField(
        _l("Thời gian (vd. 2027)"),
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(r"^[0-9]{4}([-/ ].{1,15})?$", message=_l("Vd. 2027")),
        ],
    )
    submit = SubmitField(_l("Gửi đăng ký"))
