"""Formula injection: every CSV/XLSX cell the product writes goes through
``lms.spreadsheet.safe_cell``. The walk below opens every export (dossier, report xlsx/csv,
cohort roster, quiz results) with hostile names and reasons and checks no cell would run."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

import lms
from lms.evaluation import reports, services
from lms.spreadsheet import safe_cell
from tests.evaluation.helpers import result

PAYLOADS = [
    '=HYPERLINK("https://evil.example","Xem")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\n@x",
    "\uff1d1+1",
]
DANGER = tuple("=+-@\uff1d\uff0b\uff0d\uff20")


def dangerous(value) -> bool:
    return isinstance(value, str) and (
        value[:1] in ("\t", "\r", "\n") or value.lstrip(" \t\r\n\u3000").startswith(DANGER)
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_cell_neutralises(payload):
    assert not dangerous(safe_cell(payload))
    assert safe_cell(payload).endswith(payload.lstrip("\t\r\n "))
    assert safe_cell(-3) == -3 and safe_cell(None) is None and safe_cell("Nguyễn") == "Nguyễn"
    assert safe_cell("a\x00b\x07") == "ab"  # XLSX cannot hold these: dropped, not a 500


def xlsx_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                cells.append(cell.value)
    return cells


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def csv_cells(data: bytes) -> list:
    """Text cells of a CSV (a plain number such as -2 is a number, not a formula)."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [v for row in rows for v in row if not NUMBER.match(v)]


def assert_clean(cells: list, must_contain: str) -> None:
    assert [c for c in cells if dangerous(c)] == []
    assert any(isinstance(c, str) and must_contain in c for c in cells), cells[:40]


@pytest.mark.parametrize("payload", PAYLOADS[:5])
def test_every_export_neutralises_formulas(client, world, factory, session, login_as, payload):
    world.commune_a.name = payload + " xã"
    cadre = factory.profile(unit=world.commune_a, name=payload + " tên")
    result(session, cadre, "exit", 9.5, details=None)
    services.recompute(session, cadre.id, 1)
    services.decide(session, world.board_a, cadre, "include", payload + " lý do đủ dài để được chấp nhận.")
    session.commit()
    login_as(world.board_a)
    marker = payload.lstrip("\t\r\n ")[:4]

    dossier = client.get(f"/evaluation/dossier/{cadre.public_id}/export.xlsx")
    assert dossier.status_code == 200
    cells = xlsx_cells(dossier.data)
    assert_clean(cells, marker)
    assert any(isinstance(c, str) and "lý do" in c for c in cells)  # the decision reason is there

    report = client.get("/evaluation/reports/export.xlsx?year_from=2022&year_to=2026")
    assert report.status_code == 200
    assert_clean(xlsx_cells(report.data), marker)
    report_csv = client.get("/evaluation/reports/export.csv?year_from=2022&year_to=2026")
    assert_clean(csv_cells(report_csv.data), marker)


def test_report_tables_neutralise_every_cell():
    tables = [
        reports.Table(key="k", title=p, headers=[p, "n"], rows=[[p, 1], [p + "x", -2]]) for p in PAYLOADS
    ]
    assert_clean(xlsx_cells(reports.to_xlsx(tables, PAYLOADS[0])), "SUM")
    assert_clean(csv_cells(reports.to_csv(tables, PAYLOADS[0])), "SUM")


def test_every_writer_of_spreadsheets_uses_safe_cell():
    """A new export cannot forget: each module that writes CSV or XLSX imports lms.spreadsheet."""
    root = Path(lms.__file__).parent
    writers = re.compile(r"csv\.(writer|DictWriter)\(|Workbook\(")
    modules = [p for p in root.rglob("*.py") if writers.search(p.read_text("utf-8"))]
    assert modules, "no export found: the walk is broken"
    for path in modules:
        source = path.read_text("utf-8")
        assert "from lms.spreadsheet import" in source, path
        assert "writerows(table.rows)" not in source and "sheet.append(row)" not in source, path
