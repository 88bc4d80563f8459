"""Importing content files: cross-checking codes against the database, then writing topics
(a new published version when the content differs) and programs; every write is audited.

Part of the content files importer and exporter (lms/programs/content_files.py, content/FORMATS.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms import audit, events
from lms.errors import FileProblem, InvalidFile
from lms.org.models import TargetGroup, Title
from lms.programs import frame
from lms.programs.content_data import (
    Parsed,
    ProgramData,
    TopicData,
    _json,
    _without_lines,
    program_canonical,
    version_canonical,
)
from lms.programs.content_parse import read_files
from lms.programs.models import Lesson, Program, ProgramTopic, Topic, TopicKind, TopicVersion, VersionStatus
from lms.sanitize import markdown_to_html


def cross_check(session: Session, parsed: Parsed, root: Path | None = None) -> None:
    """Duplicates and references: codes of target groups, titles and topics must exist."""
    problems = parsed.problems
    group_codes = set(session.scalars(select(TargetGroup.code)))
    title_codes = set(session.scalars(select(Title.code)))
    seen: dict[str, TopicData] = {}
    for topic in parsed.topics:
        if topic.code in seen:
            first = seen[topic.code]
            problems.append(
                FileProblem(
                    topic.path,
                    topic.line,
                    _(
                        "mã chuyên đề '%(code)s' trùng với %(path)s",
                        code=topic.code,
                        path=first.path,
                    ),
                )
            )
        seen.setdefault(topic.code, topic)
        for code, line in zip(topic.target_groups, topic.target_group_lines, strict=True):
            if code not in group_codes:
                problems.append(
                    FileProblem(
                        topic.path,
                        line,
                        _(
                            "nhóm đối tượng không tồn tại: '%(code)s'",
                            code=code,
                        ),
                    )
                )
    known_topics = set(seen) | set(
        session.scalars(
            select(Topic.code).join(TopicVersion).where(TopicVersion.status == VersionStatus.published)
        )
    )
    seen_programs: dict[str, ProgramData] = {}
    for program in parsed.programs:
        if program.code in seen_programs:
            first = seen_programs[program.code]
            problems.append(
                FileProblem(
                    program.path,
                    program.line,
                    _(
                        "mã chương trình '%(code)s' trùng với %(path)s",
                        code=program.code,
                        path=first.path,
                    ),
                )
            )
        seen_programs.setdefault(program.code, program)
        for code, line in program.target_groups:
            if code not in group_codes:
                problems.append(
                    FileProblem(
                        program.path,
                        line,
                        _(
                            "nhóm đối tượng không tồn tại: '%(code)s'",
                            code=code,
                        ),
                    )
                )
        for code, line in program.titles:
            if code not in title_codes:
                problems.append(
                    FileProblem(
                        program.path,
                        line,
                        _(
                            "chức danh không tồn tại: '%(code)s'",
                            code=code,
                        ),
                    )
                )
        listed: set[str] = set()
        for code, line in program.topics:
            if code not in known_topics:
                problems.append(
                    FileProblem(
                        program.path,
                        line,
                        _(
                            "chuyên đề không tồn tại: '%(code)s'",
                            code=code,
                        ),
                    )
                )
            elif code in listed:
                problems.append(
                    FileProblem(
                        program.path,
                        line,
                        _(
                            "chuyên đề '%(code)s' được liệt kê hai lần",
                            code=code,
                        ),
                    )
                )
            listed.add(code)
        if program.source_titles is not None:
            titles = _published_titles(session) | {t.code: t.title for t in parsed.topics}
            problems += frame.check_frame(program.path, program.source_titles, program.topics, titles)
        problems += frame.check_producible(
            session,
            root if root is not None and root.is_dir() else None,
            program.path,
            program.code,
            [c for c, _ in program.target_groups],
            program.evaluation,
            program.weight_lines,
            program.line,
        )


def _published_titles(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(Topic.code, TopicVersion.title)
        .join(TopicVersion)
        .where(TopicVersion.status == VersionStatus.published)
    )
    return dict(rows.all())


# --- writing --------------------------------------------------------------------------------


@dataclasses.dataclass
class Summary:
    changes: list[tuple[str, str, str]]  # (kind, code, "create" | "update" | "unchanged")

    def count(self, kind: str, action: str) -> int:
        return sum(1 for k, _c, a in self.changes if k == kind and a == action)

    def line(self) -> str:
        def part(kind: str, label: str) -> str:
            c, u, n = (self.count(kind, a) for a in ("create", "update", "unchanged"))
            return f"{label}: {c} created, {u} updated, {n} unchanged"

        return f"{part('program', 'programs')}; {part('topic', 'topics')}"


def import_content(session: Session, root: Path, *, dry_run: bool = False, now: dt.datetime) -> Summary:
    """Validate everything under ``root``; raise InvalidFile (nothing written) or apply."""
    parsed = read_files(root)
    if not parsed.problems:
        cross_check(session, parsed, root)
    if parsed.problems:
        raise InvalidFile(parsed.problems)
    topics = {
        t.code: t
        for t in session.scalars(
            select(Topic).options(selectinload(Topic.versions).selectinload(TopicVersion.lessons))
        )
    }
    changes: list[tuple[str, str, str]] = []
    for data in parsed.topics:
        topic = topics.get(data.code)
        current = topic.published if topic else None
        if current is None and topic is None:
            action = "create"
        elif current is not None and version_canonical(current) == data.canonical():
            action = "unchanged"
        else:
            action = "update"
        changes.append(("topic", data.code, action))
        if not dry_run and action != "unchanged":
            topics[data.code] = publish_topic_from_file(session, topic, data, now)
    if not dry_run:
        session.flush()
    programs = {p.code: p for p in session.scalars(select(Program))}
    for data in parsed.programs:
        program = programs.get(data.code)
        if program is None:
            action = "create"
        elif program_canonical(program) == data.canonical():
            action = "unchanged"
        else:
            action = "update"
        changes.append(("program", data.code, action))
        if not dry_run and action != "unchanged":
            write_program(session, program, data, topics, now)
    if not dry_run:
        session.flush()
    return Summary(changes)


def publish_topic_from_file(
    session: Session, topic: Topic | None, data: TopicData, now: dt.datetime
) -> Topic:
    if topic is None:
        topic = Topic(code=data.code)
        session.add(topic)
    previous = topic.published
    number = (topic.latest.version if topic.latest else 0) + 1
    version = TopicVersion(topic=topic, version=number, status=VersionStatus.draft, created_at=now)
    session.add(version)
    fill_version(version, data)
    version.publish_from_import(now)
    if previous is not None:
        previous.archive()
    session.flush()
    audit.record(
        session,
        None,
        "topic.import_publish",
        "topic_version",
        version.id,
        before={"version": previous.version} if previous else None,
        after={"code": data.code, "version": number, "file": data.path},
        now=now,
    )
    return topic


def fill_version(version: TopicVersion, data: TopicData) -> None:
    version.title, version.kind, version.field = data.title, TopicKind(data.kind), data.field
    version.hours = float(data.hours)
    version.target_groups = json.dumps(data.target_groups)
    version.legal_basis, version.as_of = data.legal_basis, data.as_of
    version.body, version.body_html = data.body, markdown_to_html(data.body)
    version.lessons = [Lesson(position=i, title=t, anchor=a) for i, (t, a) in enumerate(data.lessons)]


def write_program(
    session: Session, program: Program | None, data: ProgramData, topics: dict[str, Topic], now: dt.datetime
) -> Program:
    before = program_canonical(program) if program else None
    if program is None:
        program = Program(code=data.code, created_at=now)
        session.add(program)
    program.title, program.duration_days = data.title, data.duration_days
    program.legal_basis, program.as_of = data.legal_basis, data.as_of
    program.goal_knowledge = data.goals.get("knowledge", "")
    program.goal_skills = data.goals.get("skills", "")
    program.goal_attitude = data.goals.get("attitude", "")
    program.evaluation = _json(data.evaluation)
    program.source = data.source or None
    program.source_titles = _json(_without_lines(data.source_titles))
    program.delivery = _json(data.delivery)
    groups = {g.code: g for g in session.scalars(select(TargetGroup))}
    titles = {t.code: t for t in session.scalars(select(Title))}
    program.target_groups = [groups[c] for c, _ in data.target_groups]
    program.titles = [titles[c] for c, _ in data.titles]
    wanted = [c for c, _ in data.topics]
    if [item.topic.code for item in program.items] != wanted:
        program.items.clear()
        session.flush()  # the unique (program, topic) pairs must go before the new ones come
        for position, code in enumerate(wanted):
            topic = topics.get(code) or session.scalar(select(Topic).where(Topic.code == code))
            program.items.append(ProgramTopic(topic=topic, position=position))
    program.updated_at = now
    session.flush()
    audit.record(
        session,
        None,
        "program.import_update" if before else "program.import_create",
        "program",
        program.id,
        before=before,
        after=program_canonical(program),
        note=data.path,
        now=now,
    )
    events.program_saved.send(session, program_code=program.code, evaluation=data.evaluation)
    return program
