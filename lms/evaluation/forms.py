from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.evaluation.models import (
    ASSESSMENT_KIND_LABELS,
    COMPONENT_NAMES,
    COMPONENTS,
    DECISION_LABELS,
    IMPROVEMENT_LABELS,
)
from lms.evaluation.services import MIN_CORRECTION_REASON, MIN_DECISION_REASON
from lms.formfields import CohortSelectField, FiniteDecimalField
from lms.org.models import PLANNING_STATUS_LABELS

ALL = SelectChoice("", _l("— Tất cả —"))
MAX_ID = 2_147_483_647  # an INTEGER column


class BoardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    title_id = SelectField(_l("Chức danh"), coerce=int, validators=[Optional()])
    target_group_id = SelectField(_l("Nhóm đối tượng"), coerce=int, validators=[Optional()])
    planning_status = SelectField(
        _l("Quy hoạch"),
        choices=[ALL, *(SelectChoice(k.value, v) for k, v in PLANNING_STATUS_LABELS.items())],
        validators=[Optional()],
    )
    band = SelectField(_l("Xếp loại"), validators=[Optional()])
    gap = SelectField(
        _l("Tiêu chuẩn chức danh"),
        choices=[
            ALL,
            SelectChoice("gap", _l("Chưa đạt chuẩn")),
            SelectChoice("overdue", _l("Quá hạn đạt chuẩn")),
        ],
        validators=[Optional()],
    )
    cohort_id = CohortSelectField(_l("Lớp (đợt)"), validators=[Optional(), NumberRange(1, MAX_ID)])
    year = IntegerField(_l("Năm"), validators=[Optional(), NumberRange(2000, 2100)])


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Quyết định"), choices=[SelectChoice(k.value, v) for k, v in DECISION_LABELS.items()]
    )
    reason = TextAreaField(
        _l("Lý do (bắt buộc)"),
        validators=[
            DataRequired(_l("Cần ghi lý do.")),
            Length(
                min=MIN_DECISION_REASON,
                max=4000,
                message=_l("Lý do cần ít nhất %(n)s ký tự.", n=MIN_DECISION_REASON),
            ),
        ],
    )
    policy_reference = StringField(_l("Căn cứ (văn bản, quy định)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Ghi quyết định"))


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do đính chính (bắt buộc)"),
        validators=[
            DataRequired(_l("Cần ghi lý do đính chính.")),
            Length(
                min=MIN_CORRECTION_REASON,
                max=4000,
                message=_l("Lý do đính chính cần ít nhất %(n)s ký tự.", n=MIN_CORRECTION_REASON),
            ),
        ],
    )
    submit = SubmitField(_l("Tính lại và lưu bản đính chính"))


class FinalizeForm(FlaskForm):
    submit = SubmitField(_l("Chốt kết quả đánh giá của lớp"))


class AssessmentForm(FlaskForm):
    cohort_id = CohortSelectField(
        _l("Lớp (đợt)"), validators=[InputRequired(_l("Cần chọn lớp.")), NumberRange(1, MAX_ID)]
    )
    kind = SelectField(
        _l("Loại đánh giá"), choices=[SelectChoice(k.value, v) for k, v in ASSESSMENT_KIND_LABELS.items()]
    )
    month = StringField(
        _l("Tháng (NNNN-TT)"),
        validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Ghi theo dạng 2026-03."))],
    )
    points = FiniteDecimalField(
        _l("Điểm (thang 10)"), places=2, validators=[InputRequired(), NumberRange(0, 10)]
    )
    comment = TextAreaField(_l("Nhận xét"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Lưu đánh giá"))


class SchemeForm(FlaskForm):
    pass_mark = FiniteDecimalField(_l("Điểm đạt"), places=2, validators=[InputRequired(), NumberRange(0, 10)])
    component_min = FiniteDecimalField(
        _l("Điểm tối thiểu mỗi bài (điều kiện cấp chứng chỉ)"),
        places=2,
        validators=[InputRequired(), NumberRange(0, 10)],
    )
    attendance_min_pct = IntegerField(
        _l("Tỷ lệ chuyên cần tối thiểu (%)"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    bands = TextAreaField(
        _l("Bảng xếp loại (mỗi dòng: tên mức | điểm tối thiểu)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    rules = TextAreaField(
        _l("Quy tắc chính sách (mỗi dòng: điều kiện | ngưỡng | đề xuất | nội dung | căn cứ)"),
        validators=[Optional(), Length(max=8000)],
    )
    note = StringField(_l("Ghi chú thay đổi"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Lưu phiên bản mới"))


for _component in COMPONENTS:
    setattr(
        SchemeForm,
        f"w_{_component}",
        FiniteDecimalField(
            _l("Trọng số: %(c)s", c=COMPONENT_NAMES[_component]),
            places=2,
            validators=[InputRequired(), NumberRange(0, 100)],
        ),
    )


class SurveyForm(FlaskForm):
    improvement = RadioField(
        _l("Sau khóa bồi dưỡng, năng lực thực thi công việc của đồng chí thay đổi thế nào?"),
        choices=[SelectChoice(k.value, v) for k, v in IMPROVEMENT_LABELS.items()],
        validators=[InputRequired(_l("Cần chọn một mức."))],
    )
    needs_update = BooleanField(_l("Cần cập nhật, bổ sung kiến thức thường xuyên"))
    comment = TextAreaField(_l("Góp ý thêm"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Gửi phiếu"))


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    year_from = IntegerField(_l("Từ năm"), validators=[Optional(), NumberRange(2000, 2100)])
    year_to = IntegerField(_l("Đến năm"), validators=[Optional(), NumberRange(2000, 2100)])
