"""Moodle XML: import (every type we have, nested categories, unsupported types reported) and
export, refusing DTDs."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from lms.quizzes import moodle_xml
from lms.quizzes.formats import parse_text
from lms.quizzes.models import Question
from tests.quizzes.helpers import DATA


def read(text, skip=True):
    return parse_text(text, "m.xml", "xml", skip_unsupported=skip)


def test_every_supported_type_and_nested_categories():
    items, problems, skipped = read((DATA / "moodle.xml").read_text("utf-8"))
    assert not problems, problems
    assert not skipped
    assert Counter(i.qtype for i in items) == {
        "single": 2, "multi": 1, "truefalse": 3, "short": 1, "numerical": 1, "matching": 1, "essay": 1,
        "description": 1,
    }  # fmt: skip
    by = {i.code: i for i in items}
    first = by["Bầu Chủ tịch UBND"]
    assert first.category == "Chính quyền cơ sở" and first.points == 2 and first.tags == ("chinh-quyen",)
    assert first.text_html == "<p>Cơ quan nào bầu <b>Chủ tịch UBND xã</b>?</p>"
    assert [c["fraction"] for c in first.data["choices"]] == [1.0, 0.0, 0.0]
    assert first.general_feedback_html == "Luật Tổ chức chính quyền địa phương."
    assert [c["fraction"] for c in by["Chính quyền xã gồm"].data["choices"]] == [0.5, 0.5, -1.0]
    tf = by["HĐND do dân bầu"]
    assert tf.category == "Chính quyền cơ sở/Đúng sai"
    assert tf.data == {
        "answer": True,
        "feedback_true": "Đồng chí trả lời đúng.",
        "feedback_false": "Sai: HĐND do dân bầu.",
    }
    short = by["Thủ đô"]
    assert short.text_html == "Thủ đô của Việt Nam là gì? (a &lt; b)"
    assert [(a["text"], a["fraction"]) for a in short.data["answers"]] == [("Hà Nội", 1.0), ("Ha Noi", 0.5)]
    numerical = by["Năm Luật Đất đai"].data
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in numerical["answers"]] == [
        (2024, 0, 1),
        (2024, 1, 0.5),
    ]
    assert numerical["other"] == {"fraction": 0.0, "feedback": "Xem lại."}
    assert by["Ghép người đứng đầu"].data["pairs"][2] == {"id": "p3", "left": "", "right": "Bí thư"}
    assert by["Tiếp công dân"].data == {"rubric": "Nêu đủ 3 bước"}
    assert len([c for c in by if c.startswith("Trùng tên #")]) == 2


def test_unsupported_types_are_refused_unless_skipped():
    _, problems, _ = read((DATA / "moodle.xml").read_text("utf-8"), skip=False)
    assert not problems
    _, problems, skipped = read(
        '<quiz><question type="ddwtos"><name><text>Kéo</text></name></question></quiz>'
    )
    assert not problems and "kéo thả vào văn bản (ddwtos) chưa được hỗ trợ" in skipped[0].message


@pytest.mark.parametrize(
    "text, line, message",
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<quiz>&x;</quiz>',
            2,
            "DOCTYPE",
        ),
        ('<!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>', 1, "DOCTYPE"),
        ("<quiz>\n<question type='truefalse'>\n</quiz>", 3, "XML không hợp lệ"),
        ("<html></html>", 1, "<quiz>"),
        ("<quiz>\n<question type='multichoice'><questiontext><text>x</text></questiontext>\n"
         "<answer fraction='abc'><text>a</text></answer></question></quiz>", 3, "không phải là số"),
        ("<quiz><question type='numerical'><questiontext><text>x</text></questiontext>\n"
         "<answer fraction='100'><text>hai</text></answer></question></quiz>", 2, "không đọc được số"),
        ("<quiz><question type='multichoice'>\n<questiontext><text>x</text></questiontext>"
         "<answer fraction='50'><text>a</text></answer><answer fraction='0'><text>b</text></answer>"
         "</question></quiz>", 1, "100%"),
    ],
)  # fmt: skip
def test_bad_files_are_reported_at_their_line(text, line, message):
    items, problems, _ = read(text)
    assert problems and problems[0].line == line and message in problems[0].message, problems


def test_cli_imports_xml_and_exports_it_again(runner, session, tmp_path):
    path = str(DATA / "moodle.xml")
    result = runner.invoke(args=["quizzes", "import", path])
    assert result.exit_code == 0, result.output
    assert "11 created" in result.output and result.output.strip().endswith("11 questions")
    assert session.scalar(select(func.count(Question.id))) == 11
    stored = session.scalar(select(Question).where(Question.code == "Bầu Chủ tịch UBND")).latest
    assert "script" not in stored.data_json and "alert" in stored.data_json  # sanitized on save
    out = tmp_path / "out.xml"
    exported = runner.invoke(args=["quizzes", "export", "Chính quyền cơ sở", str(out), "--format", "xml"])
    assert exported.exit_code == 0 and "11 questions" in exported.output
    again = runner.invoke(args=["quizzes", "import", str(out)])
    assert again.exit_code == 0 and "11 unchanged" in again.output, again.output


def test_export_writes_nested_categories():
    text = moodle_xml.export([])
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz')


def test_moodles_own_top_category_is_our_default_category():
    """Moodle exports `$course$/top` first, then `$course$/top/Default for ...`."""
    from lms.quizzes import gift

    def category(path):
        return f'<question type="category"><category><text>{path}</text></category></question>\n'

    def tf(name):
        return (
            f'<question type="truefalse"><name><text>{name}</text></name>'
            f"<questiontext><text>Câu {name}</text></questiontext>"
            "<answer fraction='100'><text>true</text></answer>"
            "<answer fraction='0'><text>false</text></answer></question>\n"
        )

    text = "<quiz>" + category("$course$/top") + tf("a") + category("$course$/top/Default for Lớp 1/Con")
    items, problems, _ = read(text + tf("b") + "</quiz>")
    assert not problems and [i.category for i in items] == ["Mặc định", "Default for Lớp 1/Con"]
    items, problems = gift.parse("$CATEGORY: $course$/top\n\n::a::x{T}")
    assert not problems and items[0].category == "Mặc định"
