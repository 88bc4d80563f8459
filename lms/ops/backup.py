"""Backups: SQLite through its online backup API (safe while the app runs), PostgreSQL through
``pg_dump``/``pg_restore`` (custom format). ``fingerprint`` counts and hashes every table so a
restore can be checked against its source."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine, make_url

from lms.errors import LmsError


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise LmsError("cannot back up an in-memory SQLite database")
    return database


def _libpq_url(engine: Engine) -> str:
    url = make_url(engine.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise LmsError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return path


def backup(engine: Engine, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), _libpq_url(engine)])


def restore(engine: Engine, source: Path) -> None:
    if not source.is_file():
        raise LmsError(f"{source}: backup file not found")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            src.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise LmsError(f"{source}: not a SQLite backup ({exc})") from exc
        dest = sqlite3.connect(_sqlite_path(engine))
        try:
            with dest:
                src.backup(dest)
        finally:
            dest.close()
            src.close()
        return
    engine.dispose()
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _libpq_url(engine),
            str(source),
        ]
    )


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise LmsError(f"{Path(command[0]).name} failed: {completed.stderr.strip()[:2000]}")


def fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 over every row (ordered by primary key) of every table."""
    metadata = MetaData()
    metadata.reflect(engine)
    result = {}
    with engine.connect() as conn:
        for table in sorted(metadata.tables.values(), key=lambda t: t.name):
            order = list(table.primary_key.columns) or list(table.columns)
            digest, count = hashlib.sha256(), 0
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(_normal(v) for v in row)).encode())
                count += 1
            result[table.name] = (count, digest.hexdigest())
    return result


def _normal(value):
    """Values as text that both drivers render alike (datetimes lose driver-specific zones)."""
    if hasattr(value, "isoformat"):
        return value.replace(tzinfo=None).isoformat() if hasattr(value, "tzinfo") else value.isoformat()
    return str(value) if value is not None else None
