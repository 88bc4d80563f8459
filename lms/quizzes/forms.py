from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.formfields import FiniteDecimalField


class VnDecimalField(FiniteDecimalField):
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


# --- the per-field question form (lms/quizzes/authoring.py turns it into a QuestionInput) -------

CHOICE_ROWS = 6  # rows of an empty form (enough without JS); a small script may add more
MAX_CHOICE_ROWS = 30


def _max(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


class ChoiceRowForm(Form):
    """One choice row (no CSRF of its own: it lives inside QuestionForm). An empty row is ignored."""

    text = TextAreaField(_l("Nội dung phương án"), validators=[_max(5000)], render_kw={"rows": 2})
    correct = BooleanField(_l("Phương án đúng"))
    weight = StringField(_l("Trọng số (%)"), validators=[_max(20)], render_kw={"inputmode": "decimal"})
    feedback = StringField(_l("Phản hồi khi học viên chọn phương án này"), validators=[_max(5000)])


class QuestionForm(FlaskForm):
    """Every field of every type the form handles; the page shows those of the question's type.
    The fields check shape only; the rules (a right choice, weights, numbers) are in authoring.py."""

    category = SelectField(_l("Nhóm câu hỏi có sẵn"), validate_choice=False)
    new_category = StringField(
        _l("Hoặc nhóm mới (ví dụ: Xây dựng Đảng/Kiểm tra giám sát)"), validators=[_max(400)]
    )
    code = StringField(_l("Mã câu hỏi"), validators=[_max(120)])
    tags = StringField(_l("Nhãn (cách nhau bằng dấu phẩy)"), validators=[_max(400)])
    text = TextAreaField(_l("Nội dung câu hỏi"), validators=[_max(50000)], render_kw={"rows": 5})
    points = StringField(
        _l("Điểm mặc định"), default="1", validators=[_max(20)], render_kw={"inputmode": "decimal"}
    )
    general_feedback = TextAreaField(
        _l("Nhận xét chung (hiện cho học viên sau khi làm bài)"),
        validators=[_max(20000)],
        render_kw={"rows": 3},
    )
    # single and multi
    choices = FieldList(FormField(ChoiceRowForm), min_entries=CHOICE_ROWS, max_entries=MAX_CHOICE_ROWS)
    right = StringField()  # single: the index of the right row (radio buttons drawn by the template)
    # true/false
    answer = StringField()  # "true" | "false" (radio buttons)
    feedback_true = TextAreaField(
        _l("Phản hồi khi học viên chọn «Đúng»"), validators=[_max(5000)], render_kw={"rows": 2}
    )
    feedback_false = TextAreaField(
        _l("Phản hồi khi học viên chọn «Sai»"), validators=[_max(5000)], render_kw={"rows": 2}
    )
    # short answer
    answers = TextAreaField(
        _l("Các câu trả lời được chấp nhận (mỗi dòng một câu)"),
        validators=[_max(20000)],
        render_kw={"rows": 4},
    )
    ignore_diacritics = BooleanField(_l("Không phân biệt dấu thanh (ví dụ chấp nhận cả “Ha Noi”)"))
    # numerical
    value = StringField(_l("Đáp số đúng"), validators=[_max(40)], render_kw={"inputmode": "decimal"})
    tolerance = StringField(
        _l("Sai số cho phép (±, để trống nếu phải đúng tuyệt đối)"),
        validators=[_max(40)],
        render_kw={"inputmode": "decimal"},
    )
    # essay
    rubric = TextAreaField(
        _l("Hướng dẫn chấm (chỉ người chấm thấy)"), validators=[_max(20000)], render_kw={"rows": 3}
    )


# --- question-bank files (lms/quizzes/bank_files.py) ---------------------------------------

IMPORT_FORMATS = [
    ("", _l("Tự nhận theo tên tệp")),
    ("gift", _l("GIFT")),
    ("xml", _l("Moodle XML")),
    ("aiken", _l("Aiken")),
]


class BankImportForm(FlaskForm):
    file = FileField(_l("Tệp câu hỏi (.gift, .txt, .xml, .aiken; tối đa 2 MB)"))
    fmt = SelectField(_l("Định dạng"), choices=IMPORT_FORMATS, default="", validate_choice=True)
    skip_unsupported = BooleanField(_l("Bỏ qua các câu thuộc loại chưa hỗ trợ (được liệt kê)"))
    # after the preview: the checked text travels back with the confirmation (nothing is stored)
    content = HiddenField(validators=[Optional(), Length(max=2 * 1024 * 1024)])
    filename = HiddenField(validators=[Optional(), Length(max=255)])
