from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class GradeForm(FlaskForm):
    points = DecimalField(_l("Điểm"), places=2, validators=[DataRequired(), NumberRange(min=0)])
    comment = TextAreaField(_l("Nhận xét"), validators=[Optional(), Length(max=5000)])


class OverrideForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập của học viên"), validators=[DataRequired(), Length(max=80)])
    time_limit_minutes = IntegerField(
        _l("Thời gian làm bài (phút, 0 = không giới hạn)"), validators=[Optional(), NumberRange(0, 1440)]
    )
    attempts_allowed = IntegerField(
        _l("Số lần làm bài (0 = không giới hạn)"), validators=[Optional(), NumberRange(0, 100)]
    )
    closes_at = DateTimeLocalField(_l("Hạn đóng riêng (giờ Việt Nam)"), validators=[Optional()])


class QuestionEditForm(FlaskForm):
    gift = TextAreaField(
        _l("Nội dung câu hỏi (định dạng GIFT)"), validators=[DataRequired(), Length(max=50000)]
    )
