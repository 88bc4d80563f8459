from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.auth.models import Role
from lms.formfields import FiniteDecimalField

GRADING_METHOD_LABELS = {
    "highest": _l("Lượt cao nhất"),
    "last": _l("Lượt cuối"),
    "first": _l("Lượt đầu"),
    "mean": _l("Trung bình các lượt"),
}


class SourceForm(FlaskForm):
    source = TextAreaField(
        _l("Nội dung tình huống (YAML theo content/FORMATS.md)"),
        validators=[DataRequired(), Length(max=300_000)],
        render_kw={"rows": 28, "spellcheck": "false"},
    )
    owner_unit_id = SelectField(_l("Đơn vị sở hữu"), coerce=int, validators=[Optional()])


class StartForm(FlaskForm):
    mode = SelectField(choices=[SelectChoice("practice"), SelectChoice("assessed")])


class RestartForm(FlaskForm):
    """The "Làm lại từ đầu" button: only the CSRF token (the run is in the URL)."""


class PlayForm(FlaskForm):
    step = IntegerField(validators=[Optional()])
    action = HiddenField(validators=[DataRequired()])
    choice = IntegerField(validators=[Optional()])
    # no length check here: services.respond refuses a too-long answer with a message, and the
    # view puts the text back in the box (a refusal never empties it)
    answer = TextAreaField(_l("Câu trả lời của đồng chí"), validators=[Optional()])


class WorkflowForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Nhận xét (bắt buộc khi trả lại)"), validators=[Optional(), Length(max=4000)])


class GradeForm(FlaskForm):
    comment = TextAreaField(_l("Nhận xét cho học viên"), validators=[Optional(), Length(max=4000)])
    review = HiddenField()


STAFF = (Role.instructor, Role.approver, Role.admin)


# --- the form-based editor (lms/scenarios/editor_views.py) ----------------------------------

TEXT_MAX = 20000


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select: usable on a phone without holding Ctrl."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NewScenarioForm(FlaskForm):
    code = StringField(
        _l("Mã tình huống (chữ thường không dấu, số, “-”)"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Chỉ dùng chữ thường không dấu, số và “-”, ví dụ: tranh-chap-dat-dai."),
            ),
        ],
    )
    title = StringField(_l("Tên tình huống"), validators=[DataRequired(), Length(max=300)])
    owner_unit_id = SelectField(_l("Đơn vị sở hữu"), coerce=int, validators=[Optional()])


class MetadataForm(FlaskForm):
    title = StringField(_l("Tên tình huống"), validators=[DataRequired(), Length(max=300)])
    field = SelectField(_l("Lĩnh vực"), validators=[DataRequired()])
    target_groups = MultiCheckboxField(_l("Nhóm đối tượng"), validators=[Optional()])
    titles = MultiCheckboxField(_l("Chức danh"), validators=[Optional()])
    legal_basis = TextAreaField(
        _l("Căn cứ pháp lý"), validators=[DataRequired(), Length(max=4000)], render_kw={"rows": 3}
    )
    as_of = DateField(_l("Cập nhật pháp luật đến ngày"), validators=[DataRequired()])
    estimated_minutes = IntegerField(
        _l("Thời gian dự kiến (phút)"), validators=[InputRequired(), NumberRange(1, 600)], default=15
    )
    pass_mark = FiniteDecimalField(
        _l("Điểm đạt (thang 10)"), validators=[InputRequired(), NumberRange(0, 10)], default=5
    )
    rubric_weight = FiniteDecimalField(
        _l("Trọng số phần viết (0–1)"), validators=[InputRequired(), NumberRange(0, 1)], default=0
    )
    allow_retry = BooleanField(_l("Cho phép chọn lại ngay sau một quyết định"))
    attempts_allowed = IntegerField(
        _l("Số lượt tính điểm (0 = không giới hạn)"),
        validators=[InputRequired(), NumberRange(0, 100)],
        default=0,
    )
    grading_method = SelectField(
        _l("Cách tính điểm khi làm nhiều lượt"),
        choices=[SelectChoice(key, label) for key, label in GRADING_METHOD_LABELS.items()],
    )


class VariablesForm(FlaskForm):
    variables = TextAreaField(
        _l("Biến (mỗi dòng một biến: ten_bien=giá trị ban đầu)"),
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 5, "spellcheck": "false"},
    )


class StartNodeForm(FlaskForm):
    start = SelectField(_l("Nút bắt đầu"), validators=[DataRequired()])


class AddNodeForm(FlaskForm):
    node_id = StringField(
        _l("Mã nút (chữ không dấu, số, “-”, “_”)"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[A-Za-z0-9_][A-Za-z0-9_-]*$",
                message=_l("Mã nút chỉ gồm chữ không dấu, số, “-” hoặc “_”, ví dụ: buoc-2."),
            ),
        ],
    )
    kind = SelectField(
        _l("Loại nút"),
        choices=[
            SelectChoice("situation", _l("Tình huống (diễn biến)")),
            SelectChoice("decision", _l("Quyết định (các phương án)")),
            SelectChoice("response", _l("Trả lời viết (chấm theo tiêu chí)")),
            SelectChoice("ending", _l("Kết thúc")),
        ],
    )
    title = StringField(_l("Tiêu đề"), validators=[DataRequired(), Length(max=300)])


def _text(label, rows=4):
    return TextAreaField(label, validators=[Optional(), Length(max=TEXT_MAX)], render_kw={"rows": rows})


class NodeForm(FlaskForm):
    """All kinds share one form; the template shows the fields of the node's kind."""

    title = StringField(_l("Tiêu đề"), validators=[DataRequired(), Length(max=300)])
    text = _text(_l("Nội dung (Markdown)"), 6)
    prompt = _text(_l("Câu hỏi cho học viên"))
    model_answer = _text(_l("Đáp án mẫu (chỉ hiện sau khi làm xong)"))
    expected_words = StringField(
        _l("Độ dài mong đợi, số chữ (ví dụ 150 hoặc 150-200; để trống nếu không yêu cầu)"),
        validators=[
            Optional(),
            Regexp(
                r"^\s*\d{1,4}(\s*[-–]\s*\d{1,4})?\s*$",
                message=_l("Ghi một số chữ (150) hoặc một khoảng (150-200)."),
            ),
        ],
    )
    outcome = _text(_l("Kết cục"))
    commentary = _text(_l("Bình luận của chuyên gia"))
    score = FiniteDecimalField(
        _l("Điểm cố định (thang 10, để trống nếu tính theo đường đi)"),
        validators=[Optional(), NumberRange(0, 10)],
    )
    next = SelectField(_l("Bước tiếp theo"), validators=[Optional()])
    op = HiddenField()


class ChoiceForm(FlaskForm):
    label = StringField(_l("Phương án"), validators=[DataRequired(), Length(max=500)])
    points = FiniteDecimalField(_l("Điểm"), validators=[InputRequired(), NumberRange(-1000, 1000)])
    feedback = _text(_l("Nhận xét cho học viên"), 3)
    consequence = _text(_l("Hệ quả"), 3)
    next = SelectField(_l("Dẫn tới nút"), validators=[Optional()])
    effects = TextAreaField(
        _l("Thay đổi biến (mỗi dòng: ten_bien=+1 hoặc ten_bien=-1)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2, "spellcheck": "false"},
    )
    when = StringField(_l("Chỉ hiện khi (ví dụ: tin_nhiem >= 1)"), validators=[Optional(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """CSRF only (delete buttons)."""
