"""How the audit log reads to a person: a Vietnamese label for each action code and object kind
the product records, and before/after as a short list of changed fields (key: old → new).

The codes themselves stay as recorded (``lms.audit.record``); an unknown code is shown as is.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VALUE_MAX = 60  # characters of one value shown before the ellipsis
FIELDS_MAX = 8  # changed fields listed per entry; the rest are counted

# every code passed to audit.record(...) in lms/ (the f-string ones expanded)
ACTION_LABELS = {
    "user.create": _l("Tạo tài khoản"),
    "user.password_change": _l("Tự đổi mật khẩu"),
    "user.password_reset": _l("Đặt lại mật khẩu"),
    "user.enable": _l("Mở khóa tài khoản"),
    "user.disable": _l("Khóa tài khoản"),
    "profile.create": _l("Tạo hồ sơ cán bộ"),
    "profile.update": _l("Sửa hồ sơ cán bộ"),
    "dossier.view": _l("Xem hồ sơ đánh giá"),
    "dossier.export": _l("Xuất hồ sơ đánh giá"),
    "report.export": _l("Xuất báo cáo"),
    "topic.create": _l("Tạo chuyên đề"),
    "topic.edit": _l("Sửa chuyên đề"),
    "topic.new_version": _l("Tạo phiên bản chuyên đề mới"),
    "topic.submit": _l("Gửi duyệt chuyên đề"),
    "topic.approve": _l("Duyệt chuyên đề"),
    "topic.return": _l("Trả lại chuyên đề"),
    "topic.publish": _l("Ban hành chuyên đề"),
    "topic.attach": _l("Đính kèm tệp vào chuyên đề"),
    "topic.detach": _l("Gỡ tệp khỏi chuyên đề"),
    "topic.import_publish": _l("Nhập và ban hành chuyên đề"),
    "program.save": _l("Lưu chương trình"),
    "program.import_create": _l("Nhập chương trình mới"),
    "program.import_update": _l("Nhập cập nhật chương trình"),
    "cohort.create": _l("Tạo lớp bồi dưỡng"),
    "cohort.enroll": _l("Ghi danh vào lớp"),
    "cohort.attendance": _l("Điểm danh"),
    "needs.file": _l("Đăng ký nhu cầu bồi dưỡng"),
    "evaluation.scheme": _l("Lưu tiêu chí đánh giá"),
    "evaluation.finalize": _l("Chốt kết quả đánh giá"),
    "evaluation.correct": _l("Đính chính kết quả đánh giá"),
    "evaluation.assess": _l("Chấm điểm đánh giá"),
    "planning.decide": _l("Quyết định quy hoạch"),
    "question.create": _l("Tạo câu hỏi"),
    "question.updated": _l("Sửa câu hỏi"),
    "question.new_version": _l("Tạo phiên bản câu hỏi mới"),
    "question.key_correction": _l("Sửa đáp án câu hỏi"),
    "quiz.created": _l("Tạo bài kiểm tra"),
    "quiz.updated": _l("Sửa bài kiểm tra"),
    "quiz.override": _l("Cho phép riêng một người làm bài"),
    "quiz.slots_added": _l("Thêm câu hỏi vào bài kiểm tra"),
    "quiz.slot_moved": _l("Đổi thứ tự câu hỏi của bài kiểm tra"),
    "quiz.slot_removed": _l("Bỏ câu hỏi khỏi bài kiểm tra"),
    "quiz.slot_points": _l("Đổi điểm câu hỏi của bài kiểm tra"),
    "quiz.closed": _l("Đóng bài kiểm tra ngay"),
    "quiz.stats": _l("Tính thống kê bài kiểm tra"),
    "attempt.grade": _l("Chấm bài làm"),
    "attempt.regrade": _l("Chấm lại bài làm"),
    "scenario.import": _l("Nhập tình huống"),
    "scenario.create": _l("Tạo tình huống"),
    "scenario.edit": _l("Sửa tình huống"),
    "scenario.new_version": _l("Tạo phiên bản tình huống mới"),
    "scenario.submit": _l("Gửi duyệt tình huống"),
    "scenario.return": _l("Trả lại tình huống"),
    "scenario.approve": _l("Duyệt tình huống"),
    "scenario.publish": _l("Ban hành tình huống"),
    "scenario.restart": _l("Làm lại tình huống"),
    "scenario.grade": _l("Chấm bài tình huống"),
    "scenario.review": _l("Phúc tra bài tình huống"),
    "result.record": _l("Ghi kết quả học tập"),
    "result.update": _l("Sửa kết quả học tập"),
    "job.request": _l("Yêu cầu công việc nền"),
    "job.done": _l("Công việc nền hoàn thành"),
    "job.failed": _l("Công việc nền thất bại"),
    "job.requeued": _l("Công việc nền được chạy lại (máy chạy ngừng)"),
    "job.retry": _l("Chạy lại công việc nền"),
    "job.download": _l("Tải kết quả công việc nền"),
    "quizzes.close_overdue": _l("Đóng các bài làm quá hạn"),
}

OBJECT_LABELS = {
    "user": _l("Tài khoản"),
    "cadre_profile": _l("Hồ sơ cán bộ"),
    "unit": _l("Đơn vị"),
    "topic_version": _l("Chuyên đề (phiên bản)"),
    "program": _l("Chương trình"),
    "cohort": _l("Lớp bồi dưỡng"),
    "cohort_session": _l("Buổi học"),
    "training_need": _l("Nhu cầu bồi dưỡng"),
    "evaluation_scheme": _l("Tiêu chí đánh giá"),
    "evaluation_record": _l("Kết quả đánh giá"),
    "evaluation_assessment": _l("Phiếu chấm đánh giá"),
    "question": _l("Câu hỏi"),
    "question_version": _l("Câu hỏi (phiên bản)"),
    "quiz": _l("Bài kiểm tra"),
    "quiz_attempt": _l("Bài làm"),
    "scenario": _l("Tình huống"),
    "scenario_run": _l("Lượt làm tình huống"),
    "scenario_response": _l("Bài làm tình huống"),
    "result": _l("Kết quả học tập"),
    "job": _l("Công việc nền"),
    "attempt": _l("Bài làm"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS[code]) if code in ACTION_LABELS else code


def object_label(kind: str) -> str:
    return str(OBJECT_LABELS[kind]) if kind in OBJECT_LABELS else kind


@dataclass(frozen=True)
class Change:
    key: str
    old: str | None  # None: the field was not there before
    new: str | None  # None: the field is gone after


def short(value: Any, limit: int = VALUE_MAX) -> str:
    """One value as a short line: text as is, anything nested as compact JSON, cut with '…'."""
    if value is None:
        text = "—"
    elif isinstance(value, bool):
        text = "✓" if value else "✗"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "), default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _as_dict(data: Any) -> dict:
    if data is None:
        return {}
    return data if isinstance(data, dict) else {"": data}


def changes(before: Any, after: Any) -> list[Change]:
    """The fields that differ between before and after (every field of a creation), in key order."""
    old, new = _as_dict(before), _as_dict(after)
    out = []
    for key in sorted(set(old) | set(new), key=str):
        if key in old and key in new and old[key] == new[key]:
            continue
        out.append(
            Change(
                key=str(key),
                old=short(old[key]) if key in old else None,
                new=short(new[key]) if key in new else None,
            )
        )
    return out


def local_day_start(day: dt.date) -> dt.datetime:
    """00:00 of a date in Vietnam, in UTC (the log stores UTC)."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.UTC)
