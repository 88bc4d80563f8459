"""Exam-day hot paths in process: CPU time and SQL statements per request (see bench/README.md).

  .venv/bin/python bench/hot_paths.py                      # SQLite, 40 learners, a table
  .venv/bin/python bench/hot_paths.py --db postgres
  .venv/bin/python bench/hot_paths.py --profile save       # pyinstrument tree of one path

The same fresh database and exit test as bench/exam_day.py; the Flask test client (no HTTP, no
gunicorn) so the figures are the app's own work: login, quiz list, start, attempt page, autosave,
submit. Times are process CPU (time.process_time) per request, median over the learners, so a
busy machine changes them less than wall time would.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exam_day import CSRF_RE, FIELD_RE, PASSWORD, PG_URL, make_database, setup, start_path  # noqa: E402

PATHS = ["login", "list", "start", "page", "save", "submit"]


class Counter:
    """Counts SQL statements sent on the app's engine."""

    def __init__(self):
        self.count = 0
        self.sql: list[str] = []

    def __call__(self, _conn, _cursor, statement, *args, **kwargs):
        if self.count == 0:
            self.sql = []
        self.count += 1
        self.sql.append(" ".join(statement.split())[:160])


def measure(
    url: str, learners: int, profile: str | None, show: bool = False, warmup: int = 0
) -> dict[str, tuple[float, int]]:
    from sqlalchemy import event

    from lms import create_app
    from lms.db import db

    world = setup(url, learners + warmup)
    app = create_app({"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "hot-paths"})
    with app.app_context():
        engine = db.state(app).engine
    statements = Counter()
    event.listen(engine, "before_cursor_execute", statements)
    times: dict[str, list[float]] = {p: [] for p in PATHS}
    counts: dict[str, list[int]] = {p: [] for p in PATHS}
    shown: dict[str, list[str]] = {}
    profiler = None
    if profile:
        try:
            from pyinstrument import Profiler
        except ImportError:
            raise SystemExit("--profile needs pyinstrument: .venv/bin/pip install pyinstrument") from None

        profiler = Profiler(interval=0.0005)

    def timed(path: str, call):
        statements.count = 0
        if profiler and path == profile:
            profiler.start()
        began = time.process_time()
        response = call()
        times[path].append((time.process_time() - began) * 1000)
        if profiler and path == profile:
            profiler.stop()
        counts[path].append(statements.count)
        if show:
            shown.setdefault(path, list(statements.sql))
        return response

    for username in world["usernames"][:warmup]:  # unmeasured: a worker that has served pages
        one_learner(app.test_client(), username, lambda _path, call: call())
    for username in world["usernames"][warmup:]:
        one_learner(app.test_client(), username, timed)
    with app.app_context():
        db.state(app).engine.dispose()
    if profiler:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    for path, sql in shown.items():
        print(f"{path}:", *(f"  {line}" for line in sql), sep="\n")
    return {p: (statistics.median(times[p]), max(counts[p])) for p in PATHS}


def one_learner(client, username: str, timed) -> None:
    """Login, list, start, page, 20 saves, submit: as a learner on exam day."""
    page = client.get("/login")
    token = CSRF_RE.search(page.text).group(1)
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    response = timed("login", lambda: client.post("/login", data=form))
    assert response.status_code == 302, response.status_code
    listing = timed("list", lambda: client.get("/quizzes"))
    token, start = CSRF_RE.search(listing.text).group(1), start_path(listing.text)
    response = timed("start", lambda: client.post(start, data={"csrf_token": token}))
    attempt_path = response.headers["location"]
    page = timed("page", lambda: client.get(attempt_path))
    choices = {}
    for position, value in FIELD_RE.findall(page.text):
        choices.setdefault(int(position), value)
    assert len(choices) == 20, page.text[:500]
    public_id = attempt_path.rstrip("/").rsplit("/", 1)[1]
    headers = {"X-CSRFToken": CSRF_RE.search(page.text).group(1)}
    seq = int(time.time() * 1000)
    for position, value in choices.items():
        seq += 1
        body = {"answers": {str(position): {"fields": {f"q{position}": [value]}, "seq": seq}}}
        response = timed(
            "save",
            lambda body=body: client.post(f"/quizzes/attempts/{public_id}/save", json=body, headers=headers),
        )
        assert response.status_code == 200, response.text
    form = {"csrf_token": headers["X-CSRFToken"], "action": "submit"}
    response = timed("submit", lambda: client.post(f"/quizzes/attempts/{public_id}", data=form))
    assert re.search("/review", response.headers["location"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--profile", choices=PATHS, help="print a pyinstrument profile of this path")
    parser.add_argument(
        "--warmup", type=int, default=0, help="unmeasured learners first (a worker's caches warm)"
    )
    parser.add_argument(
        "--statements", action="store_true", help="print the SQL of each path (first learner)"
    )
    args = parser.parse_args(argv)
    url, drop = make_database(args.db, args.pg_url)
    try:
        figures = measure(url, args.learners, args.profile, args.statements, args.warmup)
    finally:
        drop()
    warm = f" after {args.warmup} unmeasured" if args.warmup else ""
    print(f"{args.db}, {args.learners} learners{warm}: median CPU ms per request (max SQL statements)")
    for path, (ms, count) in figures.items():
        print(f"  {path:<7} {ms:7.2f} ms  {count:3d} statements")
    return 0


if __name__ == "__main__":
    sys.exit(main())
