"""GIFT read the way Moodle reads it: a file written like Moodle's own examples imports whole."""

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.quizzes import gift
from lms.quizzes.models import Question
from lms.quizzes.qtypes import get_type
from tests.quizzes.helpers import DATA

CONTENT = Path(__file__).parents[2] / "content" / "quizzes"


def parse_ok(text):
    items, problems = gift.parse(text, "t.gift")
    assert not problems, problems
    return items


def test_moodle_style_file_imports_with_moodles_counts():
    items = parse_ok((DATA / "moodle_style.gift").read_text("utf-8"))
    assert len(items) == 36  # Moodle: "Importing 36 questions from file"
    assert Counter(i.qtype for i in items) == {
        "single": 10, "short": 7, "numerical": 7, "truefalse": 6, "matching": 2, "multi": 2, "essay": 2,
    }  # fmt: skip
    assert Counter(i.category for i in items) == {
        "Mặc định": 30, "Chính quyền/Tự luận": 3, "Chính quyền/Trả lời ngắn": 3,
    }  # fmt: skip
    assert len({i.code for i in items}) == 36
    by_code = {i.code: i for i in items}
    # a title used once is the code; repeated titles and untitled questions get generated codes
    assert by_code["Số có điểm một phần"].data["answers"] == [
        {"value": 2.0, "tolerance": 0.0, "fraction": 1.0, "feedback": ""},
        {"value": 2.0, "tolerance": 1.0, "fraction": 0.5, "feedback": ""},
    ]
    catch_all = by_code["Khoảng 1 đến 5"].data
    assert catch_all["answers"][0]["value"] == 3 and catch_all["other"] == {
        "fraction": 0.0,
        "feedback": "Sai hoàn toàn",
    }
    assert sorted(c for c in by_code if c.startswith("Quê Bác Hồ #")) and "Quê Bác Hồ" not in by_code
    assert len([c for c in by_code if c.startswith("2-08 TSL #")]) == 2
    control = by_code["Ký tự điều khiển GIFT"].data["choices"]
    assert [c["text"] for c in control] == ["~", "=", "#", "{", "}", "\\"]
    assert control[5]["fraction"] == 1 and control[5]["feedback"].startswith("Đúng! \\ (gạch chéo ngược)")
    five = next(i for i in items if i.text_html == "Đáp án nào bằng 5?")
    assert [c["text"] for c in five.data["choices"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    pi = [i for i in items if i.text_html.startswith("Số pi")]
    assert pi[0].text_html == "Số pi (3 chữ số thập phân) là? _____."  # text after } is a blank
    assert pi[1].data["answers"][0]["value"] == pytest.approx(3.1415)
    tf = by_code["Đúng sai có phản hồi"]
    assert tf.data == {
        "answer": True,
        "feedback_true": "Đồng chí trả lời đúng.",
        "feedback_false": "Sai: HĐND do dân bầu.",
    }
    assert tf.general_feedback_html == "Điều 113 Hiến pháp 2013."
    essay = [i for i in items if i.qtype == "essay"]
    assert (
        essay[0].data == {"rubric": "nêu đủ 3 bước"}
        and essay[1].general_feedback_html == "Xem Luật Tiếp công dân."
    )
    short = by_code["Trả lời ngắn"].data["answers"]
    assert [(a["text"], a["fraction"]) for a in short] == [("Gà", 1.0), ("Vịt", 0.5), ("*", 0.0)]
    markdown = next(i for i in items if "<strong>" in i.text_html)
    assert markdown.text_html == "<p>Ai đứng đầu <strong>UBND xã</strong>?</p>"


def test_generated_codes_are_stable_and_keyed_by_category_title_and_text():
    text = "Câu không tên?{=a ~b}\n\n::Trùng::Câu một{T}\n\n::Trùng::Câu hai{F}\n"
    first = [i.code for i in parse_ok(text)]
    assert first == [i.code for i in parse_ok(text)]
    assert first[0].startswith("Câu không tên? #") and first[1].startswith("Trùng #") and first[1] != first[2]
    # adding a question elsewhere does not change the others' codes
    assert [i.code for i in parse_ok("::Khác::x{T}\n\n" + text)][1:] == first
    moved = [i.code for i in parse_ok("$CATEGORY: Nhóm khác\n\n" + text)]
    assert moved[0] != first[0]  # another category is another question


def test_numerical_catch_all_and_short_answer_wildcard_grade_as_moodle():
    (numerical,) = parse_ok("::n::Từ 1 đến 5?{#3:2 =%50%10:1 ~#Sai hoàn toàn}")
    q = get_type(numerical.qtype, numerical.data)
    assert (
        q.grade({"value": "4"}) == 1 and q.grade({"value": "10,5"}) == 0.5 and q.grade({"value": "99"}) == 0
    )
    assert q.feedback({"value": "99"}) == "Sai hoàn toàn" and q.feedback({"value": "abc"}) == ""
    (short,) = parse_ok("::s::Con gì?{=Gà =%50%con *#gần đúng =%0%*#Chưa đúng}")
    s = get_type(short.qtype, short.data)
    assert s.grade({"value": "gà"}) == 1 and s.grade({"value": "Con vịt"}) == 0.5
    assert s.feedback({"value": "bò"}) == "Chưa đúng"
    (literal,) = parse_ok("::l::Ký hiệu?{=a\\*b}")
    lit = get_type(literal.qtype, literal.data)
    assert lit.grade({"value": "a*b"}) == 1 and lit.grade({"value": "axxb"}) == 0


def test_unknown_format_marker_is_text_and_other_backslashes_stay():
    (item,) = parse_ok("[Luật 2024] Điều \\d mấy?{=5}")
    assert item.text_html == "[Luật 2024] Điều \\d mấy?" and item.qtype == "short"
    (first_answer,) = parse_ok("Câu{x =y}")  # Moodle: text before the first = is an answer too
    assert [a["text"] for a in first_answer.data["answers"]] == ["x", "y"]


def test_missing_brace_is_reported_and_does_not_swallow_the_next_question():
    text = "::a::Câu một{\n=x\n~y\n\n::b::Câu hai{=z ~w}\n"
    items, problems = gift.parse(text, "bad.gift")
    assert [str(p) for p in problems] == ["bad.gift:1: khối đáp án chưa đóng: thiếu }"]
    assert [i.code for i in items] == ["b"]  # the next question stays whole (the caller imports nothing)


def test_an_item_without_answer_braces_is_a_description():
    text = "// [tag:gioi-thieu]\n::mo-ta::Phần này giới thiệu <b>các câu</b> sau.\n\n::c::Câu{T}"
    items, problems = gift.parse(text, "d.gift")
    assert not problems
    assert [(i.code, i.qtype) for i in items] == [("mo-ta", "description"), ("c", "truefalse")]
    description = items[0]
    assert description.text_html == "Phần này giới thiệu <b>các câu</b> sau."
    assert description.data == {} and description.points == 0 and description.tags == ("gioi-thieu",)
    (untitled,) = parse_ok("Chỉ là một đoạn văn.")
    assert untitled.qtype == "description" and "#" in untitled.code


def test_every_content_file_keeps_its_codes():
    for path in sorted(CONTENT.glob("*.gift")):
        text = path.read_text("utf-8")
        items = parse_ok(text)
        titles = [line.split("::")[1] for line in text.splitlines() if line.startswith("::")]
        assert [i.code for i in items] == [gift.unescape(t).strip() for t in titles], path


def test_moodle_style_file_imports_idempotently(runner, session):
    path = str(DATA / "moodle_style.gift")
    first = runner.invoke(args=["quizzes", "import-gift", path])
    assert first.exit_code == 0, first.output
    assert "36 created" in first.output and first.output.strip().endswith("36 questions")
    again = runner.invoke(args=["quizzes", "import-gift", path])
    assert "36 unchanged" in again.output
    assert session.scalar(select(func.count(Question.id))) == 36


def test_broken_file_imports_nothing(runner, session, tmp_path):
    bad = tmp_path / "bad.gift"
    bad.write_text("Câu tốt{T}\n\n::a::Câu một{\n=x\n~y\n\n::b::Câu{~%abc%x =y}\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: khối đáp án chưa đóng" in result.output
    assert f"{bad}:7: trọng số %abc% không hợp lệ" in result.output
    assert session.scalar(select(func.count(Question.id))) == 0
