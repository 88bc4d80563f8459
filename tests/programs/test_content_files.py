"""Importing programs and topics from files: validation with path:line, idempotence,
versioning of changed published topics, export round trip, and the CLI."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from lms.audit import AuditEntry
from lms.errors import InvalidFile
from lms.programs.content_files import export_content, import_content, split_front_matter
from lms.programs.models import Program, Topic, TopicVersion, VersionStatus

DATA = Path(__file__).parent / "data" / "content"
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)

TOPIC = """---
code: {code}
title: "Chuyên đề"
kind: common
field: tu-phap
hours: 2
---
Nội dung.
"""

PROGRAM = """code: p-x
title: "Chương trình"
target_groups: [ubnd]
titles: [chu-tich-ubnd]
duration_days: 5
topics: [t-a]
evaluation: {weights: {assessment: 1}}
"""


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DATA, target)
    return target


def write(root: Path, rel: str, text: str) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return str(path)


def problems_of(session, root: Path) -> list[str]:
    with pytest.raises(InvalidFile) as info:
        import_content(session, root, now=NOW)
    return [str(p) for p in info.value.problems]


# --- good files -------------------------------------------------------------------------------


def test_import_creates_published_topics_and_programs(session, tmp_path):
    root = copy_content(tmp_path)
    summary = import_content(session, root, now=NOW)
    assert (
        summary.line()
        == "programs: 1 created, 0 updated, 0 unchanged; topics: 2 created, 0 updated, 0 unchanged"
    )
    program = session.scalar(select(Program).where(Program.code == "p-ubnd"))
    assert [t.code for t in program.topics] == ["t-chung-1", "t-ubnd-1"]
    assert {g.code for g in program.target_groups} == {"ubnd"}
    assert {t.code for t in program.titles} == {"chu-tich-ubnd", "pho-chu-tich-ubnd"}
    assert program.evaluation_scheme["weights"]["exit"] == 0.5
    assert program.goal_attitude == "Tư tưởng"
    topic = session.scalar(select(Topic).where(Topic.code == "t-chung-1"))
    version = topic.published
    assert version.version == 1 and version.status is VersionStatus.published
    assert [(lesson.title, lesson.anchor) for lesson in version.lessons] == [
        ("Phần một", "phan-1"),
        ("Phần hai", "phan-2"),
    ]
    assert 'id="phan-1"' in version.body_html
    assert "<script>" not in version.body_html and "<strong>nội dung</strong>" in version.body_html
    assert version.target_group_codes == ["ubnd", "hdnd"]
    assert version.as_of == dt.date(2026, 11, 1)


def test_import_twice_changes_nothing(session, tmp_path):
    root = copy_content(tmp_path)
    import_content(session, root, now=NOW)
    audits = session.scalar(select(func.count(AuditEntry.id)))
    summary = import_content(session, root, now=NOW)
    assert (
        summary.line()
        == "programs: 0 created, 0 updated, 1 unchanged; topics: 0 created, 0 updated, 2 unchanged"
    )
    assert session.scalar(select(func.count(TopicVersion.id))) == 2
    assert session.scalar(select(func.count(AuditEntry.id))) == audits


def test_dry_run_writes_nothing(session, tmp_path):
    root = copy_content(tmp_path)
    summary = import_content(session, root, dry_run=True, now=NOW)
    assert ("topic", "t-chung-1", "create") in summary.changes
    assert ("program", "p-ubnd", "create") in summary.changes
    assert session.scalar(select(func.count(Topic.id))) == 0
    assert session.scalar(select(func.count(Program.id))) == 0


def test_changed_published_topic_becomes_new_published_version(session, tmp_path):
    root = copy_content(tmp_path)
    import_content(session, root, now=NOW)
    path = root / "topics" / "t-ubnd-1.md"
    path.write_text(
        path.read_text("utf-8").replace("Nội dung chuyên đề", "Nội dung mới của chuyên đề"), "utf-8"
    )
    summary = import_content(session, root, now=NOW)
    assert ("topic", "t-ubnd-1", "update") in summary.changes
    assert ("topic", "t-chung-1", "unchanged") in summary.changes
    topic = session.scalar(select(Topic).where(Topic.code == "t-ubnd-1"))
    assert [(v.version, v.status) for v in topic.versions] == [
        (1, VersionStatus.archived),
        (2, VersionStatus.published),
    ]
    assert "Nội dung mới" in topic.published.body
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "topic.import_publish", AuditEntry.object_id == str(topic.published.id)
        )
    )
    assert entry is not None and entry.after_data["version"] == 2
    # and the program still points at the topic (identity), now showing version 2
    program = session.scalar(select(Program).where(Program.code == "p-ubnd"))
    assert program.topics[1].published.version == 2


def test_changed_program_is_updated(session, tmp_path):
    root = copy_content(tmp_path)
    import_content(session, root, now=NOW)
    path = root / "programs" / "p-ubnd.yaml"
    path.write_text(
        path.read_text("utf-8").replace("[t-chung-1, t-ubnd-1]", "[t-ubnd-1, t-chung-1]"), "utf-8"
    )
    summary = import_content(session, root, now=NOW)
    assert ("program", "p-ubnd", "update") in summary.changes
    program = session.scalar(select(Program).where(Program.code == "p-ubnd"))
    assert [t.code for t in program.topics] == ["t-ubnd-1", "t-chung-1"]


def _front_and_body(text: str) -> tuple[dict, str]:
    front, body, _ = split_front_matter(text)
    return yaml.safe_load(front), body


def test_round_trip_export_equals_originals(session, tmp_path):
    root = copy_content(tmp_path)
    import_content(session, root, now=NOW)
    out = tmp_path / "exported"
    assert export_content(session, out) == (1, 2)
    for folder in ("quizzes", "scenarios"):  # not programs' to export; the import checks them
        shutil.copytree(root / folder, out / folder)
    summary = import_content(session, out, now=NOW)
    assert all(action == "unchanged" for _kind, _code, action in summary.changes), summary.changes
    for name in ("t-chung-1.md", "t-ubnd-1.md"):
        original = _front_and_body((DATA / "topics" / name).read_text("utf-8"))
        exported = _front_and_body((out / "topics" / name).read_text("utf-8"))
        assert exported == original
    original = yaml.safe_load((DATA / "programs" / "p-ubnd.yaml").read_text("utf-8"))
    exported = yaml.safe_load((out / "programs" / "p-ubnd.yaml").read_text("utf-8"))
    assert exported == original


# --- bad files: each problem with its exact path:line -----------------------------------------


def test_topic_without_front_matter(session, tmp_path):
    path = write(tmp_path, "topics/a.md", "# Tiêu đề\nNội dung\n")
    assert problems_of(session, tmp_path) == [
        f"{path}:1: thiếu phần đầu (front matter): tệp phải bắt đầu bằng một dòng '---'"
    ]


def test_topic_front_matter_not_closed(session, tmp_path):
    path = write(tmp_path, "topics/a.md", "---\ncode: a\ntitle: x\n")
    assert problems_of(session, tmp_path) == [
        f"{path}:1: phần đầu (front matter) chưa được đóng bằng một dòng '---'"
    ]


def test_topic_unknown_key(session, tmp_path):
    path = write(
        tmp_path, "topics/a.md", TOPIC.format(code="t-a").replace("hours: 2\n", "hours: 2\nauthor: x\n")
    )
    [problem] = problems_of(session, tmp_path)
    assert problem.startswith(f"{path}:7: khóa không hợp lệ 'author'")


def test_topic_missing_field(session, tmp_path):
    path = write(tmp_path, "topics/a.md", TOPIC.format(code="t-a").replace("hours: 2\n", ""))
    assert problems_of(session, tmp_path) == [f"{path}:2: thiếu trường bắt buộc 'hours'"]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("hours: 2", "hours: hai", 6, "'hours' phải là số dương"),
        ("hours: 2", "hours: -1", 6, "'hours' phải là số dương"),
        ("kind: common", "kind: chung", 4, "'kind' phải là common hoặc group"),
        ("field: tu-phap", "field: luat", 5, "lĩnh vực không có trong danh mục: 'luat'"),
        ('title: "Chuyên đề"', "title: [a, b]", 3, "'title' phải là một chuỗi ký tự không rỗng"),
        ("hours: 2", "hours: 2\nas_of: hôm qua", 7, "'as_of' phải là ngày dạng YYYY-MM-DD"),
        (
            "hours: 2",
            "hours: 2\nlegal_basis: Luật",
            7,
            "có căn cứ pháp lý thì phải ghi 'as_of' (ngày cập nhật)",
        ),
        (
            "hours: 2",
            "hours: 2\ntarget_groups: [ubnd, khong-co]",
            7,
            "nhóm đối tượng không tồn tại: 'khong-co'",
        ),
        ("code: t-a", "code: T A", 2, "'code' phải là mã gồm chữ thường không dấu"),
    ],
)
def test_topic_wrong_values(session, tmp_path, old, new, line, message):
    path = write(tmp_path, "topics/a.md", TOPIC.format(code="t-a").replace(old, new))
    [problem] = problems_of(session, tmp_path)
    assert problem.startswith(f"{path}:{line}: {message}")


def test_topic_yaml_syntax_error(session, tmp_path):
    path = write(tmp_path, "topics/a.md", TOPIC.format(code="t-a").replace("kind: common", "kind: [common"))
    [problem] = problems_of(session, tmp_path)
    assert problem.startswith(f"{path}:5: YAML không hợp lệ")


def test_topic_lesson_anchor_missing_from_body(session, tmp_path):
    text = TOPIC.format(code="t-a").replace(
        "hours: 2", "hours: 2\nlessons:\n  - title: Phần 1\n    anchor: phan-9"
    )
    path = write(tmp_path, "topics/a.md", text)
    [problem] = problems_of(session, tmp_path)
    assert problem.startswith(f"{path}:9: không có tiêu đề nào mang id 'phan-9'")


def test_duplicate_topic_codes(session, tmp_path):
    first = write(tmp_path, "topics/a.md", TOPIC.format(code="t-a"))
    second = write(tmp_path, "topics/b.md", TOPIC.format(code="t-a"))
    assert problems_of(session, tmp_path) == [f"{second}:2: mã chuyên đề 't-a' trùng với {first}"]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("duration_days: 5", "duration_days: năm", 5, "'duration_days' phải là số nguyên dương"),
        ("duration_days: 5", "duration_days: 2.5", 5, "'duration_days' phải là số nguyên dương"),
        ("topics: [t-a]", "topics: [t-a, t-khong-co]", 6, "chuyên đề không tồn tại: 't-khong-co'"),
        ("titles: [chu-tich-ubnd]", "titles: [chu-tich-ubnd, vua]", 4, "chức danh không tồn tại: 'vua'"),
        (
            "target_groups: [ubnd]",
            "target_groups:\n  - ubnd\n  - nong-dan",
            5,
            "nhóm đối tượng không tồn tại: 'nong-dan'",
        ),
        ("duration_days: 5", "duration_days: 5\nowner: x", 6, "khóa không hợp lệ 'owner'"),
        ("topics: [t-a]", "topics: t-a", 6, "'topics' phải là một danh sách mã"),
        (
            "evaluation: {weights: {assessment: 1}}",
            "evaluation: {pass_mark: 12, weights: {assessment: 1}}",
            7,
            "'pass_mark' phải là số từ 0 đến 10",
        ),
        ("topics: [t-a]", "topics: [t-a]\ngoals: {knowledge: x, wisdom: y}", 7, "khóa không hợp lệ 'wisdom'"),
    ],
)
def test_program_wrong_values(session, tmp_path, old, new, line, message):
    write(tmp_path, "topics/a.md", TOPIC.format(code="t-a"))
    path = write(tmp_path, "programs/p.yaml", PROGRAM.replace(old, new))
    [problem] = problems_of(session, tmp_path)
    assert problem.startswith(f"{path}:{line}: {message}"), problem


def test_program_missing_fields(session, tmp_path):
    path = write(
        tmp_path,
        "programs/p.yaml",
        PROGRAM.replace("topics: [t-a]\n", "").replace('title: "Chương trình"\n', ""),
    )
    assert problems_of(session, tmp_path) == [
        f"{path}:1: thiếu trường bắt buộc 'title'",
        f"{path}:1: thiếu trường bắt buộc 'topics'",
    ]


def test_duplicate_program_codes(session, tmp_path):
    write(tmp_path, "topics/a.md", TOPIC.format(code="t-a"))
    first = write(tmp_path, "programs/p1.yaml", PROGRAM)
    second = write(tmp_path, "programs/p2.yaml", PROGRAM)
    assert problems_of(session, tmp_path) == [f"{second}:1: mã chương trình 'p-x' trùng với {first}"]


def test_nothing_written_when_any_file_is_bad(session, tmp_path):
    root = copy_content(tmp_path)
    write(root, "topics/z.md", "no front matter\n")
    with pytest.raises(InvalidFile):
        import_content(session, root, now=NOW)
    assert session.scalar(select(func.count(Topic.id))) == 0
    assert session.scalar(select(func.count(Program.id))) == 0


# --- CLI --------------------------------------------------------------------------------------


def test_cli_import_dry_run_and_summary(runner, session, tmp_path, connection):
    root = copy_content(tmp_path)
    result = runner.invoke(args=["content", "import", str(root), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "topic t-chung-1: create" in result.output
    assert "dry run: programs: 1 created" in result.output
    result = runner.invoke(args=["content", "import", str(root)])
    assert result.exit_code == 0, result.output
    assert (
        "programs: 1 created, 0 updated, 0 unchanged; topics: 2 created, 0 updated, 0 unchanged"
        in result.output
    )
    result = runner.invoke(args=["content", "import", str(root)])
    assert (
        "programs: 0 created, 0 updated, 1 unchanged; topics: 0 created, 0 updated, 2 unchanged"
        in result.output
    )
    out = tmp_path / "out"
    result = runner.invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0 and (out / "topics" / "t-chung-1.md").exists()


def test_cli_import_bad_file_exits_1_with_path_line(runner, tmp_path, connection):
    path = write(tmp_path, "topics/a.md", TOPIC.format(code="t-a").replace("hours: 2", "hours: hai"))
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{path}:6: 'hours' phải là số dương" in result.stderr
    assert "nothing imported" in result.stderr


def test_cli_import_missing_path(runner, tmp_path, connection):
    result = runner.invoke(args=["content", "import", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "nope:0:" in result.stderr


# --- every weighted component can be produced ----------------------------------------------


def test_a_weight_nothing_can_produce_is_refused_at_its_line(session, tmp_path):
    write(tmp_path, "topics/a.md", TOPIC.format(code="t-a"))
    weights = "evaluation:\n  weights: {entrance: 0.2, exit: 0.5, scenarios: 0.3}"
    program = PROGRAM.replace("evaluation: {weights: {assessment: 1}}", weights)
    path = write(tmp_path, "programs/p.yaml", program)
    problems = problems_of(session, tmp_path)
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:8"] * 3
    assert "'entrance'" in problems[0] and "bài kiểm tra đầu vào" in problems[0]
    assert "'scenarios'" in problems[2] and "tình huống" in problems[2]
    write(tmp_path, "quizzes/p-x-vao.yaml", "code: p-x-vao\nprogram: p-x\npurpose: entrance\n")
    write(tmp_path, "quizzes/p-x-ra.yaml", "code: p-x-ra\nprogram: p-x\npurpose: final\n")
    write(tmp_path, "scenarios/khac.yaml", "code: khac\ntarget_groups: [hdnd]\n")  # another group
    [problem] = problems_of(session, tmp_path)
    assert "'scenarios'" in problem
    write(tmp_path, "scenarios/s.yaml", "code: s\ntarget_groups: [hdnd, ubnd]\n")
    assert import_content(session, tmp_path, now=NOW).count("program", "create") == 1


def test_source_titles_must_match_the_topics_word_for_word(session, tmp_path):
    write(tmp_path, "topics/a.md", TOPIC.format(code="t-a"))
    title = yaml.safe_load(TOPIC.format(code="t-a").split("---")[1])["title"]
    frame = f'source: "Hội thảo"\nsource_titles:\n  - "{title}."\n'
    path = write(tmp_path, "programs/p.yaml", PROGRAM + frame)
    assert import_content(session, tmp_path, now=NOW).count("program", "create") == 1
    write(tmp_path, "programs/p.yaml", PROGRAM + frame.replace(title, "Một tên khác"))
    [problem] = problems_of(session, tmp_path)
    assert problem.startswith(f"{path}:6: chuyên đề 't-a' có tên") and "Một tên khác" in problem
