"""Time the board list and the unit report on a generated dataset (PostgreSQL by default).

    PYTHONPATH=. python bench/evaluation_scale.py [CADRES] [RESULTS_PER_CADRE]

CADRES defaults to 2000 (province scale: 100000 20). The URL comes from
LMS_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres),
used as an admin connection to create a throw-away database, dropped at the end.
With LMS_BENCH_KEEP=<name> the database <name> is kept (and reused, without generating
again, when it already holds a generated province), so timings can be repeated.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
import time

from sqlalchemy import create_engine, select, text

ADMIN_URL = os.environ.get("LMS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def timed(label: str, func, repeat: int = 3):
    best, value = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = func()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<55} {best * 1000:9.1f} ms")
    return value


def main() -> None:
    cadres = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    per_cadre = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    from lms import create_app
    from lms.cli import upgrade_database
    from lms.db import db
    from lms.evaluation import reports
    from lms.evaluation.board import BoardFilters, board_count, board_query
    from lms.evaluation.generate import generate
    from lms.org.models import Unit

    keep = os.environ.get("LMS_BENCH_KEEP")
    name = keep or f"lms_bench_{secrets.token_hex(3)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        app = create_app({"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "bench"})
        with app.app_context():
            upgrade_database()
            session = db.new_session()
            province = session.scalar(select(Unit).where(Unit.code.like("gen-%"), Unit.parent_id.is_(None)))
            if province is None:
                start = time.perf_counter()
                counts = generate(session, cadres, per_cadre, progress=lambda m: print("  " + m, flush=True))
                session.commit()
                print(f"generated {counts} in {time.perf_counter() - start:.1f} s")
                session.execute(text("ANALYZE"))
                session.commit()
                province = session.get(Unit, counts["province_id"])
            else:
                print(f"reusing the province already generated in database {name}")
            commune = session.scalar(select(Unit).where(Unit.parent_id == province.id).limit(1))
            scope = Unit.path.startswith(province.path)
            today = dt.date.today()
            for label, filters in (
                ("board list, province, page 1", BoardFilters()),
                ("board list, band = Giỏi", BoardFilters(band="Giỏi")),
                (
                    "board list, one commune, in pool",
                    BoardFilters(unit_id=commune.id, planning_status="in_pool"),
                ),
                ("board list, standard gap", BoardFilters(gap="gap")),
                ("board list, year filter", BoardFilters(year=today.year)),
            ):
                query = board_query(scope, filters, today)
                timed(label + " (rows)", lambda q=query: session.execute(q.limit(50)).all())
                count = board_count(scope, filters, today)
                timed(label + " (count)", lambda q=count: session.scalar(q))
            timed(
                "unit report, whole province, 5 years",
                lambda: reports.build(session, province, today.year - 4, today.year),
                repeat=1,
            )
            timed(
                "unit report, one commune, 5 years",
                lambda: reports.build(session, commune, today.year - 4, today.year),
            )
            session.close()
        db.state(app).engine.dispose()
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
