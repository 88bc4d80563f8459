"""A job's step and summary: written in Vietnamese by the worker (no request there), shown in the
reader's language. Each text a worker writes is listed here with its catalog string; a count is
matched by its pattern ("12/40 hồ sơ"); any other text is shown as stored."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

FIXED = {
    "Đang đếm số liệu": _l("Đang đếm số liệu"),
    "Đang ghi tệp": _l("Đang ghi tệp"),
    "Đang đọc các lượt làm": _l("Đang đọc các lượt làm"),
    "Đang đóng các bài làm quá hạn": _l("Đang đóng các bài làm quá hạn"),
    "Đang tính thống kê": _l("Đang tính thống kê"),
    "Đang tính lại": _l("Đang tính lại"),
    "Đang sao lưu": _l("Đang sao lưu"),
    # the sections of the unit report (lms/evaluation/reports.py build)
    "Đang đếm trình độ": _l("Đang đếm trình độ"),
    "Đang đếm lượt người bồi dưỡng": _l("Đang đếm lượt người bồi dưỡng"),
    "Đang tính tỷ lệ đạt": _l("Đang tính tỷ lệ đạt"),
    "Đang tính số lần bồi dưỡng": _l("Đang tính số lần bồi dưỡng"),
    "Đang đọc phiếu khảo sát": _l("Đang đọc phiếu khảo sát"),
}


def _profiles_done(m: re.Match) -> str:
    return ngettext("%(n)s/%(num)s hồ sơ", "%(n)s/%(num)s hồ sơ", int(m["total"]), n=m["n"])


COUNTS = [
    (re.compile(r"(?P<n>\d+)/(?P<total>\d+) hồ sơ\Z"), _profiles_done),
    (re.compile(r"(?P<num>\d+) bảng\Z"), lambda m: ngettext("%(num)s bảng", "%(num)s bảng", int(m["num"]))),
    (
        re.compile(r"(?P<num>\d+) bài đã chấm xong được thống kê\Z"),
        lambda m: ngettext(
            "%(num)s bài đã chấm xong được thống kê", "%(num)s bài đã chấm xong được thống kê", int(m["num"])
        ),
    ),
    (
        re.compile(r"(?P<num>\d+) hồ sơ đã tính lại\Z"),
        lambda m: ngettext("%(num)s hồ sơ đã tính lại", "%(num)s hồ sơ đã tính lại", int(m["num"])),
    ),
]


def step_text(stored: str | None) -> str | None:
    if not stored:
        return stored
    if stored in FIXED:
        return str(FIXED[stored])
    for pattern, render in COUNTS:
        match = pattern.match(stored)
        if match:
            return render(match)
    return stored
