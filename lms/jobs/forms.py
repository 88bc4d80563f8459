from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange


class ReportJobForm(FlaskForm):
    unit_id = IntegerField(_l("Đơn vị"), validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    year_from = IntegerField(_l("Từ năm"), validators=[InputRequired(), NumberRange(2000, 2100)])
    year_to = IntegerField(_l("Đến năm"), validators=[InputRequired(), NumberRange(2000, 2100)])
    fmt = SelectField(
        _l("Định dạng"),
        choices=[SelectChoice("xlsx", "Excel (XLSX)"), SelectChoice("csv", "CSV")],
        default="xlsx",
    )


class AdminJobForm(FlaskForm):
    kind = SelectField(
        _l("Công việc"),
        choices=[
            SelectChoice("recompute", _l("Tính lại hồ sơ đánh giá")),
            SelectChoice("backup", _l("Sao lưu cơ sở dữ liệu")),
        ],
        validators=[DataRequired()],
    )


class RetryForm(FlaskForm):
    job = HiddenField()
