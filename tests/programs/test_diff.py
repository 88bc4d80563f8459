"""The pure comparison of two topic versions (lms/programs/diff.py): no database, no app."""

from __future__ import annotations

import datetime as dt

from lms.programs.diff import diff_lines, diff_versions, split_sections
from lms.programs.models import Lesson, TopicKind, TopicVersion

BODY = """## Mục tiêu

Nắm được nội dung cơ bản.

### Phần một {#phan-1}

Dòng 1 của phần một.
Dòng 2 của phần một.

### Phần hai {#phan-2}

Nội dung phần hai.
"""
LESSONS = [("Phần một", "phan-1"), ("Phần hai", "phan-2")]


def version(body: str = BODY, lessons=LESSONS, **fields) -> TopicVersion:
    values = {
        "title": "Chuyên đề thử",
        "kind": TopicKind.common,
        "field": "xay-dung-dang",
        "hours": 4.0,
        "target_groups": '["ubnd"]',
        "legal_basis": "Điều lệ Đảng",
        "as_of": dt.date(2026, 11, 1),
    }
    values.update(fields)
    return TopicVersion(
        body=body,
        lessons=[Lesson(position=i, title=t, anchor=a) for i, (t, a) in enumerate(lessons)],
        **values,
    )


def kinds(hunk) -> list[tuple[str, str]]:
    return [(line.kind, line.text) for line in hunk.lines]


# --- line diff --------------------------------------------------------------------------------


def test_changed_line_is_removed_then_added_with_context_and_changed_words_marked():
    old = ["a", "b", "c", "Xã công khai dự toán trong 5 ngày.", "d", "e", "f", "g"]
    new = ["a", "b", "c", "Xã công khai dự toán trong 10 ngày.", "d", "e", "f", "g"]
    [hunk] = diff_lines(old, new)
    assert kinds(hunk) == [
        ("context", "a"),
        ("context", "b"),
        ("context", "c"),
        ("removed", "Xã công khai dự toán trong 5 ngày."),
        ("added", "Xã công khai dự toán trong 10 ngày."),
        ("context", "d"),
        ("context", "e"),
        ("context", "f"),
    ]  # three lines of context, not the fourth ("g")
    removed, added = hunk.lines[3], hunk.lines[4]
    assert [s.text for s in removed.segments if s.changed] == ["5"]
    assert [s.text for s in added.segments if s.changed] == ["10"]
    assert (removed.old_number, removed.new_number, added.old_number, added.new_number) == (4, None, None, 4)


def test_added_and_removed_lines_and_separate_hunks():
    old = [f"dòng {i}" for i in range(1, 21)]
    new = ["mới ở đầu", *old[:14], *old[15:]]  # one line added at the top, "dòng 15" removed
    first, second = diff_lines(old, new)
    assert kinds(first)[0] == ("added", "mới ở đầu") and first.new_range == (1, 4)
    assert ("removed", "dòng 15") in kinds(second)
    assert all(kind != "added" for kind, _text in kinds(second))
    assert second.old_range == (12, 18)


def test_very_different_lines_are_not_word_marked():
    [hunk] = diff_lines(["Một câu hoàn toàn khác"], ["Nội dung mới tinh"])
    assert all(not s.changed for line in hunk.lines for s in line.segments)


def test_unchanged_text_has_no_hunks():
    assert diff_lines(["a", "b"], ["a", "b"]) == []


# --- sections ---------------------------------------------------------------------------------


def test_body_is_cut_at_lesson_headings():
    sections = split_sections(BODY, ["phan-1", "phan-2"])
    assert [(s.anchor, s.first_line) for s in sections] == [(None, 1), ("phan-1", 5), ("phan-2", 10)]
    assert sections[1].lines[0] == "### Phần một {#phan-1}"
    assert [s.anchor for s in split_sections("### Một {: #phan-1 .x}\nchữ", ["phan-1"])] == ["phan-1"]
    assert [s.anchor for s in split_sections("chữ {#phan-10}", ["phan-1"])] == [None]


# --- whole versions ---------------------------------------------------------------------------


def test_identical_versions_are_unchanged():
    changes = diff_versions(version(), version(body=BODY.replace("\n", "\r\n")))
    assert changes.unchanged and changes.lines_added == changes.lines_removed == 0


def test_metadata_changes_use_labels_and_readable_values():
    changes = diff_versions(
        version(),
        version(
            title="Tên mới",
            kind=TopicKind.group,
            field="tu-phap",
            hours=3.5,
            target_groups='["ubnd", "hdnd"]',
            legal_basis="",
            as_of=dt.date(2027, 1, 1),
        ),
        {"ubnd": "UBND xã", "hdnd": "HĐND xã"},
    )
    assert [(f.name, f.old, f.new) for f in changes.fields] == [
        ("title", "Chuyên đề thử", "Tên mới"),
        ("kind", "Chuyên đề chung", "Chuyên đề theo nhóm"),
        ("field", "Xây dựng Đảng", "Tư pháp"),
        ("hours", "4", "3,5"),
        ("target_groups", "UBND xã", "UBND xã; HĐND xã"),
        ("legal_basis", "Điều lệ Đảng", "—"),
        ("as_of", "01/11/2026", "01/01/2027"),
    ]
    assert not changes.sections and not changes.lessons


def test_changed_lesson_body_is_reported_in_its_section():
    changes = diff_versions(version(), version(body=BODY.replace("Dòng 2 của phần một.", "Dòng 2 đã sửa.")))
    [section] = changes.sections
    assert (section.anchor, section.title, section.status) == ("phan-1", "Phần một", "changed")
    assert (changes.lines_added, changes.lines_removed) == (1, 1)
    assert not changes.lessons and not changes.fields
    numbers = [(line.kind, line.old_number, line.new_number) for line in section.hunks[0].lines]
    assert ("removed", 8, None) in numbers and ("added", None, 8) in numbers  # lines of the whole body


def test_lesson_added():
    body = BODY + "### Phần ba {#phan-3}\n\nNội dung phần ba.\n"
    changes = diff_versions(version(), version(body=body, lessons=[*LESSONS, ("Phần ba", "phan-3")]))
    [lesson] = changes.lessons
    assert (lesson.kind, lesson.new_position, lesson.new_title) == ("added", 3, "Phần ba")
    # "Phần hai" is unchanged; the new section is all added
    [section] = changes.sections
    assert (section.anchor, section.status) == ("phan-3", "added")
    assert {line.kind for hunk in section.hunks for line in hunk.lines} == {"added"}
    assert section.added == 3


def test_lesson_removed():
    body = BODY.split("### Phần hai")[0]
    changes = diff_versions(version(), version(body=body, lessons=LESSONS[:1]))
    [lesson] = changes.lessons
    assert (lesson.kind, lesson.old_position, lesson.old_title) == ("removed", 2, "Phần hai")
    [section] = changes.sections
    assert (section.anchor, section.title, section.status) == ("phan-2", "Phần hai", "removed")
    assert section.removed == 3 and section.added == 0


def test_lessons_reordered_and_renamed_are_not_a_wall_of_removed_lines():
    one = BODY[BODY.index("### Phần một") : BODY.index("### Phần hai")]
    two = BODY[BODY.index("### Phần hai") :]
    body = BODY[: BODY.index("### Phần một")] + two + "\n" + one
    changes = diff_versions(version(), version(body=body, lessons=[("Phần hai (mới)", "phan-2"), LESSONS[0]]))
    assert [(x.anchor, x.old_position, x.new_position, x.moved, x.renamed) for x in changes.lessons] == [
        ("phan-2", 2, 1, True, True),
        ("phan-1", 1, 2, True, False),
    ]
    assert changes.sections_reordered
    # only the blank line between the moved sections differs, not the sections' text
    assert changes.lines_added + changes.lines_removed <= 2


def test_body_without_lessons_is_one_section():
    changes = diff_versions(version(body="a\nb\n", lessons=[]), version(body="a\nc\n", lessons=[]))
    [section] = changes.sections
    assert section.anchor is None and section.title is None
    assert kinds(section.hunks[0]) == [("context", "a"), ("removed", "b"), ("added", "c")]
