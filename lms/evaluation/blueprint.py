"""The evaluation blueprint and the helpers its view modules share (today, the units in the
user's scope, downloads, loading a cadre profile the user may act on), kept apart so the view
modules import this one and never each other."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response
from flask_login import current_user
from sqlalchemy import select

from lms.auth.permissions import authorize, unit_scope
from lms.db import db
from lms.org.models import CadreProfile, Unit
from lms.org.services import get_profile

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> dt.date:
    return dt.date.today()


def scoped_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(unit_scope(current_user)).order_by(Unit.path)))


def indent(unit: Unit) -> str:
    return "— " * (unit.path.count("/") - 2) + unit.name


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store"},
    )


def _load_profile(public_id: str, action: str) -> CadreProfile:
    profile = get_profile(db.session, public_id)
    authorize(action, profile)
    return profile
