"""The floor: the least a web app can do per exam-day request, to compare the real app against.

The paced bench only autosaves against it: `POST /save/<attempt>` takes the same JSON body as the
real autosave (``{"answers": {"<position>": {"fields": {...}, "seq": n}}}``) and only upserts one
row (attempt, slot, value, seq) keeping the highest seq.

The closed-loop bench (``exam_day.py --closed-loop``) sends it the whole flow under the real app's
URLs, so the same client code drives both: one statement per request, no login (the learner is a
``learner`` cookie), no ORM objects, no templates.
  GET  /quizzes                        the learner's attempt count; a page with a start form
  POST /quizzes/<quiz>/start           INSERT an attempt ... RETURNING id; 302 to its page
  GET  /quizzes/attempts/<id>          the attempt row; 20 questions × 4 choices from a string
  POST /quizzes/attempts/<id>/save     the upsert above
  POST /quizzes/attempts/<id>          submit: UPDATE the attempt with its score (one statement
                                       counting the right answers); 302 to /review
Flask + SQLAlchemy Core on the same engine settings as the app (``lms.db.make_engine``:
WAL/busy timeout/BEGIN IMMEDIATE on SQLite, a pool on PostgreSQL).

bench/exam_day.py creates the tables (``metadata.create_all``) before it starts gunicorn (workers
racing to create them would fail), then serves this app with the same gunicorn settings and database:
``BENCH_DATABASE_URL=... gunicorn 'bench.floor_app:create_app()'``.
"""

from __future__ import annotations

import json
import os

from flask import Flask, abort, jsonify, redirect, request
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text, func, insert, select, update
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
floor_attempt = Table(
    "bench_floor_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner", Integer, nullable=False, index=True),
    Column("state", Text, nullable=False),
    Column("score", Integer),
)
QUESTIONS, CHOICES = 20, 4
RIGHT = json.dumps({"q1": ["1"]})  # the "right" value counted at submit (any fixed rule will do)
PAGE = (
    '<!doctype html><title>floor</title><form method="post">'
    '<input type="hidden" name="csrf_token" value="floor">'
    + "".join(
        f"<fieldset><legend>Câu {p}</legend>"
        + "".join(
            f'<label><input type="radio" name="q{p}" value="{v}"> {v}</label>' for v in range(1, CHOICES + 1)
        )
        + "</fieldset>"
        for p in range(1, QUESTIONS + 1)
    )
    + "</form>"
)


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    upsert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def learner() -> int:
        try:
            return int(request.cookies.get("learner", ""))
        except ValueError:
            abort(400)

    def save_row(attempt_id: int):
        payload = request.get_json(silent=True) or {}
        position, entry = next(iter(payload["answers"].items()))
        stmt = upsert(floor_answer).values(
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

    @app.post("/save/<int:attempt_id>")
    def save(attempt_id: int):  # the paced bench's URL
        return save_row(attempt_id)

    @app.post("/quizzes/attempts/<int:attempt_id>/save")
    def autosave(attempt_id: int):
        return save_row(attempt_id)

    @app.get("/quizzes")
    def listing():
        with engine.connect() as connection:
            done = connection.scalar(
                select(func.count()).select_from(floor_attempt).where(floor_attempt.c.learner == learner())
            )
        return (
            f'<!doctype html><p>{done}</p><form method="post" action="/quizzes/floor/start">'
            '<input type="hidden" name="csrf_token" value="floor"></form>'
        )

    @app.post("/quizzes/<quiz>/start")
    def start(quiz: str):
        with engine.begin() as connection:
            attempt_id = connection.scalar(
                insert(floor_attempt).values(learner=learner(), state="open").returning(floor_attempt.c.id)
            )
        return redirect(f"/quizzes/attempts/{attempt_id}")

    @app.get("/quizzes/attempts/<int:attempt_id>")
    def page(attempt_id: int):
        with engine.connect() as connection:
            state = connection.scalar(select(floor_attempt.c.state).where(floor_attempt.c.id == attempt_id))
        if state is None:
            abort(404)
        return PAGE

    @app.post("/quizzes/attempts/<int:attempt_id>")
    def submit(attempt_id: int):
        right = (
            select(func.count())
            .select_from(floor_answer)
            .where(floor_answer.c.attempt_id == attempt_id, floor_answer.c.value == RIGHT)
            .scalar_subquery()
        )
        with engine.begin() as connection:
            connection.execute(
                update(floor_attempt)
                .where(floor_attempt.c.id == attempt_id, floor_attempt.c.state == "open")
                .values(state="finished", score=right)
            )
        return redirect(f"/quizzes/attempts/{attempt_id}/review")

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
