from sqlalchemy import select

from lms.quizzes.importer import parse_quiz_file
from lms.quizzes.models import Question, Quiz
from tests.quizzes.helpers import DATA, load_sample


def test_import_gift_dry_run_then_real_then_idempotent(runner, session):
    path = str(DATA / "sample.gift")
    dry = runner.invoke(args=["quizzes", "import-gift", path, "--dry-run"])
    assert dry.exit_code == 0 and dry.output.strip().splitlines()[-1] == "9 questions"
    assert session.scalar(select(Question).where(Question.code == "kt-1")) is None
    real = runner.invoke(args=["quizzes", "import-gift", path])
    assert real.exit_code == 0 and "9 created" in real.output
    again = runner.invoke(args=["quizzes", "import-gift", path])
    assert "9 unchanged" in again.output and again.output.strip().endswith("9 questions")


def test_import_gift_errors_write_nothing(runner, session, tmp_path):
    bad = tmp_path / "bad.gift"
    bad.write_text("::ok::Câu tốt{T}\n\n::hong::Câu hỏng{=a ~b\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: khối đáp án chưa đóng" in result.output
    assert session.scalar(select(Question).where(Question.code == "ok")) is None
    missing = runner.invoke(args=["quizzes", "import-gift", str(tmp_path / "none.gift")])
    assert missing.exit_code == 1 and "file not found" in missing.output
    latin = tmp_path / "latin.gift"
    latin.write_bytes("::a::Câu{T}".encode("cp1258"))
    result = runner.invoke(args=["quizzes", "import-gift", str(latin)])
    assert result.exit_code == 1 and "UTF-8" in result.output


def test_import_settings_and_export(runner, session, world, tmp_path):
    world.province.code = "qn"
    load_sample(session)
    session.commit()
    result = runner.invoke(args=["quizzes", "import-settings", str(DATA / "entrance.yaml")])
    assert result.exit_code == 0, result.output
    quiz = session.scalar(select(Quiz).where(Quiz.code == "thu-dau-vao"))
    assert quiz.purpose == "entrance" and quiz.program_code == "ct-thu" and quiz.owner_unit.code == "qn"
    assert [s.points for s in quiz.slots] == [1.0, 2.0, 1.0, 1.0] and quiz.review_right_answers_when == 7
    again = runner.invoke(args=["quizzes", "import-settings", str(DATA / "entrance.yaml")])
    assert "1 unchanged" in again.output
    out = tmp_path / "out.gift"
    exported = runner.invoke(args=["quizzes", "export-gift", "thu-dau-vao", str(out)])
    assert exported.exit_code == 0 and "::kt-1::" in out.read_text("utf-8")
    by_category = runner.invoke(args=["quizzes", "export-gift", "Địa danh", str(out)])
    assert "6 questions" in by_category.output
    assert runner.invoke(args=["quizzes", "export-gift", "khong-co", str(out)]).exit_code == 1
    assert runner.invoke(args=["quizzes", "close-overdue"]).output.strip() == "0 overdue attempts closed"


def test_import_settings_reports_each_problem_with_line(session, world):
    world.province.code = "qn"
    load_sample(session)
    _, problems = parse_quiz_file(session, DATA / "bad.yaml", "qn")
    text = "\n".join(str(p) for p in problems)
    path = str(DATA / "bad.yaml")
    for line, message in [
        (1, "code chỉ gồm"),
        (3, "purpose phải"),
        (4, "time_limit_minutes"),
        (5, "pass_mark"),
        (6, "khong-co"),
        (7, "không đủ để rút"),
        (9, "khóa không hỗ trợ"),
    ]:
        assert f"{path}:{line}: " in text and message in text, (line, message, text)


def test_import_settings_cli_fails_cleanly(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: [unclosed\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-settings", str(broken)])
    assert result.exit_code == 1 and f"{broken}:" in result.output and "nothing imported" in result.output


def test_demo_load_content_is_idempotent(session, world, tmp_path):
    import shutil

    from lms.quizzes.demo import load_content

    world.province.code = "qn"
    shutil.copy(DATA / "sample.gift", tmp_path / "sample.gift")
    shutil.copy(DATA / "entrance.yaml", tmp_path / "entrance.yaml")
    first = load_content(session, tmp_path)
    assert "9 questions (9 created)" in first and "1 quizzes (1 created)" in first
    second = load_content(session, tmp_path)
    assert "9 unchanged" in second and "1 unchanged" in second


def test_import_command_reads_gift_and_reports_unsupported(runner, session, tmp_path):
    path = str(DATA / "moodle_style.gift")
    dry = runner.invoke(args=["quizzes", "import", path, "--dry-run"])
    assert dry.exit_code == 0 and dry.output.strip().splitlines()[-1] == "36 questions"
    assert session.scalar(select(Question.id)) is None
    real = runner.invoke(args=["quizzes", "import", path, "--format", "gift"])
    assert (
        real.exit_code == 0 and "36 created" in real.output and real.output.strip().endswith("36 questions")
    )
    described = tmp_path / "mo-ta.txt"  # Moodle exports GIFT as .txt
    described.write_text(
        "::Giới thiệu::Phần sau hỏi về HĐND.\n\n::hd-1::HĐND do dân bầu.{T}\n", encoding="utf-8"
    )
    # no answer braces: Moodle reads a description, and so do we
    imported = runner.invoke(args=["quizzes", "import", str(described)])
    assert imported.exit_code == 0 and imported.output.strip().endswith("2 questions"), imported.output
    assert session.scalar(select(Question).where(Question.code == "Giới thiệu")).latest.qtype == "description"


def test_export_command_writes_gift_that_imports_to_the_same_codes(runner, session, tmp_path):
    load_sample(session)
    session.commit()
    out = tmp_path / "out.gift"
    result = runner.invoke(args=["quizzes", "export", "Địa danh", str(out), "--format", "gift"])
    assert result.exit_code == 0 and "6 questions" in result.output
    again = runner.invoke(args=["quizzes", "import", str(out)])
    assert "6 unchanged" in again.output and again.output.strip().endswith("6 questions")
    assert runner.invoke(args=["quizzes", "export", "Địa danh", str(out)]).exit_code == 2  # --format needed
    assert runner.invoke(args=["quizzes", "export", "///", str(out), "--format", "gift"]).exit_code == 1


def test_import_command_reads_every_format_in_a_folder(runner, session, tmp_path):
    import shutil

    shutil.copy(DATA / "sample.gift", tmp_path / "a.gift")
    shutil.copy(DATA / "sample.aiken", tmp_path / "b.aiken")
    shutil.copy(DATA / "moodle.xml", tmp_path / "c.xml")
    (tmp_path / "ghi-chu.md").write_text("not a bank", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import", str(tmp_path), "--skip-unsupported", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"{9 + 3 + 11} questions")
    only_aiken = runner.invoke(args=["quizzes", "import", str(tmp_path), "--format", "aiken", "--dry-run"])
    assert only_aiken.output.strip().endswith("3 questions")
