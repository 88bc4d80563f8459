"""The downloadable template of the account import: the exact header and one example row.

UTF-8 with a BOM, so Excel opens the Vietnamese text right; the example row uses codes that
exist in this installation (a commune of the importer's scope, a title, qualification levels),
so it would import as it is once the username is changed.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from lms.auth.permissions import unit_scope
from lms.org.csv_import import COLUMNS
from lms.org.models import QualificationKind, QualificationLevel, Title, Unit, UnitKind
from lms.spreadsheet import safe_row

BOM = "\ufeff"


def template_csv(session: Session, actor: Any = None) -> bytes:
    scope = true() if actor is None else unit_scope(actor)
    unit = session.scalar(
        select(Unit)
        .where(scope, Unit.kind.in_((UnitKind.commune, UnitKind.ward)), Unit.valid_to.is_(None))
        .order_by(Unit.path)
        .limit(1)
    ) or session.scalar(select(Unit).where(scope).order_by(Unit.path).limit(1))
    title = session.scalar(select(Title).order_by(Title.sort_order).limit(1))
    example = {
        "username": "nguyenvanan",
        "full_name": "Nguyễn Văn An",
        "role": "hoc-vien",
        "unit": unit.code if unit else "ma-don-vi",
        "title": title.code if title else "",
        "title_since": "15/06/2021" if title else "",
        "birth_year": "1985",
        "gender": "nam",
        "ethnicity": "Kinh",
        "professional": _level(session, QualificationKind.professional),
        "political": _level(session, QualificationKind.political),
        "state_mgmt": _level(session, QualificationKind.state_mgmt),
        "password": "",
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    # names and codes come from the database: neutralised like every other export
    writer.writerow(safe_row(example[c] for c in COLUMNS))
    return (BOM + out.getvalue()).encode("utf-8")


def _level(session: Session, kind: QualificationKind) -> str:
    """A middle level of the kind (a realistic example, not the top degree)."""
    codes = session.scalars(
        select(QualificationLevel.code)
        .where(QualificationLevel.kind == kind)
        .order_by(QualificationLevel.rank)
    ).all()
    return codes[len(codes) // 2] if codes else ""
