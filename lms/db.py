"""Declarative base, engine and one session per request.

SQLite gets WAL, foreign keys and a busy timeout on every connection; its driver's own
transaction handling is switched off so SAVEPOINTs work (SQLAlchemy's documented recipe).

With ``LMS_REPLICA_DATABASE_URL`` set, a second engine reads from a streaming replica:
``db.read_session`` is what report and statistics queries use (and only those). It is read-only
twice over: its connections open read-only transactions, and it refuses to flush. Without a
replica ``db.read_session`` is simply ``db.session``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from lms.errors import NotFound

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Row = TypeVar("Row")


def get_by_public_id(
    session: Session, model: type[Row], public_id: str, not_found: str, *options: Any
) -> Row:
    """The row of ``model`` whose ``public_id`` (the id URLs carry) is this one, loaded with the
    loader ``options`` given (``selectinload(...)``); ``NotFound`` with the caller's message
    (naming what is missing) when there is none."""
    row = session.scalar(select(model).where(model.public_id == public_id).options(*options))
    if row is None:
        raise NotFound(not_found)
    return row


def fold_key(text: str) -> str:
    """Lower-case, diacritics folded, spaces collapsed: the search/sort key for Vietnamese text.

    SQLite's lower() folds ASCII only, so we store this key next to the display text.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped).strip().lower()


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        if read_only:
            event.listen(engine, "connect", _sqlite_query_only)
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        else:
            event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if read_only:  # every transaction read-only, even if the URL names the primary by mistake
        kwargs.setdefault("connect_args", {})["options"] = "-c default_transaction_read_only=on"
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_query_only(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA query_only=ON")


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (savepoints need it)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing
    # later with "database is locked" when it upgrades a read lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class ReadOnlySessionError(RuntimeError):
    """A write was attempted through the replica's session."""


def _refuse_flush(session: Session, _context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError(
            "db.read_session reads from the replica (LMS_REPLICA_DATABASE_URL): write through db.session"
        )


class _EngineState:
    def __init__(self, engine: Engine, replica: Engine | None = None):
        self.engine = engine
        self.factory = sessionmaker(bind=engine, expire_on_commit=False)
        self.replica = replica
        self.read_factory = None
        if replica is not None:
            self.read_factory = sessionmaker(bind=replica, expire_on_commit=False)
            event.listen(self.read_factory, "before_flush", _refuse_flush)


class Database:
    """Per-app engine and the per-request session (``db.session``).

    The state lives in ``app.extensions`` so several apps (tests, the bench) can coexist.
    """

    def init_app(self, app: Flask) -> None:
        replica_url = app.config.get("LMS_REPLICA_DATABASE_URL")
        replica = make_engine(replica_url, read_only=True) if replica_url else None
        app.extensions["lms_db"] = _EngineState(make_engine(app.config["LMS_DATABASE_URL"]), replica)
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def state(app: Flask | None = None) -> _EngineState:
        return (app or current_app).extensions["lms_db"]

    @property
    def engine(self) -> Engine:
        return self.state().engine

    def bind_to(self, connection: Connection | None, app: Flask | None = None) -> None:
        """Tests: run every session inside ``connection``'s transaction, commits becoming
        savepoints; ``None`` restores the engine."""
        state = self.state(app)
        if connection is None:
            state.factory = sessionmaker(bind=state.engine, expire_on_commit=False)
        else:
            state.factory = sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )

    def new_session(self, app: Flask | None = None) -> Session:
        return self.state(app).factory()

    def new_read_session(self, app: Flask | None = None) -> Session:
        """A session on the replica when there is one (read-only), else an ordinary one."""
        state = self.state(app)
        return (state.read_factory or state.factory)()

    @property
    def session(self) -> Session:
        if "lms_session" not in g:
            g.lms_session = self.new_session()
        return g.lms_session

    @property
    def read_session(self) -> Session:
        """The request's session for report and statistics queries: the replica's when
        ``LMS_REPLICA_DATABASE_URL`` is set (it may lag the primary by a moment), else
        ``db.session``. Never write through it."""
        if self.state().read_factory is None:
            return self.session
        if "lms_read_session" not in g:
            g.lms_read_session = self.new_read_session()
        return g.lms_read_session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        for name in ("lms_session", "lms_read_session"):
            session = g.pop(name, None)
            if session is not None:
                session.close()


db = Database()
