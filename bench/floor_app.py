"""The floor: the least a web app can do per autosave, to compare the real app against.

`POST /save/<attempt>` takes the same JSON body as the real autosave
(``{"answers": {"<position>": {"fields": {...}, "seq": n}}}``) and only upserts one row
(attempt, slot, value, seq) keeping the highest seq. No login, no session, no CSRF, no ORM
objects, no templates: Flask + SQLAlchemy Core on the same engine settings as the app
(``lms.db.make_engine``: WAL/busy timeout/BEGIN IMMEDIATE on SQLite, a pool on PostgreSQL).

bench/exam_day.py creates the table (``metadata.create_all``) before it starts gunicorn (workers
racing to create it would fail), then serves this app with the same gunicorn settings and database:
``BENCH_DATABASE_URL=... gunicorn 'bench.floor_app:create_app()'``.
"""

from __future__ import annotations

import json
import os

from flask import Flask, jsonify, request
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.db import make_engine

metadata = MetaData()
floor_answer = Table(
    "bench_floor_answer",
    metadata,
    Column("attempt_id", Integer, primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("value", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
)


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    @app.post("/save/<int:attempt_id>")
    def save(attempt_id: int):
        payload = request.get_json(silent=True) or {}
        position, entry = next(iter(payload["answers"].items()))
        stmt = insert(floor_answer).values(
            attempt_id=attempt_id,
            slot=int(position),
            value=json.dumps(entry["fields"], sort_keys=True),
            seq=int(entry["seq"]),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["attempt_id", "slot"],
            set_={"value": stmt.excluded.value, "seq": stmt.excluded.seq},
            where=floor_answer.c.seq < stmt.excluded.seq,
        )
        with engine.begin() as connection:
            connection.execute(stmt)
        return jsonify(state="open", saved=[int(position)])

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
