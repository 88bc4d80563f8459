"""``flask --app lms scenarios validate|import|export``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from lms.cli import fail
from lms.db import db
from lms.errors import InvalidFile
from lms.scenarios.validate import validate_file

scenarios_cli = AppGroup("scenarios", help="Case scenarios (tình huống): validate, import, export.")


@scenarios_cli.command("validate")
@click.argument("file")
def validate_command(file: str) -> None:
    """Check one scenario file; print min and max achievable raw points."""
    checked = validate_file(file)
    if not checked.ok:
        fail([str(p) for p in checked.problems])
    click.echo(f"{file}: {checked.document['code']}, {len(checked.document['nodes'])} nodes")
    click.echo(checked.summary())


@scenarios_cli.command("import")
@click.argument("path")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--unit", "unit_code", default="qn", show_default=True, help="Owner unit code.")
def import_command(path: str, dry_run: bool, unit_code: str) -> None:
    """Import a scenario file or a folder of them as published versions (all or nothing)."""
    from lms.org.services import unit_by_code
    from lms.scenarios.services import check_paths, import_checked
    from lms.web import now

    target = Path(path)
    if not target.exists():
        fail(f"{path}:0: file or folder not found")
    checked = check_paths([target])
    problems = [str(p) for item in checked for p in item.problems]
    if problems:
        fail(problems + [f"{len(problems)} problems; nothing imported"])
    for item in checked:
        click.echo(f"{item.path}: {item.summary()}")
    if dry_run:
        click.echo(f"dry run: {len(checked)} files valid; nothing imported")
        return
    session = db.new_session()
    try:
        unit = unit_by_code(session, unit_code)
        if unit is None:
            fail(f"error: no unit with code {unit_code!r}")
        counts = import_checked(session, checked, unit, actor=None, now=now())
        session.commit()
    except InvalidFile as exc:
        session.rollback()
        fail([str(p) for p in exc.problems])
    finally:
        session.close()
    click.echo(
        f"{counts['created']} created, {counts['updated']} new versions, {counts['unchanged']} unchanged"
    )


@scenarios_cli.command("export")
@click.argument("code")
@click.argument("file")
@click.option("--version", "version", type=int, default=None, help="Default: the published version.")
def export_command(code: str, file: str, version: int | None) -> None:
    """Write one scenario version as YAML (content/FORMATS.md format)."""
    from sqlalchemy import select

    from lms.scenarios.models import Scenario, ScenarioStatus
    from lms.scenarios.services import export_text, latest

    session = db.new_session()
    try:
        if version is None:
            scenario = latest(session, code, [ScenarioStatus.published]) or latest(session, code)
        else:
            scenario = session.scalar(
                select(Scenario).where(Scenario.code == code, Scenario.version == version)
            )
        if scenario is None:
            fail(f"error: no scenario {code!r}" + (f" version {version}" if version else ""))
        Path(file).write_text(export_text(scenario), "utf-8")
        click.echo(f"wrote {file}: {code} version {scenario.version}")
    finally:
        session.close()


commands = [scenarios_cli]
