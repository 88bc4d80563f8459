"""Units, reference data, cadre profiles and title standards."""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from lms import audit
from lms.db import get_by_public_id
from lms.errors import LmsError
from lms.org.models import (
    CadreProfile,
    CadreQualification,
    QualificationKind,
    QualificationLevel,
    TargetGroup,
    Title,
    TitleStandard,
    Unit,
    UnitKind,
)


def load_reference_data() -> dict[str, Any]:
    text = resources.files("lms.org").joinpath("data/reference.yaml").read_text("utf-8")
    from lms import safe_yaml

    return safe_yaml.load(text)


def seed_reference(session: Session) -> dict[str, int]:
    """Insert or update titles, target groups, qualification levels and standards from
    ``data/reference.yaml``. Safe to run again: keyed by code."""
    data = load_reference_data()
    titles = {t.code: t for t in session.scalars(select(Title))}
    for order, row in enumerate(data["titles"]):
        title = titles.get(row["code"]) or Title(code=row["code"])
        title.name, title.category, title.legal_basis = row["name"], row["category"], row["legal_basis"]
        title.valid_from, title.valid_to, title.sort_order = row["valid_from"], row["valid_to"], order
        session.add(title)
        titles[title.code] = title
    groups = {g.code: g for g in session.scalars(select(TargetGroup))}
    for row in data["target_groups"]:
        group = groups.get(row["code"]) or TargetGroup(code=row["code"])
        group.name = row["name"]
        group.titles = [titles[code] for code in row["titles"]]
        session.add(group)
    levels = {(lv.kind, lv.code): lv for lv in session.scalars(select(QualificationLevel))}
    for kind, rows in data["qualification_levels"].items():
        for row in rows:
            key = (QualificationKind(kind), row["code"])
            level = levels.get(key) or QualificationLevel(kind=key[0], code=row["code"])
            level.name, level.rank = row["name"], row["rank"]
            session.add(level)
            levels[key] = level
    session.flush()
    _seed_standards(session, data["standards"], titles, levels)
    return {"titles": len(titles), "target_groups": len(data["target_groups"]), "levels": len(levels)}


def _seed_standards(session, rows, titles, levels) -> None:
    existing = {
        (s.title_id, s.min_level.kind, s.valid_from): s for s in session.scalars(select(TitleStandard))
    }
    for row in rows:
        level = levels[(QualificationKind(row["kind"]), row["level"])]
        for code in row["titles"]:
            title = titles[code]
            key = (title.id, level.kind, row.get("valid_from"))
            standard = existing.get(key) or TitleStandard(title_id=title.id)
            standard.min_level_id = level.id
            standard.legal_basis = row["legal_basis"]
            standard.valid_from, standard.valid_to = row.get("valid_from"), row.get("valid_to")
            standard.due_by, standard.grace_months = row.get("due_by"), row.get("grace_months")
            session.add(standard)
            existing[key] = standard


# --- units ---------------------------------------------------------------------------------


def create_unit(
    session: Session,
    *,
    code: str,
    name: str,
    kind: UnitKind | str,
    parent: Unit | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Unit:
    unit = Unit(
        code=code, name=name, kind=UnitKind(kind), parent=parent, valid_from=valid_from, valid_to=valid_to
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code))


def subtree(session: Session, root: Unit) -> list[Unit]:
    return list(
        session.scalars(
            select(Unit).where(Unit.path.startswith(root.path, autoescape=True)).order_by(Unit.path)
        )
    )


# --- standards -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StandardGap:
    kind: QualificationKind
    required: str
    current: str | None
    due_by: dt.date | None
    overdue: bool
    legal_basis: str


def standards_for(session: Session, title: Title, today: dt.date) -> list[TitleStandard]:
    rows = session.scalars(select(TitleStandard).where(TitleStandard.title_id == title.id))
    return [
        s
        for s in rows
        if (s.valid_from is None or s.valid_from <= today) and (s.valid_to is None or today <= s.valid_to)
    ]


def standard_gaps(session: Session, profile: CadreProfile, today: dt.date) -> list[StandardGap]:
    """What the cadre's title requires and the cadre does not yet hold, with the due date."""
    if profile.title is None:
        return []
    best: dict[QualificationKind, QualificationLevel] = {}
    for qualification in profile.qualifications:
        level = qualification.level
        if level.kind not in best or level.rank > best[level.kind].rank:
            best[level.kind] = level
    gaps = []
    for standard in standards_for(session, profile.title, today):
        need = standard.min_level
        have = best.get(need.kind)
        if have is not None and have.rank >= need.rank:
            continue
        due = standard.due_by
        if standard.grace_months and profile.title_since:
            due = _add_months(profile.title_since, standard.grace_months)
        gaps.append(
            StandardGap(
                kind=need.kind,
                required=need.name,
                current=have.name if have else None,
                due_by=due,
                overdue=due is not None and due < today,
                legal_basis=standard.legal_basis,
            )
        )
    return gaps


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


# --- cadre profiles ------------------------------------------------------------------------


def profile_state(profile: CadreProfile) -> dict:
    return {
        "full_name": profile.full_name,
        "birth_year": profile.birth_year,
        "gender": profile.gender,
        "ethnicity": profile.ethnicity,
        "unit": profile.unit.code if profile.unit else None,
        "title": profile.title.code if profile.title else None,
        "title_since": profile.title_since.isoformat() if profile.title_since else None,
        "planning_status": str(profile.planning_status),
        "qualifications": [f"{q.level.kind}:{q.level.code}" for q in profile.qualifications],
    }


def create_profile(
    session: Session,
    *,
    actor: Any,
    full_name: str,
    birth_year: int,
    gender: str,
    unit: Unit,
    title: Title | None = None,
    title_since: dt.date | None = None,
    ethnicity: str = "Kinh",
    user: Any = None,
    qualifications: list[tuple[QualificationLevel, str | None, dt.date | None]] = (),
) -> CadreProfile:
    if not full_name.strip():
        raise LmsError(_("Cần nhập họ và tên."))
    profile = CadreProfile(
        birth_year=birth_year,
        gender=gender,
        ethnicity=ethnicity,
        unit=unit,
        title=title,
        title_since=title_since,
        user_id=getattr(user, "id", None),
    )
    profile.set_name(full_name)
    for level, field, obtained in qualifications:
        profile.qualifications.append(CadreQualification(level=level, field=field, obtained_on=obtained))
    session.add(profile)
    session.flush()
    audit.record(session, actor, "profile.create", "cadre_profile", profile.id, after=profile_state(profile))
    return profile


def update_profile(session: Session, profile: CadreProfile, actor: Any, **changes: Any) -> None:
    before = profile_state(profile)
    if "full_name" in changes:
        profile.set_name(changes.pop("full_name"))
    for key, value in changes.items():
        setattr(profile, key, value)
    session.flush()
    after = profile_state(profile)
    if after != before:
        audit.record(
            session, actor, "profile.update", "cadre_profile", profile.id, before=before, after=after
        )


def get_profile(session: Session, public_id: str) -> CadreProfile:
    return get_by_public_id(
        session,
        CadreProfile,
        public_id,
        _("Không tìm thấy hồ sơ cán bộ."),
        selectinload(CadreProfile.qualifications),
    )


def cadre_list_query(
    scope,
    *,
    unit_id: int | None = None,
    title_id: int | None = None,
    planning_status: str | None = None,
    name: str | None = None,
) -> Select:
    """Profiles visible under ``scope`` (a condition on Unit), filtered, sorted by name key."""
    from lms.db import fold_key

    query = (
        select(CadreProfile)
        .join(Unit, CadreProfile.unit_id == Unit.id)
        .where(scope)
        .options(selectinload(CadreProfile.title), selectinload(CadreProfile.unit))
        .order_by(CadreProfile.name_key, CadreProfile.id)
    )
    if unit_id:
        query = query.where(CadreProfile.unit_id == unit_id)
    if title_id:
        query = query.where(CadreProfile.title_id == title_id)
    if planning_status:
        query = query.where(CadreProfile.planning_status == planning_status)
    if name:
        query = query.where(CadreProfile.name_key.contains(fold_key(name), autoescape=True))
    return query
