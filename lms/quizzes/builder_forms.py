"""Forms of the quiz builder (lms/quizzes/builder_views.py). They check shape; the rules
(unique code, what a quiz with attempts may still change) are in lms/quizzes/builder.py."""

from __future__ import annotations

import decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from lms import numerals
from lms.quizzes.forms import VnDecimalField
from lms.quizzes.models import GRADING_LABELS, GradingMethod, Navigation, Purpose
from lms.quizzes.review_options import AFTER_CLOSE, IMMEDIATELY, LATER, PARTS
from lms.results.models import PURPOSE_LABELS

NAVIGATION_LABELS = {
    Navigation.one_page: _l("Tất cả câu hỏi trên một trang"),
    Navigation.paged: _l("Mỗi trang 5 câu"),
}
REVIEW_PART_LABELS = {
    "score": _l("Điểm"),
    "right_answers": _l("Đáp án đúng"),
    "feedback": _l("Nhận xét, phản hồi"),
}
REVIEW_TIMES = (
    (IMMEDIATELY, "immediately", _l("Ngay sau khi nộp")),
    (LATER, "later", _l("Sau đó, khi bài còn mở")),
    (AFTER_CLOSE, "after_close", _l("Sau khi đóng")),
)


class CommaDecimalField(VnDecimalField):
    """Shown as the reader writes it: "6,5" (Vietnamese), "6.5" (English), "5" (not "6.50", "5.00")."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return numerals.with_decimal_sign(format(decimal.Decimal(self.data).normalize(), "f"))


def review_field(part: str, time: str) -> str:
    return f"review_{part}_{time}"


class QuizSettingsForm(FlaskForm):
    title = StringField(
        _l("Tên bài kiểm tra"),
        validators=[DataRequired(message=_l("Nhập tên bài kiểm tra.")), Length(max=300)],
    )
    code = StringField(
        _l("Mã bài kiểm tra"),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$", message=_l("Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
            ),
        ],
    )
    purpose = SelectField(
        _l("Mục đích"), choices=[(p.value, PURPOSE_LABELS[p.value]) for p in Purpose], default="practice"
    )
    program_code = SelectField(_l("Chương trình bồi dưỡng"), validate_choice=True)
    owner_unit_id = SelectField(_l("Đơn vị quản lý"), coerce=int, validate_choice=True)
    time_limit_minutes = IntegerField(
        _l("Thời gian làm bài (phút, 0 hoặc để trống = không giới hạn)"),
        validators=[
            Optional(),
            NumberRange(0, 1440, message=_l("Thời gian làm bài là số phút từ 0 đến 1440.")),
        ],
    )
    attempts_allowed = IntegerField(
        _l("Số lần làm bài (0 = không giới hạn)"),
        default=1,
        validators=[
            InputRequired(message=_l("Nhập số lần làm bài (0 = không giới hạn).")),
            NumberRange(0, 100, message=_l("Số lần làm bài là số từ 0 đến 100 (0 = không giới hạn).")),
        ],
    )
    grading_method = SelectField(
        _l("Cách tính điểm khi làm nhiều lần"),
        choices=[(m.value, GRADING_LABELS[m]) for m in GradingMethod],
        default="highest",
    )
    pass_mark = CommaDecimalField(
        _l("Điểm đạt (thang 10)"),
        places=2,
        default=5,
        validators=[
            InputRequired(message=_l("Nhập điểm đạt, ví dụ 5 hoặc 6,5.")),
            NumberRange(0, 10, message=_l("Điểm đạt là số từ 0 đến 10.")),
        ],
    )
    opens_at = DateTimeLocalField(_l("Mở lúc (giờ Việt Nam)"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Đóng lúc (giờ Việt Nam)"), validators=[Optional()])
    shuffle_questions = BooleanField(_l("Xáo trộn thứ tự câu hỏi"))
    shuffle_choices = BooleanField(_l("Xáo trộn thứ tự phương án"), default=True)
    navigation = SelectField(
        _l("Cách trình bày"),
        choices=[(n.value, NAVIGATION_LABELS[n]) for n in Navigation],
        default="one_page",
    )

    def validate_closes_at(self, field) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Thời điểm đóng phải sau thời điểm mở."))


# the review grid: one checkbox per (part, time), as QuizSettingsForm.review_<part>_<time>
for _part in PARTS:
    for _bit, _time, _label in REVIEW_TIMES:
        setattr(
            QuizSettingsForm,
            review_field(_part, _time),
            BooleanField(_l("%(part)s — %(time)s", part=REVIEW_PART_LABELS[_part], time=_label)),
        )


class AddRandomForm(FlaskForm):
    category = SelectField(_l("Nhóm câu hỏi (gồm nhóm con)"), validate_choice=True)
    count = IntegerField(
        _l("Số câu rút ngẫu nhiên"),
        default=1,
        validators=[
            InputRequired(message=_l("Nhập số câu.")),
            NumberRange(1, 200, message=_l("Số câu là số từ 1 đến 200.")),
        ],
    )
    points = CommaDecimalField(
        _l("Điểm mỗi câu"),
        places=2,
        default=1,
        validators=[
            InputRequired(message=_l("Nhập số điểm, ví dụ 1 hoặc 0,5.")),
            NumberRange(
                min=0.01, max=1000, message=_l("Điểm của một câu là số lớn hơn 0 và không quá 1000.")
            ),
        ],
    )
