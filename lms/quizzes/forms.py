from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class VnDecimalField(DecimalField):
    """A decimal that also accepts the Vietnamese comma ("0,5")."""

    def process_formdata(self, valuelist):
        super().process_formdata([v.strip().replace(",", ".") for v in valuelist])


class GradeForm(FlaskForm):
    # InputRequired, not DataRequired: 0 points is a real grade
    points = VnDecimalField(
        _l("Điểm"),
        places=2,
        validators=[
            InputRequired(message=_l("Nhập số điểm, ví dụ 0,5.")),
            NumberRange(min=0, message=_l("Điểm không được âm.")),
        ],
    )
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
