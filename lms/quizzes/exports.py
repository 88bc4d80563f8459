"""Results of one quiz as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly) or XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from sqlalchemy.orm import Session

from lms.quizzes.models import GRADING_LABELS, Quiz
from lms.quizzes.services import finished_attempts, quiz_grade
from lms.spreadsheet import safe_cell, safe_row

HEADER = [
    "Họ và tên",
    "Tên đăng nhập",
    "Đơn vị",
    "Lần làm",
    "Bắt đầu (UTC)",
    "Nộp (UTC)",
    "Cách kết thúc",
    "Điểm (thang 10)",
    "Chờ chấm tự luận",
    "Điểm bài kiểm tra",
    "Đạt",
]
OUTCOMES = {"submitted": "Nộp bài", "timeout": "Hết giờ"}


def result_rows(session: Session, quiz: Quiz) -> list[list]:
    attempts = finished_attempts(session, quiz)
    per_user: dict[int, list] = {}
    for attempt in attempts:
        per_user.setdefault(attempt.user_id, []).append(attempt)
    rows = []
    for attempt in attempts:
        mine = per_user[attempt.user_id]
        grade = quiz_grade([a.score for a in mine if a.score is not None], quiz.grading_method)
        last = attempt is mine[-1]
        rows.append(
            [
                attempt.cadre.full_name if attempt.cadre else attempt.user.display_name,
                attempt.user.username,
                attempt.user.unit.name,
                attempt.number,
                attempt.started_at.strftime("%Y-%m-%d %H:%M"),
                attempt.finished_at.strftime("%Y-%m-%d %H:%M") if attempt.finished_at else "",
                OUTCOMES.get(attempt.outcome or "", attempt.outcome or ""),
                float(attempt.score) if attempt.score is not None else "",
                "có" if attempt.pending else "",
                float(grade) if last and grade is not None else "",
                ("có" if grade is not None and grade >= quiz.pass_mark else "không") if last else "",
            ]
        )
    return rows


def _title_row(quiz: Quiz) -> list[str]:
    return [f"{quiz.title} (phiên bản {quiz.version}) — cách tính: {GRADING_LABELS[quiz.grading_method]}"]


_cell = safe_cell  # a name starting like a formula must stay text (lms/spreadsheet.py)


def results_csv(session: Session, quiz: Quiz) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(HEADER))
    writer.writerows([_cell(v) for v in row] for row in result_rows(session, quiz))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def results_xlsx(session: Session, quiz: Quiz) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Kết quả"
    sheet.append(safe_row(_title_row(quiz)))
    sheet.append(safe_row(HEADER))
    for row in result_rows(session, quiz):
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
