from lms.scenarios import demo
from lms.scenarios import services as sv
from lms.scenarios.validate import validate_file
from tests.scenarios.helpers import DATA


def test_cli_import_dry_run_then_import_then_export_round_trip(runner, world, session, tmp_path):
    code = world.province.code
    result = runner.invoke(args=["scenarios", "import", str(DATA), "--dry-run", "--unit", code])
    assert result.exit_code == 0, result.output
    assert "nothing imported" in result.output and sv.latest(session, "thu-nghiem") is None
    result = runner.invoke(args=["scenarios", "import", str(DATA), "--unit", code])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    again = runner.invoke(args=["scenarios", "import", str(DATA), "--unit", code])
    assert "2 unchanged" in again.output
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["scenarios", "export", "thu-nghiem", str(out)])
    assert result.exit_code == 0, result.output
    checked = validate_file(out)
    assert checked.ok and checked.document == validate_file(DATA / "good.yaml").document


def test_cli_import_refuses_all_when_one_file_is_bad(runner, world, session, tmp_path):
    (tmp_path / "a.yaml").write_text((DATA / "small.yaml").read_text("utf-8"), "utf-8")
    (tmp_path / "b.yaml").write_text(
        (DATA / "small.yaml").read_text("utf-8").replace("code: nho", "code: x\nfoo: 1")
    )
    result = runner.invoke(args=["scenarios", "import", str(tmp_path), "--unit", world.province.code])
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.yaml'}:2: tình huống: khóa 'foo' không có trong định dạng" in result.output
    assert sv.latest(session, "nho") is None


def test_cli_export_unknown_code(runner, tmp_path):
    result = runner.invoke(args=["scenarios", "export", "khong-co", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1 and "no scenario 'khong-co'" in result.output


def test_demo_load_content_is_idempotent(session, factory, monkeypatch):
    from lms.org.services import create_unit

    create_unit(session, code="qn", name="Tỉnh Quảng Ninh", kind="province")
    monkeypatch.setattr(demo, "content_dir", lambda: DATA)
    assert "2 created" in demo.load_content(session)
    assert "2 unchanged" in demo.load_content(session)
    assert sv.latest(session, "nho").owner_unit.code == "qn"
