import pytest

from lms.quizzes.formats import parse_text
from tests.quizzes.helpers import DATA


def test_aiken_file_gives_single_choice_questions():
    items, problems, _ = parse_text((DATA / "sample.aiken").read_text("utf-8"), "a.aiken", "aiken")
    assert not problems, problems
    assert [i.qtype for i in items] == ["single"] * 3 and len({i.code for i in items}) == 3
    first = items[0]
    assert first.text_html == "Cơ quan nào bầu Chủ tịch Ủy ban nhân dân xã?" and first.category == "Mặc định"
    assert [(c["text"], c["fraction"]) for c in first.data["choices"]] == [
        ("Đảng ủy xã", 0.0), ("Hội đồng nhân dân xã", 1.0), ("Mặt trận Tổ quốc xã", 0.0),
    ]  # fmt: skip
    assert items[1].text_html == "Nhiệm kỳ của Hội đồng nhân dân là<br>bao nhiêu năm? (a &lt; b)"
    again, _, _ = parse_text((DATA / "sample.aiken").read_text("utf-8"), "a.aiken", "aiken")
    assert [i.code for i in again] == [i.code for i in items]  # stable codes


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("Câu?\nA. x\nB. y\n", 1, "thiếu dòng ANSWER"),
        ("Câu?\nA. x\nB. y\nANSWER: C\n", 4, "không phải chữ cái"),
        ("Câu?\nA. x\nANSWER: A\n", 3, "ít nhất 2 phương án"),
        ("A. x\nB. y\nANSWER: A\n", 1, "đứng trước nội dung"),
        ("Câu?\nA. x\nA. y\nANSWER: A\n", 3, "lặp lại"),
        ("Câu?\nA. x\nlạc đề\nB. y\nANSWER: A\n", 3, "sau các phương án"),
        ("ANSWER: A\n", 1, "không thuộc câu hỏi nào"),
        ("Câu một?\nA. x\nB. y\nANSWER: A\n\nCâu hai?\nA. x\nB. y\n\n", 6, "thiếu dòng ANSWER"),
    ],
)
def test_aiken_errors_report_their_line(text, line, message):
    items, problems, _ = parse_text(text, "bad.aiken", "aiken")
    assert problems and problems[0].line == line and message in problems[0].message, problems


def test_cli_imports_aiken(runner, session, tmp_path):
    result = runner.invoke(args=["quizzes", "import", str(DATA / "sample.aiken"), "--dry-run"])
    assert result.exit_code == 0 and result.output.strip().splitlines()[-1] == "3 questions"
    txt = tmp_path / "aiken.txt"
    txt.write_text((DATA / "sample.aiken").read_text("utf-8"), encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import", str(txt), "--format", "aiken"])
    assert result.exit_code == 0 and "3 created" in result.output
