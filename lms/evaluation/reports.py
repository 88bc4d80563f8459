"""Statistics like the seeds' reports, for one unit's subtree and a period; all aggregated in SQL."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from flask_babel import gettext as _
from flask_babel import ngettext
from openpyxl import Workbook
from sqlalchemy import and_, case, extract, func, select, text
from sqlalchemy.orm import Session

from lms.evaluation.models import IMPROVEMENT_LABELS, Improvement, SurveyResponse
from lms.org.models import (
    QUALIFICATION_KIND_LABELS,
    CadreProfile,
    CadreQualification,
    QualificationKind,
    QualificationLevel,
    Title,
    Unit,
)
from lms.results.models import Result
from lms.spreadsheet import safe_row

LEVEL_KINDS = (QualificationKind.professional, QualificationKind.political, QualificationKind.state_mgmt)
SCORED_PURPOSES = ("exit", "final", "scenario")


@dataclasses.dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: list[tuple[str, float]] = dataclasses.field(default_factory=list)  # (label, value) bars
    chart_unit: str = ""
    sheet: str = ""  # XLSX sheet name (at most 31 characters)
    # When the rows split a population (people, answers), ``population`` is its size and
    # ``count_columns`` the columns whose cells add up to it; the last row is then the total
    # row ("Tổng số"). Tests assert the sum for every such table on generated data.
    population: int | None = None
    count_columns: tuple[int, ...] = ()
    # columns of scores on the 10-point scale: a page shows them with two decimals, as every score
    # ("6,00"); other decimals (rates) without trailing zeros ("50", "33,3"). Exports keep numbers.
    score_columns: tuple[int, ...] = ()


def _in_unit(unit: Unit):
    return Unit.path.startswith(unit.path, autoescape=True)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _period(year_from: int, year_to: int):
    start = dt.datetime(year_from, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year_to + 1, 1, 1, tzinfo=dt.UTC)
    return and_(Result.finished_at >= start, Result.finished_at < end)


def cadre_count(session: Session, unit: Unit) -> int:
    return session.scalar(
        select(func.count(CadreProfile.id)).join(Unit, CadreProfile.unit_id == Unit.id).where(_in_unit(unit))
    )


def qualification_tables(session: Session, unit: Unit, total: int) -> list[Table]:
    """Highest level per cadre for each kind: counts and percentages.

    Each cadre counts once per kind: several levels may share a rank (cao cấp, cử nhân and
    cao cấp – hành chính are all rank 3), so the highest is chosen with ROW_NUMBER (rank,
    then the vocabulary's order), never by joining on the rank, which counted a cadre once
    per level of that rank and made "Chưa có" negative."""
    ranked = (
        select(
            CadreProfile.title_id.label("title_id"),
            QualificationLevel.kind.label("kind"),
            QualificationLevel.id.label("level_id"),
            func.row_number()
            .over(
                partition_by=(CadreQualification.profile_id, QualificationLevel.kind),
                order_by=(QualificationLevel.rank.desc(), QualificationLevel.id.desc()),
            )
            .label("n"),
        )
        .join(QualificationLevel, CadreQualification.level_id == QualificationLevel.id)
        .join(CadreProfile, CadreQualification.profile_id == CadreProfile.id)
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(_in_unit(unit), QualificationLevel.kind.in_(LEVEL_KINDS))
        .subquery()
    )
    by_title = session.execute(
        select(QualificationLevel.kind, ranked.c.title_id, QualificationLevel.name, func.count())
        .join(ranked, QualificationLevel.id == ranked.c.level_id)
        .where(ranked.c.n == 1)
        .group_by(
            QualificationLevel.kind,
            ranked.c.title_id,
            QualificationLevel.name,
            QualificationLevel.rank,
            QualificationLevel.id,
        )
        .order_by(QualificationLevel.kind, QualificationLevel.rank.desc(), QualificationLevel.id.desc())
    ).all()
    merged: dict[tuple, int] = {}
    for kind, _title, name, count in by_title:  # totals per level, titles summed
        merged[(kind, name)] = merged.get((kind, name), 0) + count
    rows = [(kind, name, count) for (kind, name), count in merged.items()]
    tables = []
    sheets = {
        QualificationKind.professional: _("Trình độ chuyên môn"),
        QualificationKind.political: _("Lý luận chính trị"),
        QualificationKind.state_mgmt: _("Quản lý nhà nước"),
    }
    for kind in LEVEL_KINDS:
        counts = [(name, count) for k, name, count in rows if k == kind]
        missing = total - sum(c for _, c in counts)
        counts.append((_("Chưa có"), missing))
        tables.append(
            Table(
                key=f"level-{kind}",
                title=_(
                    "Trình độ %(kind)s (cao nhất của mỗi người)",
                    kind=str(QUALIFICATION_KIND_LABELS[kind]).lower(),
                ),
                headers=[_("Trình độ"), _("Số người"), _("Tỷ lệ (%)")],
                rows=[
                    *([name, count, _pct(count, total)] for name, count in counts),
                    [_("Tổng số"), total, 100.0 if total else 0.0],
                ],
                chart=[(name, _pct(count, total)) for name, count in counts],
                chart_unit="%",
                sheet=sheets[kind],
                population=total,
                count_columns=(1,),
            )
        )
    tables += _by_title_tables(session, unit, by_title, sheets)
    return tables


def _by_title_tables(session: Session, unit: Unit, by_title: list, sheets: dict) -> list[Table]:
    """The same highest levels, one row per title (counts), as the seeds' reports show."""
    titles = session.execute(
        select(CadreProfile.title_id, Title.name, func.count(CadreProfile.id))
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .outerjoin(Title, CadreProfile.title_id == Title.id)
        .where(_in_unit(unit))
        .group_by(CadreProfile.title_id, Title.name, Title.sort_order)
        .order_by(Title.sort_order, Title.name)
    ).all()
    tables = []
    for kind in LEVEL_KINDS:
        levels = list(dict.fromkeys(name for k, _t, name, _c in by_title if k == kind))
        counts = {(t, name): c for k, t, name, c in by_title if k == kind}
        rows = []
        for title_id, title_name, total in titles:
            cells = [counts.get((title_id, level), 0) for level in levels]
            rows.append([title_name or _("Chưa có chức danh"), *cells, total - sum(cells), total])
        width = len(levels) + 2
        sums = [sum(row[1 + i] for row in rows) for i in range(width)]
        rows.append([_("Tổng số"), *sums])
        tables.append(
            Table(
                key=f"title-{kind}",
                title=_("%(kind)s theo chức danh (số người)", kind=sheets[kind]),
                headers=[_("Chức danh"), *levels, _("Chưa có"), _("Tổng số")],
                rows=rows,
                sheet=_("%(kind)s - chức danh", kind=sheets[kind])[:31],
                population=sums[-1],
                count_columns=(width,),
            )
        )
    return tables


def _scoped_results(unit: Unit, year_from: int, year_to: int):
    return (
        select(Result)
        .join(CadreProfile, Result.cadre_id == CadreProfile.id)
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(_in_unit(unit), _period(year_from, year_to))
    )


def _trainings(unit: Unit, year_from: int, year_to: int):
    """Distinct (program, year, cadre) with results: one row per lượt người. A DISTINCT
    subquery lets PostgreSQL hash-aggregate instead of sorting for COUNT(DISTINCT)."""
    year = extract("year", Result.finished_at)
    return (
        _scoped_results(unit, year_from, year_to)
        .with_only_columns(Result.program_code.label("program"), year.label("year"), Result.cadre_id)
        .group_by(Result.program_code, year, Result.cadre_id)
        .subquery()
    )


def participation_table(rows: list[list]) -> Table:
    """Lượt người: distinct (cadre, program, year) with at least one result."""
    return Table(
        key="participation",
        title=_("Lượt người tham gia bồi dưỡng theo chương trình và năm"),
        headers=[_("Chương trình"), _("Năm"), _("Lượt người")],
        rows=rows,
        chart=[(f"{p} ({y})", c) for p, y, c in rows],
        sheet=_("Lượt người"),
    )


def pass_tables(session: Session, unit: Unit, year_from: int, year_to: int) -> list[Table]:
    tables = []
    for key, column, title, header, sheet in (
        (
            "topic",
            Result.topic_code,
            _("Tỷ lệ đạt và điểm trung bình theo chuyên đề (bài đầu ra, cuối khóa, tình huống)"),
            _("Chuyên đề"),
            _("Tỷ lệ đạt theo chuyên đề"),
        ),
        (
            "title",
            Title.name,
            _("Tỷ lệ đạt và điểm trung bình theo chức danh (bài đầu ra, cuối khóa, tình huống)"),
            _("Chức danh"),
            _("Tỷ lệ đạt theo chức danh"),
        ),
    ):
        query = (
            _scoped_results(unit, year_from, year_to)
            .outerjoin(Title, CadreProfile.title_id == Title.id)
            .where(Result.purpose.in_(SCORED_PURPOSES), Result.pending.is_(False))
            .with_only_columns(
                column,
                func.count(Result.id),
                func.sum(case((Result.passed.is_(True), 1), else_=0)),
                func.avg(Result.score),
            )
            .group_by(column)
            .order_by(column)
        )
        rows = [
            [name or "—", count, int(passed or 0), _pct(int(passed or 0), count), round(float(avg or 0), 2)]
            for name, count, passed, avg in session.execute(query)
        ]
        tables.append(
            Table(
                key=f"pass-{key}",
                title=title,
                headers=[header, _("Số bài"), _("Số bài đạt"), _("Tỷ lệ đạt (%)"), _("Điểm trung bình")],
                rows=rows,
                chart=[(r[0], r[3]) for r in rows],
                chart_unit="%",
                sheet=sheet,
                score_columns=(4,),
            )
        )
    return tables


def _participation_rows(session: Session, unit: Unit, year_from: int, year_to: int) -> list[list]:
    trainings = _trainings(unit, year_from, year_to)
    query = (
        select(trainings.c.program, trainings.c.year, func.count())
        .group_by(trainings.c.program, trainings.c.year)
        .order_by(trainings.c.year, trainings.c.program)
    )
    return [[program or "—", int(y), count] for program, y, count in session.execute(query)]


def times_trained_table(
    session: Session, unit: Unit, year_to: int, total: int, participation: list[list] | None = None
) -> Table:
    """Average number of trainings (lượt: distinct program × year) per cadre over five years.

    ``participation`` rows that cover the whole window are reused (one scan less)."""
    window = range(year_to - 4, year_to + 1)
    if participation is None:
        participation = _participation_rows(session, unit, year_to - 4, year_to)
    count = sum(r[2] for r in participation if r[1] in window)
    trained_cadres = (
        _scoped_results(unit, year_to - 4, year_to)
        .with_only_columns(Result.cadre_id)
        .group_by(Result.cadre_id)
        .subquery()
    )
    trained = session.scalar(select(func.count()).select_from(trained_cadres)) or 0
    return Table(
        key="times",
        title=_("Số lần bồi dưỡng bình quân mỗi cán bộ, %(start)s–%(end)s", start=year_to - 4, end=year_to),
        headers=[_("Chỉ số"), _("Giá trị")],
        rows=[
            [_("Tổng số cán bộ"), total],
            [_("Số cán bộ đã được bồi dưỡng"), trained],
            [_("Tổng lượt người"), count],
            [_("Bình quân lượt/cán bộ"), round(count / total, 2) if total else 0],
        ],
        sheet=_("Số lần bồi dưỡng"),
    )


def survey_tables(session: Session, unit: Unit, year_from: int, year_to: int) -> list[Table]:
    start = dt.datetime(year_from, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year_to + 1, 1, 1, tzinfo=dt.UTC)
    query = (
        select(
            SurveyResponse.improvement,
            func.count(SurveyResponse.id),
            func.sum(case((SurveyResponse.needs_update.is_(True), 1), else_=0)),
        )
        .join(CadreProfile, SurveyResponse.cadre_id == CadreProfile.id)
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(_in_unit(unit), SurveyResponse.created_at >= start, SurveyResponse.created_at < end)
        .group_by(SurveyResponse.improvement)
    )
    counts = {Improvement(k): (c, int(n or 0)) for k, c, n in session.execute(query)}
    answered = sum(c for c, _ in counts.values())
    rows = [
        [str(label), counts.get(k, (0, 0))[0], _pct(counts.get(k, (0, 0))[0], answered)]
        for k, label in IMPROVEMENT_LABELS.items()
    ]
    rows.append([_("Tổng số"), answered, 100.0 if answered else 0.0])
    needs = sum(n for _, n in counts.values())
    return [
        Table(
            key="survey",
            title=ngettext(
                "Tự đánh giá sau bồi dưỡng (%(num)d phiếu)",
                "Tự đánh giá sau bồi dưỡng (%(num)d phiếu)",
                answered,
            ),
            headers=[_("Mức"), _("Số phiếu"), _("Tỷ lệ (%)")],
            rows=rows,
            chart=[(r[0], r[2]) for r in rows[:-1]],
            chart_unit="%",
            sheet=_("Khảo sát"),
            population=answered,
            count_columns=(1,),
        ),
        # A separate question of the same survey: its own table, so each adds up to the phiếu.
        Table(
            key="survey-needs",
            title=ngettext(
                "Cần cập nhật kiến thức thường xuyên (%(num)d phiếu)",
                "Cần cập nhật kiến thức thường xuyên (%(num)d phiếu)",
                answered,
            ),
            headers=[_("Trả lời"), _("Số phiếu"), _("Tỷ lệ (%)")],
            rows=[
                [_("Có"), needs, _pct(needs, answered)],
                [_("Không"), answered - needs, _pct(answered - needs, answered)],
                [_("Tổng số"), answered, 100.0 if answered else 0.0],
            ],
            sheet=_("Khảo sát - cập nhật"),
            population=answered,
            count_columns=(1,),
        ),
    ]


def _tune(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # a province's DISTINCT aggregates hash in memory instead of spilling to disk
        session.execute(text("SET LOCAL work_mem = '64MB'"))


def build(session: Session, unit: Unit, year_from: int, year_to: int, progress=None) -> list[Table]:
    """Every table for ``unit``'s subtree and the period. ``progress(percent, step)``, when given,
    is called between sections (a job records it; it may end the transaction)."""

    def step(percent: int, label: str) -> None:
        if progress is not None:
            progress(percent, label)
            _tune(session)

    _tune(session)
    total = cadre_count(session, unit)
    step(10, "Đang đếm trình độ")
    qualifications = qualification_tables(session, unit, total)
    step(40, "Đang đếm lượt người bồi dưỡng")
    participation = _participation_rows(session, unit, year_from, year_to)
    step(60, "Đang tính tỷ lệ đạt")
    passes = pass_tables(session, unit, year_from, year_to)
    step(80, "Đang tính số lần bồi dưỡng")
    covers_window = year_from <= year_to - 4
    times = times_trained_table(session, unit, year_to, total, participation if covers_window else None)
    step(95, "Đang đọc phiếu khảo sát")
    return [
        Table(
            "cadres",
            _("Số cán bộ trong phạm vi"),
            [_("Đơn vị"), _("Số cán bộ")],
            [[unit.name, total]],
            sheet=_("Số cán bộ"),
        ),
        *qualifications,
        participation_table(participation),
        *passes,
        times,
        *survey_tables(session, unit, year_from, year_to),
    ]


def to_xlsx(tables: list[Table], heading: str) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Thông tin")
    summary.append(safe_row([_("Báo cáo"), heading]))
    summary.append([_("Lập ngày"), dt.date.today().isoformat()])
    for number, table in enumerate(tables, 1):
        sheet = workbook.create_sheet((table.sheet or _("Bảng %(n)s", n=number))[:31])
        sheet.append(safe_row([table.title]))
        sheet.append(safe_row(table.headers))
        for row in table.rows:
            sheet.append(safe_row(row))
        sheet.column_dimensions["A"].width = 45
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(tables: list[Table], heading: str) -> bytes:
    """UTF-8 with BOM so Excel opens Vietnamese text correctly; one block per table."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row([heading]))
    for table in tables:
        writer.writerow([])
        writer.writerow(safe_row([table.title]))
        writer.writerow(safe_row(table.headers))
        writer.writerows(safe_row(row) for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
