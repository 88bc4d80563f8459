"""The shared safe YAML loader (lms/safe_yaml.py) guards every importer: content (programs,
topics) and quiz settings answer alias bombs, deep nesting, .nan and lists where text is
expected with ``file:line: message``, quickly, never with a traceback."""

from __future__ import annotations

import time

import pytest

from lms import safe_yaml
from lms.errors import InvalidFile
from lms.programs.content_files import import_content
from lms.quizzes.importer import parse_quiz_file
from tests.programs.test_content_files import NOW, PROGRAM, TOPIC, write

BOMB = (
    "["
    + ", ".join(
        ["&a0 [" + ", ".join(["lol"] * 9) + "]"]
        + [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    )
    + "]"
)
DEEP = "[" * 3000 + "]" * 3000

CONTENT_CASES = [
    ("programs/p.yaml", PROGRAM.replace('title: "Chương trình"', f"title: {BOMB}"), "bí danh bung ra"),
    ("programs/p.yaml", PROGRAM.replace('title: "Chương trình"', f"title: {DEEP}"), "lồng nhau sâu hơn"),
    ("programs/p.yaml", PROGRAM.replace("duration_days: 5", "duration_days: .nan"), "hữu hạn"),
    ("programs/p.yaml", PROGRAM.replace("duration_days: 5", "duration_days: " + "9" * 5000), "quá dài"),
    ("programs/p.yaml", PROGRAM.replace("target_groups: [ubnd]", "target_groups: [[ubnd]]"), ""),
    ("programs/p.yaml", PROGRAM + "? [a, b]\n: 1\n", "khóa phải là một chữ"),
    ("programs/p.yaml", PROGRAM + "x: &x [*x]\n", "chứa nó"),
    ("topics/a.md", TOPIC.format(code="t-a").replace("hours: 2", f"hours: {BOMB}"), "bí danh bung ra"),
    ("topics/a.md", TOPIC.format(code="t-a").replace("hours: 2", "hours: .inf"), "hữu hạn"),
    ("topics/a.md", TOPIC.format(code="t-a").replace("hours: 2", "hours: 2\n? {a: 1}\n: 2"), "khóa"),
]


@pytest.mark.parametrize("rel, text, message", CONTENT_CASES)
def test_content_import_refuses_hostile_yaml_with_a_line(session, tmp_path, rel, text, message):
    path = write(tmp_path, rel, text)
    started = time.process_time()
    with pytest.raises(InvalidFile) as info:
        import_content(session, tmp_path, now=NOW)
    assert time.process_time() - started < 5
    problems = [str(p) for p in info.value.problems]
    assert any(p.startswith(f"{path}:") and message in p for p in problems), problems
    assert all(len(p) < 500 for p in problems), problems


QUIZ = """code: q-x
title: "Bài"
purpose: entrance
questions: [nope]
"""

QUIZ_CASES = [
    QUIZ.replace('title: "Bài"', f"title: {BOMB}"),
    QUIZ.replace('title: "Bài"', f"title: {DEEP}"),
    QUIZ + "pass_mark: .nan\n",
    QUIZ.replace("purpose: entrance", "purpose: [entrance]"),
    QUIZ + "grading_method: [highest]\n",
    QUIZ + "navigation: {a: 1}\n",
    QUIZ.replace("questions: [nope]", "questions: abc"),
    QUIZ.replace("questions: [nope]", "draws: {a: 1}"),
    QUIZ.replace("questions: [nope]", 'draws: [{category: "x", count: 1, points: "many"}]'),
    QUIZ.replace("questions: [nope]", "questions: [{code: nope, points: 1.0e+999}]"),
    QUIZ + "? [a]\n: 1\n",
    QUIZ + "owner_unit: " + "x" * 10_000 + "\n",
]


@pytest.mark.parametrize("text", QUIZ_CASES)
def test_quiz_settings_refuse_hostile_yaml_with_a_line(session, tmp_path, text):
    path = tmp_path / "q.yaml"
    path.write_text(text, "utf-8")
    started = time.process_time()
    item, problems = parse_quiz_file(session, path, "qn")
    assert time.process_time() - started < 5
    assert item is None and problems
    assert all(str(p).startswith(f"{path}:") and len(str(p)) < 500 for p in problems), problems


def test_every_yaml_reader_uses_the_shared_loader():
    """No module loads YAML by itself (yaml.safe_load / yaml.load / yaml.compose)."""
    import pathlib
    import re

    import lms

    root = pathlib.Path(lms.__file__).parent
    direct = re.compile(r"\byaml\.(safe_load|load|compose|full_load|unsafe_load)\(")
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if p.name != "safe_yaml.py" and direct.search(p.read_text("utf-8"))
    ]
    assert offenders == []
    assert safe_yaml.load("a: 1") == {"a": 1}
