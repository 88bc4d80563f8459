"""The importers never crash on hostile files: every failure is a FileProblem naming the file and
a line inside it (hypothesis generates the files, mixing real syntax with noise)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.errors import InvalidFile
from lms.programs.content_files import parse_program, parse_topic
from lms.quizzes import gift
from lms.scenarios.validate import validate_text

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
GIFT_PIECES = st.lists(
    st.sampled_from(
        [
            "::q1::",
            "::",
            "{",
            "}",
            "=",
            "~",
            "#",
            "####",
            "%50%",
            "%-100%",
            "->",
            "\\:",
            "\\{",
            "\\=",
            "$CATEGORY: A/B",
            "// chú thích",
            "[html]",
            "[markdown]",
            "{T}",
            "{F}",
            "{#1..2}",
            "{#3:0.5}",
            "Câu hỏi có dấu tiếng Việt",
            "\n",
            "\n\n",
            " ",
            "\x00",
            "{=a -> b =c -> d}",
            "{}",
        ]
    )
    | TEXT,
    max_size=40,
).map("".join)
YAML_PIECES = st.lists(
    st.sampled_from(
        [
            "code: x\n",
            "title: Tiêu đề\n",
            "nodes:\n",
            "  - id: s1\n",
            "    kind: situation\n",
            "    next: e1\n",
            "start: s1\n",
            "kind: common\n",
            "hours: 8\n",
            "hours: -1\n",
            "field: tu-phap\n",
            "topics: [a, b]\n",
            "---\n",
            "- ",
            ": ",
            "&a [*a]\n",
            "!!python/object:os.system\n",
            "{",
            "[",
            "'",
            '"',
            "\t",
            "\x00",
            "  ",
            "\n",
        ]
    )
    | TEXT,
    max_size=40,
).map("".join)
LOCATION = re.compile(r"^f\.[a-z]+:\d+: ")


def _lines(text: str) -> int:
    return text.count("\n") + 1


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(GIFT_PIECES)
def test_gift_parser_reports_file_and_line(text):
    _items, problems = gift.parse(text, "f.gift")
    for problem in problems:
        assert LOCATION.match(str(problem)), str(problem)
        assert 0 <= problem.line <= _lines(text) + 1


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(YAML_PIECES)
def test_scenario_validator_reports_file_and_line(text):
    checked = validate_text(text, "f.yaml")
    for problem in checked.problems:
        assert LOCATION.match(str(problem)), str(problem)


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(YAML_PIECES, st.booleans())
def test_topic_and_program_parsers_report_file_and_line(text, as_topic):
    problems = []
    try:
        if as_topic:
            parse_topic("f.md", text, problems)
        else:
            parse_program("f.yaml", text, problems)
    except InvalidFile as exc:  # allowed: the same problems, raised
        problems = exc.problems
    for problem in problems:
        assert re.match(r"^f\.(md|yaml):\d+: ", str(problem)), str(problem)


CSV_PIECES = st.lists(
    st.sampled_from(
        [
            "username,full_name,role,unit\n",
            "username;full_name;role;unit;birth_year;gender\n",
            ",",
            ";",
            '"',
            '""',
            "\n",
            "\r\n",
            "x1",
            "Nguyễn Văn A",
            "learner",
            "admin",
            "qn",
            "1980",
            "nam",
            "nữ",
            "\ufeff",
            "\x00",
            "=cmd|' /C calc'!A0",
            "9" * 50,
        ]
    )
    | TEXT,
    max_size=30,
).map("".join)


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=CSV_PIECES)
def test_csv_import_reports_file_and_line(session, raw):
    from lms.org.csv_import import import_accounts

    nested = session.begin_nested()
    try:
        import_accounts(session, raw.encode("utf-8"), "f.csv", actor=None)
    except InvalidFile as exc:
        for problem in exc.problems:
            assert re.match(r"^f\.csv:\d+: ", str(problem)), str(problem)
    finally:
        nested.rollback()


XML_PIECES = st.lists(
    st.sampled_from(
        [
            "<quiz>", "</quiz>", '<question type="multichoice">', '<question type="truefalse">',
            '<question type="category">', '<question type="numerical">', "</question>",
            "<answer fraction='100'>",
            "<answer fraction='x'>", "</answer>", "<text>", "</text>", "<![CDATA[<b>", "]]>", "*", "1,5",
            "<!DOCTYPE q [<!ENTITY a 'b'>]>", "&a;", "&amp;", "\n", "<questiontext>", "</questiontext>",
        ]
    )
    | TEXT,
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(XML_PIECES)
def test_moodle_xml_reader_reports_file_and_line(text):
    from lms.quizzes.formats import parse_text

    _items, problems, skipped = parse_text(text, "f.xml", "xml")
    for problem in problems + skipped:
        assert LOCATION.match(str(problem)), str(problem)
        assert 0 <= problem.line <= _lines(text) + 1


AIKEN_PIECES = st.lists(
    st.sampled_from(["Câu?", "A. x", "B) y", "ANSWER: A", "ANSWER: Z", "\n", "\n\n"]) | TEXT, max_size=30
).map("".join)


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(AIKEN_PIECES)
def test_aiken_reader_reports_file_and_line(text):
    from lms.quizzes.formats import parse_text

    _items, problems, _ = parse_text(text, "f.aiken", "aiken")
    for problem in problems:
        assert LOCATION.match(str(problem)), str(problem)
        assert 0 <= problem.line <= _lines(text) + 1
