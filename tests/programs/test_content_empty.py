"""An empty content file or front matter is one problem on line 1; invalid YAML is reported once
(as YAML), never also as "empty"; a non-mapping top level is reported as such."""

from __future__ import annotations

from lms.programs.content_files import parse_program, parse_topic


def _problems(parse, text: str) -> list[str]:
    problems = []
    assert parse("f", text, problems) is None
    return [str(p) for p in problems]


def test_empty_program_file():
    assert _problems(parse_program, "\ufeff") == ["f:1: tệp trống"]


def test_empty_front_matter():
    assert _problems(parse_topic, "---\n---\nNội dung\n") == ["f:1: phần đầu (front matter) trống"]


def test_invalid_yaml_is_reported_once():
    problems = _problems(parse_program, "code: [chua-dong\n")
    assert len(problems) == 1 and "YAML không hợp lệ" in problems[0]


def test_top_level_must_be_a_mapping():
    problems = _problems(parse_program, "- mot\n- hai\n")
    assert problems == ["f:1: chương trình phải là một bảng khóa: giá trị"]
