"""Parsing content files: a topic (Markdown with YAML front matter), a program (YAML), and
every file of a content directory.

Part of the content files importer and exporter (lms/programs/content_files.py, content/FORMATS.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from lms.errors import FileProblem
from lms.programs import frame
from lms.programs.content_data import EVALUATION_WEIGHTS, Parsed, ProgramData, TopicData
from lms.programs.content_yaml import _Reader
from lms.programs.models import FIELDS, TopicKind
from lms.sanitize import markdown_to_html

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
    keys = reader.top_mapping(
        front, TOPIC_REQUIRED, TOPIC_ALLOWED, "phần đầu", "phần đầu (front matter) trống"
    )
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
    keys = reader.top_mapping(
        text.lstrip("\ufeff"), PROGRAM_REQUIRED, PROGRAM_ALLOWED, "chương trình", "tệp trống"
    )
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
        parsed.problems.append(FileProblem(str(root), 0, _("không tìm thấy tệp hoặc thư mục")))
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
        problems.append(FileProblem(str(file), 1, _("tệp không phải UTF-8")))
    except OSError as exc:
        problems.append(
            FileProblem(
                str(file),
                0,
                _(
                    "không đọc được tệp: %(strerror)s",
                    strerror=exc.strerror,
                ),
            )
        )
    return None
