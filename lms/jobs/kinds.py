"""The kinds of job: one function each, given a ``JobContext``. Add one with ``@kind(...)``
(also from a module named in ``LMS_JOB_MODULES``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.errors import LmsError
from lms.jobs.runner import JobContext

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@dataclasses.dataclass
class Kind:
    name: str
    label: object
    run: Callable[[JobContext], None]
    # (label, URL) of the page the job's result belongs to, for its progress page; or None
    back: Callable[[Any], tuple[object, str] | None] | None = None


KINDS: dict[str, Kind] = {}


def kind(name: str, label: object, back: Callable | None = None) -> Callable:
    def register(func: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
        if name in KINDS:
            raise RuntimeError(f"job kind {name!r} registered twice")
        KINDS[name] = Kind(name, label, func, back)
        return func

    return register


def _stats_page(job: Any) -> tuple[object, str] | None:
    from flask import url_for

    from lms.db import db
    from lms.quizzes.models import Quiz

    quiz = db.session.get(Quiz, job.data.get("quiz_id"))
    if quiz is None:
        return None
    return _l("Về trang thống kê"), url_for("quizzes.stats", public_id=quiz.public_id)


@kind("report", _l("Báo cáo thống kê"))
def report(ctx: JobContext) -> None:
    """The unit report (lms/evaluation/reports.py) for a unit's subtree and a period."""
    from lms.evaluation import reports
    from lms.org.models import Unit

    p = ctx.params
    unit = ctx.session.get(Unit, p["unit_id"])
    if unit is None:
        raise LmsError(_("Đơn vị của báo cáo không còn tồn tại."))
    ctx.progress(5, "Đang đếm số liệu")
    tables = reports.build(
        ctx.session,
        unit,
        p["year_from"],
        p["year_to"],
        progress=lambda pct, step: ctx.progress(5 + pct * 0.85, step),
    )
    ctx.progress(92, "Đang ghi tệp")
    heading = f"{unit.name}, {p['year_from']}–{p['year_to']}"
    name = f"bao-cao-{unit.code}-{p['year_from']}-{p['year_to']}.{p['fmt']}"
    if p["fmt"] == "csv":
        ctx.save(reports.to_csv(tables, heading), "csv", name, CSV)
    else:
        ctx.save(reports.to_xlsx(tables, heading), "xlsx", name, XLSX)
    ctx.summary = f"{len(tables)} bảng"


@kind("quiz_results", _l("Kết quả bài kiểm tra"))
def quiz_results(ctx: JobContext) -> None:
    """A quiz's results as CSV/XLSX (the request runs it inline below LMS_JOB_EXPORT_INLINE_MAX)."""
    from lms.quizzes.exports import results_csv, results_xlsx
    from lms.quizzes.models import Quiz

    p = ctx.params
    quiz = ctx.session.get(Quiz, p["quiz_id"])
    if quiz is None:
        raise LmsError(_("Bài kiểm tra không còn tồn tại."))
    ctx.progress(10, "Đang đọc các lượt làm")
    name = f"ket-qua-{quiz.code}.{p['fmt']}"
    if p["fmt"] == "csv":
        ctx.save(results_csv(ctx.session, quiz), "csv", name, CSV)
    else:
        ctx.save(results_xlsx(ctx.session, quiz), "xlsx", name, XLSX)


@kind("quiz_stats", _l("Thống kê bài kiểm tra"), back=_stats_page)
def quiz_stats(ctx: JobContext) -> None:
    """A quiz's statistics, stored for its statistics page (lms/quizzes/stored_stats.py). First
    closes the attempts past their deadline, so an exam that just closed counts every paper."""
    from lms.db import utcnow
    from lms.quizzes.models import Quiz
    from lms.quizzes.services import close_overdue
    from lms.quizzes.stored_stats import compute_and_store

    quiz = ctx.session.get(Quiz, ctx.params["quiz_id"])
    if quiz is None:
        raise LmsError(_("Bài kiểm tra không còn tồn tại."))
    ctx.progress(5, "Đang đóng các bài làm quá hạn")
    close_overdue(ctx.session, utcnow())
    ctx.progress(20, "Đang tính thống kê")
    stored = compute_and_store(ctx.session, quiz, utcnow(), actor=ctx.job.owner, job_id=ctx.job.public_id)
    ctx.summary = f"{stored.attempts} bài đã chấm xong được thống kê"


@kind("recompute", _l("Tính lại hồ sơ đánh giá"))
def recompute(ctx: JobContext) -> None:
    """Open evaluation records from their inputs: every one (admin page), or one program's
    after its scheme changed (lms/jobs/hooks.py); idempotent."""
    from lms.evaluation.services import recompute_all, recompute_program

    ctx.progress(1, "Đang tính lại")

    def progress(n: int, total: int) -> None:
        ctx.progress(n * 98 // max(total, 1), f"{n}/{total} hồ sơ")

    program_code = ctx.params.get("program_code")
    if program_code:
        count = recompute_program(ctx.session, program_code, progress=progress)
    else:
        count = recompute_all(ctx.session, progress=progress)
    ctx.summary = f"{count} hồ sơ đã tính lại"


@kind("backup", _l("Sao lưu cơ sở dữ liệu"))
def backup(ctx: JobContext) -> None:
    """`flask --app lms backup` as a job: SQLite online backup or pg_dump, renamed when whole."""
    import datetime as dt

    from lms.db import db
    from lms.ops.backup import backup as make_backup

    engine = db.engine
    ext = "db" if engine.dialect.name == "sqlite" else "dump"
    ctx.progress(5, "Đang sao lưu")
    ctx.session.rollback()  # SQLite: the backup reads the file, our session must not hold its lock
    name = f"lms-backup-{dt.date.today().isoformat()}.{ext}"
    with ctx.output_path(ext, name, "application/octet-stream") as path:
        make_backup(engine, path)
