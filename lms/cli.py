"""``flask --app lms ...`` commands. Exit 0 on success, 1 on bad input with
``file:line: message`` lines on stderr."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from lms.db import db
from lms.errors import InvalidFile, LmsError

db_cli = AppGroup("db", help="Database schema.")
users_cli = AppGroup("users", help="Accounts.")

# Feature packages that add their own command groups (a module lms/<feature>/cli.py
# exposing ``commands``: a list of click commands or groups).
FEATURE_CLIS = ("programs", "quizzes", "scenarios", "evaluation", "ops", "jobs")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    for feature in FEATURE_CLIS:
        name = f"lms.{feature}.cli"
        if importlib.util.find_spec(f"lms.{feature}") and importlib.util.find_spec(name):
            for command in importlib.import_module(name).commands:
                app.cli.add_command(command)


def fail(lines: list[str] | str) -> None:
    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(line, err=True)
    sys.exit(1)


def upgrade_database() -> dict[str, int]:
    from lms.migrate import upgrade
    from lms.org.services import seed_reference

    upgrade(db.engine)
    session = db.new_session()
    try:
        counts = seed_reference(session)
        session.commit()
    finally:
        session.close()
    return counts


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations to the newest schema and refresh reference data (titles, standards)."""
    counts = upgrade_database()
    click.echo(
        f"database at head; reference data: {counts['titles']} titles, "
        f"{counts['target_groups']} target groups, {counts['levels']} qualification levels"
    )


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Full name (Họ và tên).")
@click.option(
    "--role", required=True, type=click.Choice(["learner", "instructor", "approver", "board", "admin"])
)
@click.option("--unit", "unit_code", required=True, help="Unit code, e.g. qn.")
@click.option("--password", default=None, help="Leave out to generate one (must be changed at first login).")
def users_create(username, display_name, role, unit_code, password) -> None:
    """Create one account."""
    from lms.auth.services import create_user
    from lms.org.services import unit_by_code

    session = db.new_session()
    try:
        unit = unit_by_code(session, unit_code)
        if unit is None:
            fail(f"error: no unit with code {unit_code!r} (see `flask --app lms demo` or add units)")
        user, password = create_user(
            session, username=username, display_name=display_name, role=role, unit=unit, password=password
        )
        session.commit()
    except LmsError as exc:
        session.rollback()
        fail(f"error: {exc.message}")
    finally:
        session.close()
    click.echo(f"created {user.username} ({role}) password: {password}")


@users_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def users_import(path: str) -> None:
    """Import accounts and cadre profiles from a CSV file; nothing is imported if any row is bad."""
    from lms.org.csv_import import import_accounts

    file = Path(path)
    if not file.is_file():
        fail(f"{path}:0: file not found")
    session = db.new_session()
    try:
        accounts = import_accounts(session, file.read_bytes(), path, actor=None)
        session.commit()
    except InvalidFile as exc:
        session.rollback()
        fail([str(p) for p in exc.problems] + [f"{len(exc.problems)} problems; nothing imported"])
    finally:
        session.close()
    for account in accounts:
        shown = account.password if account.generated else "(from file)"
        click.echo(f"{account.username}\t{shown}")
    click.echo(f"{len(accounts)} accounts imported")


@click.command("demo")
@click.option(
    "--scale",
    type=click.Choice(["province"]),
    default=None,
    help="province: also generate 100,000 cadres and 2 million results for benchmarks (minutes).",
)
@with_appcontext
def demo_command(scale: str | None) -> None:
    """Load the demo province (units, one account per role, 30 cadres) and the shipped content."""
    from lms import demo
    from lms.auth.models import User

    upgrade_database()
    if scale == "province":
        from lms.evaluation.generate import generate

        session = db.new_session()
        try:
            counts = generate(session, 100_000, 20, progress=click.echo)
            session.commit()
        finally:
            session.close()
        click.echo(f"generated {counts['cadres']} cadres and {counts['results']} results")
    session = db.new_session()
    try:
        if session.scalar(select(User).where(User.username == "quantri")) is None:
            logins = demo.load(session)
            session.commit()
        else:
            logins = demo.DEMO_LOGINS
            click.echo("demo data already present; loading content only")
        for step in demo.feature_steps():
            click.echo(step(session))
            session.commit()
    except (LmsError, InvalidFile) as exc:
        session.rollback()
        fail(str(exc))
    finally:
        session.close()
    click.echo("demo logins (username / password):")
    for username, password, role in logins:
        click.echo(f"  {username:<12} {password:<18} {role}")
