import pytest

from lms.quizzes import gift
from tests.quizzes.helpers import DATA


def parse_ok(text):
    items, problems = gift.parse(text, "t.gift")
    assert not problems, problems
    return {item.code: item for item in items}


def test_sample_parses_every_type():
    items = parse_ok((DATA / "sample.gift").read_text("utf-8"))
    types = {code: item.qtype for code, item in items.items()}
    assert types == {
        "kt-1": "single",
        "kt-2": "multi",
        "kt-3": "truefalse",
        "dd-1": "short",
        "dd-2": "numerical",
        "dd-3": "matching",
        "dd-4": "essay",
        "dd-5": "short",
        "dd-6": "single",
    }
    kt1 = items["kt-1"]
    assert kt1.category == "Xây dựng Đảng/Kiểm tra giám sát"
    assert kt1.tags == ("dang-vien",)
    assert kt1.data["choices"][0] == {
        "id": "c1",
        "text": "Ủy ban Kiểm tra Đảng ủy xã",
        "fraction": 1.0,
        "feedback": "Đúng theo Điều lệ Đảng.",
    }
    assert kt1.general_feedback_html == "Xem Điều lệ Đảng, Chương VII."
    assert [c["fraction"] for c in items["kt-2"].data["choices"]] == [0.5, 0.5, -1.0]
    assert items["kt-3"].data == {
        "answer": False,
        "feedback_true": "Sai rồi: do cấp ủy bầu.",
        "feedback_false": "Đúng.",
    }
    assert items["dd-1"].category == "Địa danh" and items["dd-1"].data["ignore_diacritics"] is True
    assert items["dd-2"].data["answers"][0]["value"] == 5
    assert "<strong>đơn vị</strong>" in items["dd-3"].text_html
    assert items["dd-3"].data["pairs"][2] == {"id": "p3", "left": "", "right": "cấp huyện (đã bỏ)"}
    assert items["dd-4"].data["rubric"].startswith("4 điểm")
    # \% is not a GIFT escape: Moodle keeps the backslash, and so do we
    assert items["dd-5"].text_html == "Ký tự đặc biệt: 50\\% {giữa} a=b c~d e#f g: h"
    assert items["dd-5"].data["answers"][0]["text"] == "đúng: có {ngoặc}"
    assert items["dd-6"].text_html == "Hội nghị được tổ chức vào _____ hằng năm."


def test_multiline_comments_and_numeric_forms():
    items = parse_ok(
        "::n1:: Bao nhiêu?\n// chú thích giữa câu\n{#\n =%100%10:1 #gần đúng\n =%50%8..12\n}\n\n"
        "::n2::Khoảng {#1..3}\n\n::n3::Đáp số{#2,5}"
    )
    n1 = items["n1"].data["answers"]
    assert n1[0] == {"value": 10.0, "tolerance": 1.0, "fraction": 1.0, "feedback": "gần đúng"}
    assert n1[1]["value"] == 10 and n1[1]["tolerance"] == 2 and n1[1]["fraction"] == 0.5
    assert items["n2"].data["answers"][0]["value"] == 2
    assert items["n3"].data["answers"][0]["value"] == 2.5


def test_multi_without_weights_on_wrong_choices_gets_default_penalty():
    items = parse_ok("::m::Chọn{~%50%a ~%50%b ~c ~d}")
    assert [round(c["fraction"], 3) for c in items["m"].data["choices"]] == [0.5, 0.5, -0.5, -0.5]


def test_html_is_sanitized_on_save_and_plain_is_escaped():
    items = parse_ok("::p::[plain]a <b> & c{T}")
    assert items["p"].text_html == "a &lt;b&gt; &amp; c"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("::a::Câu {=x ~y", 1, "chưa đóng"),
        ("\n\n::a::Câu\n{=x\n~y\n", 4, "chưa đóng"),
        # a question missing its } before the next one (no blank line between): refused at its {
        ("::a::Câu một{\n=x\n~y\n::b::Câu hai{=z ~w}", 1, "thiếu } trước dấu { ở dòng 4"),
        ("::a::Câu } lạ {=x ~y}", 1, "không có dấu {"),
        ("::a::Câu{~x ~y}", 1, "phương án đúng"),
        ("::a::Câu{#abc}", 1, "không đọc được số"),
        ("::a::Câu{#\n=2:0\n=%50%2:x\n}", 3, "không đọc được số"),
        ("::a::Câu{#}", 1, "không có đáp số"),
        ("::a::Câu{=%150%x ~y}", 1, "trọng số"),
        ("::a::Câu{\n=x\n~%5O%y\n}", 3, "trọng số %5O% không hợp lệ"),
        ("::a::Câu{=x -> 1 =y}", 1, "ghép đôi"),
        ("::a::Câu{=x -> 1}", 1, "ít nhất 2 cặp"),
        ("::a::Câu{~%30%x ~%30%y}", 1, "100%"),
        ("::a::Câu{=x}{=y}", 1, "một khối"),
        ("::a::Câu{~x}", 1, "ít nhất 2 phương án"),
        ("::a::Câu{\n=x\n=\n}", 3, "bị trống"),
        ("::a:Câu{=x}", 1, "chưa đóng"),
    ],
)
def test_errors_report_file_and_line(text, line, message):
    items, problems = gift.parse(text, "bad.gift")
    assert problems, items
    assert problems[0].path == "bad.gift" and problems[0].line == line, problems
    assert message in problems[0].message, problems
    assert str(problems[0]).startswith(f"bad.gift:{line}: ")


def test_export_round_trips(session):
    from tests.quizzes.helpers import load_sample

    questions = load_sample(session)
    text = gift.export(questions.values())
    again = parse_ok(text)
    first = parse_ok((DATA / "sample.gift").read_text("utf-8"))
    assert set(again) == set(first)
    for code, item in again.items():
        stored = questions[code].latest
        assert item.qtype == stored.qtype, code
        assert item.text_html == stored.text_html, code
        assert item.title == stored.title, code
        assert item.general_feedback_html == stored.general_feedback_html, code
        assert item.data == stored.data, code
        assert item.category == questions[code].category.path
        assert set(item.tags) == set(questions[code].tag_list)
    # and a second export is byte-identical (stable)
    from lms.quizzes.services import QuestionInput  # noqa: F401

    assert gift.export(questions.values()) == text
