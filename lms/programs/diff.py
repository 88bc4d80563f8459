"""What changed between two versions of a topic, for the reviewer (pure functions, no database).

``diff_versions(old, new, group_names)`` compares the metadata, the lessons (sections) and the
Markdown body. The body is cut into sections at the headings of the lessons (``### Tiêu đề
{#phan-1}``) and each section is compared with the same section of the other version, so a
lesson moved, added or removed shows as that, not as a long block of removed and added lines.
Each section is a line diff made with difflib, grouped as in a unified diff (changes with a
few lines of context around them); inside a changed line the words that differ are marked.
Everything returned is plain text: the template escapes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from flask_babel import lazy_gettext as _l

from lms.programs.models import FIELDS, TOPIC_KIND_LABELS

CONTEXT_LINES = 3
# a removed and an added line this similar are one line edited: its changed words are marked
SIMILAR_LINE_RATIO = 0.5

# the labels of the topic form (same source strings, so the same translations)
FIELD_LABELS = {
    "title": _l("Tiêu đề"),
    "kind": _l("Loại"),
    "field": _l("Lĩnh vực"),
    "hours": _l("Số giờ"),
    "target_groups": _l("Nhóm đối tượng"),
    "legal_basis": _l("Căn cứ pháp lý"),
    "as_of": _l("Cập nhật đến ngày"),
}

LineKind = Literal["context", "added", "removed"]


@dataclasses.dataclass(frozen=True)
class Segment:
    text: str
    changed: bool = False


@dataclasses.dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    old_number: int | None  # line number in the whole body, 1-based
    new_number: int | None
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclasses.dataclass(frozen=True)
class Hunk:
    lines: tuple[DiffLine, ...]

    def _numbers(self, attribute: str) -> list[int]:
        return [n for line in self.lines if (n := getattr(line, attribute)) is not None]

    @property
    def new_range(self) -> tuple[int, int] | None:
        numbers = self._numbers("new_number")
        return (numbers[0], numbers[-1]) if numbers else None

    @property
    def old_range(self) -> tuple[int, int] | None:
        numbers = self._numbers("old_number")
        return (numbers[0], numbers[-1]) if numbers else None


@dataclasses.dataclass(frozen=True)
class FieldChange:
    name: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return str(FIELD_LABELS[self.name])


@dataclasses.dataclass(frozen=True)
class LessonChange:
    kind: Literal["added", "removed", "changed"]
    anchor: str
    old_position: int | None  # 1-based, as readers count
    new_position: int | None
    old_title: str | None
    new_title: str | None

    @property
    def moved(self) -> bool:
        return self.kind == "changed" and self.old_position != self.new_position

    @property
    def renamed(self) -> bool:
        return self.kind == "changed" and self.old_title != self.new_title


@dataclasses.dataclass(frozen=True)
class SectionDiff:
    anchor: str | None  # None: the text before the first lesson heading
    title: str | None  # the lesson title (newest), None for the opening text
    status: Literal["added", "removed", "changed"]
    hunks: tuple[Hunk, ...]

    @property
    def added(self) -> int:
        return sum(line.kind == "added" for hunk in self.hunks for line in hunk.lines)

    @property
    def removed(self) -> int:
        return sum(line.kind == "removed" for hunk in self.hunks for line in hunk.lines)


@dataclasses.dataclass(frozen=True)
class VersionDiff:
    fields: tuple[FieldChange, ...]
    lessons: tuple[LessonChange, ...]
    sections: tuple[SectionDiff, ...]
    sections_reordered: bool  # same sections, other order in the body

    @property
    def unchanged(self) -> bool:
        return not (self.fields or self.lessons or self.sections or self.sections_reordered)

    @property
    def lines_added(self) -> int:
        return sum(section.added for section in self.sections)

    @property
    def lines_removed(self) -> int:
        return sum(section.removed for section in self.sections)


# --- metadata ---------------------------------------------------------------------------------


def _date_text(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def field_values(version: Any, group_names: Mapping[str, str]) -> dict[str, str]:
    """The metadata of a version as the reviewer reads it (labels, not codes)."""
    return {
        "title": version.title,
        "kind": TOPIC_KIND_LABELS.get(version.kind, str(version.kind)),
        "field": FIELDS.get(version.field, version.field),
        "hours": version.hours_text,
        "target_groups": "; ".join(group_names.get(c, c) for c in version.target_group_codes) or "—",
        "legal_basis": version.legal_basis or "—",
        "as_of": _date_text(version.as_of),
    }


def diff_fields(old: Any, new: Any, group_names: Mapping[str, str]) -> list[FieldChange]:
    before, after = field_values(old, group_names), field_values(new, group_names)
    return [
        FieldChange(name, before[name], after[name]) for name in FIELD_LABELS if before[name] != after[name]
    ]


# --- lessons ----------------------------------------------------------------------------------


def diff_lessons(old: Sequence[Any], new: Sequence[Any]) -> list[LessonChange]:
    """Lessons are the same lesson when they have the same anchor (the heading id)."""
    old_by_anchor = {lesson.anchor: (i, lesson) for i, lesson in enumerate(old, start=1)}
    new_anchors = {lesson.anchor for lesson in new}
    changes = []
    for position, lesson in enumerate(new, start=1):
        if lesson.anchor not in old_by_anchor:
            changes.append(LessonChange("added", lesson.anchor, None, position, None, lesson.title))
            continue
        old_position, previous = old_by_anchor[lesson.anchor]
        if (old_position, previous.title) != (position, lesson.title):
            changes.append(
                LessonChange("changed", lesson.anchor, old_position, position, previous.title, lesson.title)
            )
    for anchor, (old_position, previous) in old_by_anchor.items():
        if anchor not in new_anchors:
            changes.append(LessonChange("removed", anchor, old_position, None, previous.title, None))
    return changes


# --- body -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Section:
    anchor: str | None
    first_line: int  # 1-based line number of its first line in the body
    lines: list[str]


def _heading_pattern(anchor: str) -> re.Pattern[str]:
    # `{#anchor}` or `{: #anchor .class}` (Markdown attr_list), or a raw `id="anchor"`
    name = re.escape(anchor)
    return re.compile(rf"\{{[^}}]*#{name}(?![\w-])[^}}]*\}}|\bid=[\"']{name}[\"']")


def split_sections(body: str, anchors: Sequence[str]) -> list[Section]:
    """Cut the body before the first line that carries each anchor; the opening text comes first."""
    lines = (body or "").splitlines()
    starts: dict[int, str] = {}
    for anchor in anchors:
        pattern = _heading_pattern(anchor)
        found = next((i for i, line in enumerate(lines) if pattern.search(line)), None)
        if found is not None and found not in starts:
            starts[found] = anchor
    cuts = sorted(starts)
    bounds = [0, *cuts, len(lines)]
    sections = []
    for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        anchor = None if index == 0 else starts[start]
        if anchor is None and start == end and cuts:
            continue  # no opening text before the first lesson
        sections.append(Section(anchor, start + 1, lines[start:end]))
    return sections


_WORD = re.compile(r"\s+|\w+|[^\w\s]")


def _word_segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]] | None:
    """The two lines cut into unchanged and changed runs of words, or None when too different."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < SIMILAR_LINE_RATIO:
        return None
    before: list[Segment] = []
    after: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if a[i1:i2]:
            before.append(Segment("".join(a[i1:i2]), tag != "equal"))
        if b[j1:j2]:
            after.append(Segment("".join(b[j1:j2]), tag != "equal"))
    return _merged(before), _merged(after)


def _merged(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].changed == segment.changed:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.changed)
        else:
            merged.append(segment)
    return tuple(merged)


def _replaced(old: list[str], new: list[str], old_first: int, new_first: int) -> list[DiffLine]:
    """A block of removed lines then a block of added ones; lines edited in place get word marks."""
    removed = [
        DiffLine("removed", old_first + i, None, (Segment(text, False),)) for i, text in enumerate(old)
    ]
    added = [DiffLine("added", None, new_first + j, (Segment(text, False),)) for j, text in enumerate(new)]
    for i, (before, after) in enumerate(zip(old, new, strict=False)):
        marked = _word_segments(before, after)
        if marked is not None:
            removed[i] = dataclasses.replace(removed[i], segments=marked[0])
            added[i] = dataclasses.replace(added[i], segments=marked[1])
    return removed + added


def diff_lines(old: list[str], new: list[str], old_first: int = 1, new_first: int = 1) -> list[Hunk]:
    """Unified-style hunks: each change with up to CONTEXT_LINES unchanged lines around it."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            o, n = old_first + i1, new_first + j1
            if tag == "equal":
                lines += [
                    DiffLine("context", o + k, n + k, (Segment(text),)) for k, text in enumerate(old[i1:i2])
                ]
            else:
                lines += _replaced(old[i1:i2], new[j1:j2], o, n)
        hunks.append(Hunk(tuple(lines)))
    return hunks


def diff_body(
    old_body: str, new_body: str, old_lessons: Sequence[Any], new_lessons: Sequence[Any]
) -> tuple[list[SectionDiff], bool]:
    """Section by section (in the new body's order, then the sections only the old one had)."""
    anchors = list(dict.fromkeys([x.anchor for x in new_lessons] + [x.anchor for x in old_lessons]))
    titles = {x.anchor: x.title for x in old_lessons} | {x.anchor: x.title for x in new_lessons}
    old_sections = {s.anchor: s for s in split_sections(old_body, anchors)}
    new_sections = {s.anchor: s for s in split_sections(new_body, anchors)}
    order = list(new_sections) + [key for key in old_sections if key not in new_sections]
    result = []
    for key in order:
        before, after = old_sections.get(key), new_sections.get(key)
        hunks = diff_lines(
            before.lines if before else [],
            after.lines if after else [],
            before.first_line if before else 1,
            after.first_line if after else 1,
        )
        if hunks:
            status = "added" if before is None else "removed" if after is None else "changed"
            result.append(SectionDiff(key, titles.get(key) if key else None, status, tuple(hunks)))
    common = [key for key in new_sections if key in old_sections]
    reordered = common != [key for key in old_sections if key in new_sections]
    return result, reordered


def diff_versions(old: Any, new: Any, group_names: Mapping[str, str] | None = None) -> VersionDiff:
    """Everything that changed from ``old`` (the published version) to ``new``.

    Both are TopicVersion-like: title, kind, field, hours_text, target_group_codes, legal_basis,
    as_of, body, lessons (each with anchor and title, in order). ``group_names`` maps target
    group codes to their names.
    """
    sections, reordered = diff_body(old.body, new.body, old.lessons, new.lessons)
    return VersionDiff(
        fields=tuple(diff_fields(old, new, group_names or {})),
        lessons=tuple(diff_lessons(old.lessons, new.lessons)),
        sections=tuple(sections),
        sections_reordered=reordered,
    )
