from pathlib import Path

import pytest

from lms.scenarios.graph import Graph
from lms.scenarios.validate import validate_file, validate_text

DATA = Path(__file__).parent / "data"
SMALL = (DATA / "small.yaml").read_text("utf-8")


def test_good_file_bounds_respect_conditions():
    checked = validate_file(DATA / "good.yaml")
    assert checked.ok, checked.problems
    assert (checked.min_points, checked.max_points) == (-2, 5)
    assert checked.summary() == "ok: min score -2, max score 5"


def test_bounds_explore_variable_states():
    # Ignoring conditions the best path would be a(1) + c(10) = 11; c needs x == 0.
    text = SMALL.replace(
        '    choices:\n      - label: "A"\n        points: 1\n        next: e1\n'
        '      - label: "B"\n        points: 0\n        next: e1\n',
        "    choices:\n      - {label: A, points: 1, set: {v: 1}, next: d2}\n"
        "      - {label: B, points: 0, next: d2}\n"
        "  - id: d2\n    kind: decision\n    title: D2\n    choices:\n"
        '      - {label: C, points: 10, when: "v == 0", next: e1}\n'
        "      - {label: D, points: 0, next: e1}\n",
    )
    checked = validate_text(text, "x.yaml")
    assert checked.ok, checked.problems
    assert checked.max_points == 10
    assert checked.min_points == 0


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


BROKEN = [
    ("missing-start", SMALL.replace("start: s1", "start: zz"), 8, "nút bắt đầu 'zz' không tồn tại"),
    ("duplicate-id", SMALL.replace("  - id: e1", "  - id: d1"), 25, "id nút 'd1' bị lặp"),
    (
        "undefined-target",
        SMALL.replace('        next: e1\n      - label: "B"', '        next: nowhere\n      - label: "B"'),
        21,
        "next 'nowhere' không phải id của nút nào",
    ),
    (
        "one-choice",
        SMALL.replace('      - label: "B"\n        points: 0\n        next: e1\n', ""),
        18,
        "từ 2 đến 6 lựa chọn",
    ),
    (
        "seven-choices",
        SMALL.replace(
            '      - label: "B"\n', "      - {label: x, points: 0, next: e1}\n" * 5 + '      - label: "B"\n'
        ),
        18,
        "từ 2 đến 6 lựa chọn",
    ),
    (
        "undefined-variable-set",
        SMALL.replace("        points: 1\n", "        points: 1\n        set: {w: 1}\n"),
        21,
        "biến 'w' chưa được khai báo",
    ),
    (
        "undefined-variable-when",
        SMALL.replace("        points: 1\n", '        points: 1\n        when: "w > 1"\n'),
        21,
        "biến 'w' chưa được khai báo",
    ),
    (
        "bad-condition",
        SMALL.replace("        points: 1\n", '        points: 1\n        when: "v ~ 1"\n'),
        21,
        "phải có dạng 'biến phép_so_sánh số_nguyên'",
    ),
    (
        "unreachable",
        SMALL + "  - id: lost\n    kind: ending\n    title: L\n    outcome: O\n    commentary: C\n",
        30,
        "không đi tới được từ nút bắt đầu",
    ),
    (
        "vòng lặp",
        SMALL.replace("    next: d1\n", "    next: d1\n", 1).replace(
            "        points: 0\n        next: e1", "        points: 0\n        next: s1"
        ),
        15,
        "vòng lặp",
    ),
    (
        "dead-end",
        SMALL.replace("        points: 1\n", '        points: 1\n        when: "v > 5"\n').replace(
            "        points: 0\n        next: e1",
            '        points: 0\n        when: "v > 5"\n        next: e1',
        ),
        15,
        "ngõ cụt",
    ),
    (
        "never-reachable",
        SMALL.replace(
            "        points: 1\n        next: e1",
            '        points: 1\n        when: "v > 5"\n        next: e2',
        )
        + "  - id: e2\n    kind: ending\n    title: L\n    outcome: O\n    commentary: C\n",
        31,
        "không bao giờ tới được",
    ),
    ("syntax", SMALL.replace('title: "S"', 'title: "S'), 13, "lỗi cú pháp YAML"),
    (
        "duplicate-key",
        SMALL.replace('    title: "E"', '    title: "E"\n    title: "F"'),
        28,
        "khóa 'title' bị lặp",
    ),
    (
        "unknown-key",
        SMALL.replace('    title: "D"', '    title: "D"\n    choises: []'),
        18,
        "khóa 'choises' không có trong định dạng",
    ),
    ("missing-key", SMALL.replace('    outcome: "O"\n', ""), 25, "thiếu khóa bắt buộc 'outcome'"),
    ("ending-score-range", SMALL + "    score: 12\n", 30, "'score' phải từ 0 đến 10"),
    ("bad-field", SMALL.replace("field: ky-nang", "field: vo-van"), 3, "không có mã lĩnh vực"),
    ("no-points", SMALL.replace("points: 1", "points: 0"), 9, "không được điểm nào"),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_rule_reports_path_and_line(tmp_path, name, text, line, message):
    path = _write(tmp_path, f"{name}.yaml", text)
    checked = validate_file(path)
    assert not checked.ok
    rendered = [str(p) for p in checked.problems]
    assert any(r.startswith(f"{path}:{line}:") and message in r for r in rendered), rendered


def test_cli_validate_success_and_failure(runner, tmp_path):
    result = runner.invoke(args=["scenarios", "validate", str(DATA / "good.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "ok: min score -2, max score 5"
    bad = _write(tmp_path, "bad.yaml", SMALL.replace("start: s1", "start: zz"))
    result = runner.invoke(args=["scenarios", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:8: nút bắt đầu 'zz' không tồn tại" in result.output


def test_cli_validate_missing_file(runner, tmp_path):
    result = runner.invoke(args=["scenarios", "validate", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "none.yaml:0: không tìm thấy tệp" in result.output


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "code: [\n", "\x00"])
def test_garbage_never_crashes(text):
    checked = validate_text(text, "g.yaml")
    assert not checked.ok


def test_graph_available_choices():
    checked = validate_file(DATA / "good.yaml")
    graph = Graph(checked.document)
    assert [i for i, _ in graph.available("d2", {"trust": 1})] == [0, 1]
    assert [i for i, _ in graph.available("d2", {"trust": -1})] == [1, 2]


def test_messages_follow_the_language_of_the_request(app):
    """The browser editor shows the validator's messages in the person's language; the CLI (no
    request) keeps the Vietnamese source."""
    from flask_babel import force_locale

    unknown_key = SMALL.replace('    title: "D"', '    title: "D"\n    choises: []')
    no_start = SMALL.replace("start: s1", "start: zz")
    cases = [
        (unknown_key, "nút d1: khóa 'choises' không có trong định dạng", "node d1: unknown key 'choises'"),
        (no_start, "nút bắt đầu 'zz' không tồn tại", "start node 'zz' does not exist"),
    ]
    for text, vietnamese, english in cases:
        assert [p.message for p in validate_text(text).problems] == [vietnamese]
        with app.test_request_context():
            assert [p.message for p in validate_text(text).problems] == [vietnamese]
            with force_locale("en"):
                assert [p.message for p in validate_text(text).problems] == [english]
    with app.test_request_context(), force_locale("en"):
        assert str(validate_file(DATA / "none.yaml").problems[0]).endswith(":0: file not found")
