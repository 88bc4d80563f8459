"""Programs: a titled, ordered list of topics (looked up by code, saved from the form).

Plain functions over a session, the acting user and the clock; they flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import audit
from lms.errors import Conflict, LmsError, NotFound
from lms.org.models import TargetGroup, Title
from lms.programs.content_files import SLUG
from lms.programs.models import Program, ProgramTopic, Topic

# --- programs -------------------------------------------------------------------------------


def get_program(session: Session, code: str) -> Program:
    program = session.scalar(select(Program).where(Program.code == code))
    if program is None:
        raise NotFound(_("Không tìm thấy chương trình."))
    return program


def save_program(
    session: Session, actor: Any, now: dt.datetime, program: Program | None, fields: dict[str, Any]
) -> Program:
    """Create or update a program from the form; topics given as codes in order."""
    code = fields["code"].strip()
    codes = [c for c in fields["topic_codes"] if c]
    topics = {t.code: t for t in session.scalars(select(Topic).where(Topic.code.in_(codes)))}
    missing = [c for c in codes if c not in topics]
    if missing:
        raise LmsError("Không có chuyên đề mang mã: " + ", ".join(missing))
    if len(set(codes)) != len(codes):
        raise LmsError(_("Một chuyên đề được liệt kê hai lần."))
    if program is None:
        if not SLUG.match(code):
            raise LmsError(_("Mã chương trình chỉ gồm chữ thường không dấu, số và gạch nối."))
        if session.scalar(select(Program.id).where(Program.code == code)) is not None:
            raise Conflict(_("Mã chương trình “%(code)s” đã có.", code=code))
        program = Program(code=code, created_at=now)
    before = {"title": program.title, "topics": [i.topic.code for i in program.items]} if program.id else None
    program.title = fields["title"].strip()
    session.add(program)
    program.duration_days = fields["duration_days"]
    program.legal_basis = (fields.get("legal_basis") or "").strip()
    program.as_of = fields.get("as_of")
    program.goal_knowledge = fields.get("goal_knowledge") or ""
    program.goal_skills = fields.get("goal_skills") or ""
    program.goal_attitude = fields.get("goal_attitude") or ""
    program.target_groups = list(
        session.scalars(select(TargetGroup).where(TargetGroup.id.in_(fields.get("target_group_ids") or [])))
    )
    program.titles = list(session.scalars(select(Title).where(Title.id.in_(fields.get("title_ids") or []))))
    if [i.topic.code for i in program.items] != codes:
        program.items.clear()
        session.flush()
        for position, c in enumerate(codes):
            program.items.append(ProgramTopic(topic=topics[c], position=position))
    program.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "program.save",
        "program",
        program.id,
        before=before,
        after={"title": program.title, "topics": codes},
        now=now,
    )
    return program
