"""``flask --app lms evaluation ...``: recompute records, finalize a cohort, generate a
province-scale dataset for benchmarks."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.cli import fail
from lms.db import db
from lms.errors import LmsError

evaluation_cli = AppGroup("evaluation", help="Evaluation records, board review, benchmarks.")


@evaluation_cli.command("recompute")
def recompute_command() -> None:
    """Recompute every open evaluation record from its inputs (idempotent; finalized ones stay)."""
    from lms.evaluation.services import recompute_all

    session = db.new_session()
    try:
        count = recompute_all(session, progress=lambda n, total: click.echo(f"{n}/{total} records"))
        session.commit()
    finally:
        session.close()
    click.echo(f"{count} records recomputed")


@evaluation_cli.command("finalize")
@click.option("--cohort", "cohort_id", type=int, required=True, help="Cohort id (lms.programs).")
def finalize_command(cohort_id: int) -> None:
    """Freeze a closed cohort's records in append-only snapshots."""
    from lms.evaluation.services import finalize

    session = db.new_session()
    try:
        count = finalize(session, cohort_id, actor=None)
        session.commit()
    except LmsError as exc:
        session.rollback()
        fail(f"error: {exc.message}")
    finally:
        session.close()
    click.echo(f"{count} records finalized for cohort {cohort_id}")


@evaluation_cli.command("generate")
@click.option("--cadres", type=click.IntRange(1, 2_000_000), default=100_000, show_default=True)
@click.option("--results-per-cadre", type=click.IntRange(0, 200), default=20, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
def generate_command(cadres: int, results_per_cadre: int, seed: int) -> None:
    """Create a synthetic province (communes, cadres, qualifications, results, records) for benchmarks.

    Run `flask --app lms db upgrade` first."""
    from lms.evaluation.generate import generate

    session = db.new_session()
    try:
        counts = generate(session, cadres, results_per_cadre, seed=seed, progress=click.echo)
        session.commit()
    finally:
        session.close()
    click.echo(
        f"generated {counts['cadres']} cadres in {counts['units']} units, {counts['results']} results, "
        f"{counts['records']} evaluation records"
    )


@evaluation_cli.command("report")
@click.option("--unit", "unit_code", required=True, help="Unit code (its whole subtree is counted).")
@click.option("--from", "year_from", type=click.IntRange(2000, 2100), required=True)
@click.option("--to", "year_to", type=click.IntRange(2000, 2100), required=True)
@click.argument("path", type=click.Path(dir_okay=False))
def report_command(unit_code: str, year_from: int, year_to: int, path: str) -> None:
    """Write the unit report to PATH (.xlsx or .csv): for whole provinces, run it here, not in a request."""
    from pathlib import Path

    from lms.evaluation import reports
    from lms.org.services import unit_by_code

    target = Path(path)
    if target.suffix not in (".xlsx", ".csv"):
        fail(f"{path}:0: the file name must end in .xlsx or .csv")
    if year_from > year_to:
        fail(f"{path}:0: --from {year_from} is after --to {year_to}")
    session = db.new_read_session()  # the replica when LMS_REPLICA_DATABASE_URL is set
    try:
        unit = unit_by_code(session, unit_code)
        if unit is None:
            fail(f"error: no unit with code {unit_code!r}")
        click.echo(f"counting {unit.name}, {year_from}–{year_to} ...")
        tables = reports.build(session, unit, year_from, year_to)
        heading = f"{unit.name}, {year_from}–{year_to}"
        data = (
            reports.to_xlsx(tables, heading) if target.suffix == ".xlsx" else reports.to_csv(tables, heading)
        )
        session.rollback()
    finally:
        session.close()
    try:
        target.write_bytes(data)
    except OSError as exc:
        fail(f"{path}:0: cannot write: {exc.strerror}")
    click.echo(f"wrote {len(tables)} tables to {path}")


commands = [evaluation_cli]
