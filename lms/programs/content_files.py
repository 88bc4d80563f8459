"""Programs and topics in files: parse and validate everything first, then write.

``content/programs/*.yaml`` and ``content/topics/*.md`` (see content/FORMATS.md). Every problem
is reported as ``path:line: message``; nothing is written when any file has a problem. Lines
of YAML problems come from the composed node marks (``start_mark.line + 1``); in a topic's
front matter they are shifted by the opening ``---`` line so they point into the real file.

Import is keyed by code and idempotent. Files are the authoritative source: a topic whose
content differs from its latest published version becomes a new published version (the old
one archived), without going through the approval workflow; every write is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms import audit, events, safe_yaml
from lms.errors import FileProblem, InvalidFile
from lms.org.models import TargetGroup, Title
from lms.programs import frame
from lms.programs.models import (
    FIELDS,
    Lesson,
    Program,
    ProgramTopic,
    Topic,
    TopicKind,
    TopicVersion,
    VersionStatus,
)
from lms.sanitize import markdown_to_html

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
EVALUATION_WEIGHTS = ("entrance", "exit", "scenarios", "assessment")


# --- parsed data ----------------------------------------------------------------------------


@dataclasses.dataclass
class TopicData:
    path: str
    line: int  # line of the `code` value (for duplicate reports)
    code: str
    title: str
    kind: str
    field: str
    hours: float
    target_groups: list[str]
    legal_basis: str
    as_of: dt.date | None
    lessons: list[tuple[str, str]]
    body: str
    target_group_lines: list[int] = dataclasses.field(default_factory=list)

    def canonical(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "field": self.field,
            "hours": float(self.hours),
            "target_groups": list(self.target_groups),
            "legal_basis": self.legal_basis,
            "as_of": self.as_of,
            "lessons": [list(x) for x in self.lessons],
            "body": self.body,
        }


@dataclasses.dataclass
class ProgramData:
    path: str
    line: int
    code: str
    title: str
    target_groups: list[tuple[str, int]]
    titles: list[tuple[str, int]]
    duration_days: int
    legal_basis: str
    as_of: dt.date | None
    goals: dict[str, str]
    topics: list[tuple[str, int]]
    evaluation: dict[str, Any] | None
    source: str = ""
    source_titles: list[dict[str, Any]] | None = None
    delivery: dict[str, Any] | None = None
    weight_lines: dict[str, int] = dataclasses.field(default_factory=dict)

    def canonical(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "source": self.source,
            "source_titles": _json(_without_lines(self.source_titles)),
            "delivery": _json(self.delivery),
            "target_groups": sorted(c for c, _ in self.target_groups),
            "titles": sorted(c for c, _ in self.titles),
            "duration_days": self.duration_days,
            "legal_basis": self.legal_basis,
            "as_of": self.as_of,
            "goals": [self.goals.get(k, "") for k in ("knowledge", "skills", "attitude")],
            "topics": [c for c, _ in self.topics],
            "evaluation": _json(self.evaluation),
        }


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _without_lines(items: list[dict] | None) -> list[dict] | None:
    return None if items is None else [{k: v for k, v in i.items() if k != "line"} for i in items]


def version_canonical(version: TopicVersion) -> dict[str, Any]:
    return {
        "title": version.title,
        "kind": str(version.kind),
        "field": version.field,
        "hours": float(version.hours),
        "target_groups": version.target_group_codes,
        "legal_basis": version.legal_basis or "",
        "as_of": version.as_of,
        "lessons": [[lesson.title, lesson.anchor] for lesson in version.lessons],
        "body": version.body,
    }


def program_canonical(program: Program) -> dict[str, Any]:
    return {
        "title": program.title,
        "source": program.source or "",
        "source_titles": program.source_titles,
        "delivery": program.delivery,
        "target_groups": sorted(g.code for g in program.target_groups),
        "titles": sorted(t.code for t in program.titles),
        "duration_days": program.duration_days,
        "legal_basis": program.legal_basis or "",
        "as_of": program.as_of,
        "goals": [program.goal_knowledge or "", program.goal_skills or "", program.goal_attitude or ""],
        "topics": [item.topic.code for item in program.items],
        "evaluation": _json(program.evaluation_scheme),
    }


# --- reading YAML with line numbers ---------------------------------------------------------


_REFUSED = object()  # a value the loader refused (already reported): matches no type check


class _Reader:
    """Collects problems for one file; ``offset`` shifts YAML lines (front matter)."""

    def __init__(self, path: str, problems: list[FileProblem], offset: int = 0):
        self.path, self.problems, self.offset = path, problems, offset

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def problem(self, line: int, message: str) -> None:
        self.problems.append(FileProblem(self.path, line, message))

    def compose(self, text: str) -> yaml.Node | None:
        try:
            return safe_yaml.compose(text)
        except yaml.YAMLError as exc:
            line = safe_yaml.problem_line(exc) + self.offset
            self.problem(line, f"YAML không hợp lệ: {safe_yaml.problem_text(exc)}")
            return None

    def mapping(
        self, node: yaml.Node, required: set[str], allowed: set[str], what: str
    ) -> dict[str, tuple[int, yaml.Node]] | None:
        """Keys of a mapping node with their lines; unknown, duplicate and missing keys reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(self.line(node), f"{what} phải là một bảng khóa: giá trị")
            return None
        found: dict[str, tuple[int, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(self.line(key_node), "khóa phải là một chữ, không phải danh sách hay bảng")
                continue
            key = key_node.value
            if key in found:
                self.problem(self.line(key_node), f"khóa '{key}' bị lặp lại")
            elif key not in allowed:
                self.problem(
                    self.line(key_node),
                    f"khóa không hợp lệ '{key}' (dùng được: {', '.join(sorted(allowed))})",
                )
            found[key] = (self.line(key_node), value_node)
        for key in sorted(required - found.keys()):
            self.problem(self.line(node), f"thiếu trường bắt buộc '{key}'")
        return found

    def value(self, node: yaml.Node) -> Any:
        if node is None:
            return None
        try:
            return safe_yaml.construct(node)
        except safe_yaml.YamlRefused as exc:
            self.problem(exc.line + self.offset, f"YAML không hợp lệ: {exc.message}")
            return _REFUSED

    # typed getters: report and return None on a wrong type
    def text(self, node: yaml.Node, key: str, allow_empty: bool = False) -> str | None:
        value = self.value(node)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.problem(self.line(node), f"'{key}' phải là một chuỗi ký tự không rỗng")
            return None
        return value

    def slug(self, node: yaml.Node, key: str) -> str | None:
        value = self.value(node)
        if not isinstance(value, str) or not SLUG.match(value):
            self.problem(
                self.line(node),
                f"'{key}' phải là mã gồm chữ thường không dấu, số và gạch nối (vd. qn-chung-1)",
            )
            return None
        return value

    def date(self, node: yaml.Node, key: str) -> dt.date | None:
        value = self.value(node)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            self.problem(self.line(node), f"'{key}' phải là ngày dạng YYYY-MM-DD")
            return None
        return value

    def positive(self, node: yaml.Node, key: str, integer: bool = False) -> float | None:
        value = self.value(node)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        if integer:
            ok = ok and isinstance(value, int)
        if not ok:
            kind = "số nguyên dương" if integer else "số dương"
            self.problem(self.line(node), f"'{key}' phải là {kind}")
            return None
        return value

    def code_list(self, node: yaml.Node, key: str) -> list[tuple[str, int]] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(self.line(node), f"'{key}' phải là một danh sách mã, vd. [a, b]")
            return None
        codes = []
        for item in node.value:
            code = self.slug(item, key)
            if code is not None:
                codes.append((code, self.line(item)))
        return codes


# --- topics ---------------------------------------------------------------------------------

TOPIC_REQUIRED = {"code", "title", "kind", "field", "hours"}
TOPIC_ALLOWED = TOPIC_REQUIRED | {"target_groups", "legal_basis", "as_of", "lessons"}


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line number of the closing ---) or None when not closed."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    return None


def parse_topic(path: str, text: str, problems: list[FileProblem]) -> TopicData | None:
    reader = _Reader(path, problems, offset=1)
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        reader.problem(1, "thiếu phần đầu (front matter): tệp phải bắt đầu bằng một dòng '---'")
        return None
    parts = split_front_matter(text)
    if parts is None:
        reader.problem(1, "phần đầu (front matter) chưa được đóng bằng một dòng '---'")
        return None
    front, body, _closing = parts
    count = len(problems)
    root = reader.compose(front)
    if root is None:
        if len(problems) == count:
            reader.problem(1, "phần đầu (front matter) trống")
        return None
    keys = reader.mapping(root, TOPIC_REQUIRED, TOPIC_ALLOWED, "phần đầu")
    if keys is None:
        return None
    get = {k: node for k, (_line, node) in keys.items()}
    code = reader.slug(get["code"], "code") if "code" in get else None
    title = reader.text(get["title"], "title") if "title" in get else None
    kind = None
    if "kind" in get:
        kind = reader.value(get["kind"])
        if kind not in {k.value for k in TopicKind}:
            reader.problem(reader.line(get["kind"]), "'kind' phải là common hoặc group")
            kind = None
    field = None
    if "field" in get:
        field = reader.value(get["field"])
        if field not in FIELDS:
            reader.problem(reader.line(get["field"]), f"lĩnh vực không có trong danh mục: '{field}'")
            field = None
    hours = reader.positive(get["hours"], "hours") if "hours" in get else None
    groups = reader.code_list(get["target_groups"], "target_groups") if "target_groups" in get else []
    legal = reader.text(get["legal_basis"], "legal_basis") if "legal_basis" in get else ""
    as_of = reader.date(get["as_of"], "as_of") if "as_of" in get else None
    if "legal_basis" in get and "as_of" not in get:
        reader.problem(keys["legal_basis"][0], "có căn cứ pháp lý thì phải ghi 'as_of' (ngày cập nhật)")
    html = markdown_to_html(body)
    lessons = _lessons(reader, get.get("lessons"), html) if "lessons" in get else []
    if len(problems) > count or None in (code, title, kind, field, hours, groups, legal, lessons):
        return None
    return TopicData(
        path=path,
        line=reader.line(get["code"]),
        code=code,
        title=title,
        kind=kind,
        field=field,
        hours=hours,
        target_groups=[c for c, _ in groups],
        target_group_lines=[line for _, line in groups],
        legal_basis=legal or "",
        as_of=as_of,
        lessons=lessons,
        body=body,
    )


def _lessons(reader: _Reader, node: yaml.Node, html: str) -> list[tuple[str, str]] | None:
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(reader.line(node), "'lessons' phải là một danh sách các mục {title, anchor}")
        return None
    lessons, anchors, ok = [], set(), True
    for item in node.value:
        keys = reader.mapping(item, {"title", "anchor"}, {"title", "anchor"}, "mục trong 'lessons'")
        if keys is None or not {"title", "anchor"} <= keys.keys():
            ok = False
            continue
        title = reader.text(keys["title"][1], "title")
        anchor = reader.slug(keys["anchor"][1], "anchor")
        if anchor and anchor in anchors:
            reader.problem(reader.line(keys["anchor"][1]), f"anchor '{anchor}' bị lặp lại")
            anchor = None
        elif anchor and f'id="{anchor}"' not in html:
            reader.problem(
                reader.line(keys["anchor"][1]),
                f"không có tiêu đề nào mang id '{anchor}' trong nội dung (viết: ### Tiêu đề {{#{anchor}}})",
            )
            anchor = None
        if title is None or anchor is None:
            ok = False
            continue
        anchors.add(anchor)
        lessons.append((title, anchor))
    return lessons if ok else None


# --- programs -------------------------------------------------------------------------------

PROGRAM_REQUIRED = {"code", "title", "target_groups", "duration_days", "topics"}
PROGRAM_ALLOWED = PROGRAM_REQUIRED | {
    "titles",
    "legal_basis",
    "as_of",
    "goals",
    "evaluation",
    "source",
    "source_titles",
    "delivery",
}
GOAL_KEYS = {"knowledge", "skills", "attitude"}


def parse_program(path: str, text: str, problems: list[FileProblem]) -> ProgramData | None:
    reader = _Reader(path, problems)
    count = len(problems)
    root = reader.compose(text.lstrip("\ufeff"))
    if root is None:
        if len(problems) == count:
            reader.problem(1, "tệp trống")
        return None
    keys = reader.mapping(root, PROGRAM_REQUIRED, PROGRAM_ALLOWED, "chương trình")
    if keys is None:
        return None
    get = {k: node for k, (_line, node) in keys.items()}
    code = reader.slug(get["code"], "code") if "code" in get else None
    title = reader.text(get["title"], "title") if "title" in get else None
    groups = reader.code_list(get["target_groups"], "target_groups") if "target_groups" in get else None
    titles = reader.code_list(get["titles"], "titles") if "titles" in get else []
    days = (
        reader.positive(get["duration_days"], "duration_days", integer=True)
        if "duration_days" in get
        else None
    )
    legal = reader.text(get["legal_basis"], "legal_basis") if "legal_basis" in get else ""
    as_of = reader.date(get["as_of"], "as_of") if "as_of" in get else None
    topics = reader.code_list(get["topics"], "topics") if "topics" in get else None
    if topics is not None and not topics and "topics" in get:
        reader.problem(reader.line(get["topics"]), "chương trình phải có ít nhất một chuyên đề")
    goals: dict[str, str] | None = {}
    if "goals" in get:
        goal_keys = reader.mapping(get["goals"], set(), GOAL_KEYS, "'goals'")
        goals = None if goal_keys is None else {}
        for key, (_line, node) in (goal_keys or {}).items():
            if key in GOAL_KEYS and goals is not None:
                goals[key] = reader.text(node, f"goals.{key}") or ""
    weight_lines: dict[str, int] = {}
    evaluation = _evaluation(reader, get["evaluation"], weight_lines) if "evaluation" in get else None
    source = reader.text(get["source"], "source") if "source" in get else ""
    source_titles = (
        frame.parse_source_titles(reader, get["source_titles"]) if "source_titles" in get else None
    )
    delivery = frame.parse_delivery(reader, get["delivery"]) if "delivery" in get else None
    if len(problems) > count or None in (code, title, groups, titles, days, legal, topics, goals, source):
        return None
    return ProgramData(
        path=path,
        line=reader.line(get["code"]),
        code=code,
        title=title,
        target_groups=groups,
        titles=titles,
        duration_days=days,
        legal_basis=legal or "",
        as_of=as_of,
        goals=goals,
        topics=topics,
        evaluation=evaluation,
        source=source or "",
        source_titles=source_titles,
        delivery=delivery,
        weight_lines=weight_lines,
    )


def _evaluation(reader: _Reader, node: yaml.Node, weight_lines: dict[str, int]) -> dict[str, Any] | None:
    keys = reader.mapping(node, set(), {"pass_mark", "weights"}, "'evaluation'")
    if keys is None:
        return None
    result: dict[str, Any] = {}
    if "pass_mark" in keys:
        value = reader.value(keys["pass_mark"][1])
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 10:
            reader.problem(keys["pass_mark"][0], "'pass_mark' phải là số từ 0 đến 10")
        else:
            result["pass_mark"] = value
    if "weights" in keys:
        weights = reader.mapping(keys["weights"][1], set(), set(EVALUATION_WEIGHTS), "'weights'") or {}
        result["weights"] = {}
        for name, (line, value_node) in weights.items():
            value = reader.value(value_node)
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
                reader.problem(line, f"trọng số '{name}' phải là số từ 0 đến 1")
            elif name in EVALUATION_WEIGHTS:
                result["weights"][name] = value
                weight_lines[name] = line
    return result


# --- reading a directory and cross-checking -------------------------------------------------


@dataclasses.dataclass
class Parsed:
    programs: list[ProgramData]
    topics: list[TopicData]
    problems: list[FileProblem]


def read_files(root: Path) -> Parsed:
    """Parse ``root`` (a content directory, or one .yaml/.md file)."""
    parsed = Parsed([], [], [])
    if root.is_file():
        program_files = [root] if root.suffix in {".yaml", ".yml"} else []
        topic_files = [root] if root.suffix == ".md" else []
    else:
        program_files = sorted((root / "programs").glob("*.yaml")) + sorted((root / "programs").glob("*.yml"))
        topic_files = sorted((root / "topics").glob("*.md"))
    if not root.exists():
        parsed.problems.append(FileProblem(str(root), 0, "không tìm thấy tệp hoặc thư mục"))
        return parsed
    for file in topic_files:
        text = _read_text(file, parsed.problems)
        topic = parse_topic(str(file), text, parsed.problems) if text is not None else None
        if topic:
            parsed.topics.append(topic)
    for file in program_files:
        text = _read_text(file, parsed.problems)
        program = parse_program(str(file), text, parsed.problems) if text is not None else None
        if program:
            parsed.programs.append(program)
    return parsed


def _read_text(file: Path, problems: list[FileProblem]) -> str | None:
    try:
        return file.read_text("utf-8")
    except UnicodeDecodeError:
        problems.append(FileProblem(str(file), 1, "tệp không phải UTF-8"))
    except OSError as exc:
        problems.append(FileProblem(str(file), 0, f"không đọc được tệp: {exc.strerror}"))
    return None


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
                FileProblem(topic.path, topic.line, f"mã chuyên đề '{topic.code}' trùng với {first.path}")
            )
        seen.setdefault(topic.code, topic)
        for code, line in zip(topic.target_groups, topic.target_group_lines, strict=True):
            if code not in group_codes:
                problems.append(FileProblem(topic.path, line, f"nhóm đối tượng không tồn tại: '{code}'"))
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
                    program.path, program.line, f"mã chương trình '{program.code}' trùng với {first.path}"
                )
            )
        seen_programs.setdefault(program.code, program)
        for code, line in program.target_groups:
            if code not in group_codes:
                problems.append(FileProblem(program.path, line, f"nhóm đối tượng không tồn tại: '{code}'"))
        for code, line in program.titles:
            if code not in title_codes:
                problems.append(FileProblem(program.path, line, f"chức danh không tồn tại: '{code}'"))
        listed: set[str] = set()
        for code, line in program.topics:
            if code not in known_topics:
                problems.append(FileProblem(program.path, line, f"chuyên đề không tồn tại: '{code}'"))
            elif code in listed:
                problems.append(FileProblem(program.path, line, f"chuyên đề '{code}' được liệt kê hai lần"))
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


# --- export ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Lists of codes on one line ([a, b]); mappings in block style, as the files are written."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(item, str | int | float) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False
    )


def program_document(program: Program) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": program.code,
        "title": program.title,
        "target_groups": [g.code for g in program.target_groups],
        "titles": [t.code for t in program.titles],
        "duration_days": program.duration_days,
    }
    if program.legal_basis:
        doc["legal_basis"] = program.legal_basis
    if program.as_of:
        doc["as_of"] = program.as_of
    goals = {
        "knowledge": program.goal_knowledge,
        "skills": program.goal_skills,
        "attitude": program.goal_attitude,
    }
    if any(goals.values()):
        doc["goals"] = {k: v for k, v in goals.items() if v}
    if program.source:
        doc["source"] = program.source
    if program.source_titles:
        doc["source_titles"] = [
            item["text"] if item["title"] == frame.frame_title(item["text"]) and "note" not in item else item
            for item in json.loads(program.source_titles)
        ]
    doc["topics"] = [item.topic.code for item in program.items]
    if program.delivery:
        doc["delivery"] = json.loads(program.delivery)
    if program.evaluation_scheme is not None:
        doc["evaluation"] = program.evaluation_scheme
    return doc


def topic_document(topic: Topic, version: TopicVersion) -> str:
    front: dict[str, Any] = {
        "code": topic.code,
        "title": version.title,
        "kind": str(version.kind),
        "field": version.field,
        "hours": int(version.hours) if float(version.hours).is_integer() else version.hours,
    }
    if version.target_group_codes:
        front["target_groups"] = version.target_group_codes
    if version.legal_basis:
        front["legal_basis"] = version.legal_basis
    if version.as_of:
        front["as_of"] = version.as_of
    if version.lessons:
        front["lessons"] = [{"title": lesson.title, "anchor": lesson.anchor} for lesson in version.lessons]
    return "---\n" + _dump(front) + "---\n" + version.body


def export_content(session: Session, root: Path) -> tuple[int, int]:
    """Write programs and the latest published topics under ``root``; returns the counts."""
    (root / "programs").mkdir(parents=True, exist_ok=True)
    (root / "topics").mkdir(parents=True, exist_ok=True)
    programs = session.scalars(select(Program).order_by(Program.code)).all()
    for program in programs:
        (root / "programs" / f"{program.code}.yaml").write_text(_dump(program_document(program)), "utf-8")
    count = 0
    for topic in session.scalars(select(Topic).order_by(Topic.code)):
        version = topic.published
        if version is not None:
            (root / "topics" / f"{topic.code}.md").write_text(topic_document(topic, version), "utf-8")
            count += 1
    return len(programs), count
