"""Alembic environment: the engine comes from lms.migrate (or sqlalchemy.url), the target
metadata from every feature's models. SQLite uses batch mode for ALTER TABLE."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from lms.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with engine.begin() as conn:
        _run(conn)


def _include_name(name, type_, _parent_names) -> bool:
    # Huey's PostgreSQL storage keeps its own tables (huey_task, ...) in the app's database
    return not (type_ == "table" and name and name.startswith("huey_"))


def _run(connection) -> None:
    context.configure(
        include_name=_include_name,
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `flask --app lms db upgrade`")
run_migrations_online()
