"""CLI: recompute (idempotent), finalize, generate (bulk, small)."""

from sqlalchemy import func, select

from lms.evaluation.models import EvaluationRecord, EvaluationSnapshot
from lms.results.models import Result
from tests.evaluation.helpers import result


def test_recompute_and_finalize_commands(runner, world, factory, session):
    cadre = factory.profile(unit=world.commune_a)
    result(session, cadre, "exit", 7.0, cohort_id=5)
    session.commit()
    out = runner.invoke(args=["evaluation", "recompute"])
    assert out.exit_code == 0, out.output
    assert out.output.strip().endswith("1 records recomputed")
    assert runner.invoke(args=["evaluation", "recompute"]).exit_code == 0
    assert session.scalar(select(func.count(EvaluationRecord.id))) == 1
    out = runner.invoke(args=["evaluation", "finalize", "--cohort", "5"])
    assert out.exit_code == 0 and "1 records finalized" in out.output
    assert session.scalar(select(func.count(EvaluationSnapshot.id))) == 1
    assert runner.invoke(args=["evaluation", "finalize", "--cohort", "x"]).exit_code != 0


def test_generate_small_dataset(runner, session):
    before = session.scalar(select(func.count(Result.id)))
    out = runner.invoke(args=["evaluation", "generate", "--cadres", "30", "--results-per-cadre", "5"])
    assert out.exit_code == 0, out.output
    assert "generated 30 cadres" in out.output
    assert session.scalar(select(func.count(Result.id))) - before == 150
    assert session.scalar(select(func.count(EvaluationRecord.id))) >= 30
    assert runner.invoke(args=["evaluation", "generate", "--cadres", "0"]).exit_code == 2


def test_report_command(runner, world, factory, session, tmp_path):
    import openpyxl

    cadre = factory.profile(unit=world.commune_a)
    result(session, cadre, "exit", 7.0)
    session.commit()
    out_file = tmp_path / "bao-cao.xlsx"
    args = ["evaluation", "report", "--unit", world.province.code, "--from", "2022", "--to", "2026"]
    out = runner.invoke(args=[*args, str(out_file)])
    assert out.exit_code == 0, out.output
    book = openpyxl.load_workbook(out_file)
    assert "Lượt người" in book.sheetnames
    out = runner.invoke(args=[*args, str(tmp_path / "x.pdf")])
    assert out.exit_code == 1 and "x.pdf:0:" in out.output
    out = runner.invoke(
        args=["evaluation", "report", "--unit", "nope", "--from", "2022", "--to", "2026", "a.csv"]
    )
    assert out.exit_code == 1 and "nope" in out.output
