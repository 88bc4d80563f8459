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


commands = [evaluation_cli]
