"""A province-scale synthetic dataset for benchmarks (100,000 cadres, 2 million results).

Bulk inserts of plain dicts (``session.execute(insert(table), rows)``) in batches of 5,000;
no ORM objects and no audit entries per row (this is test data, not history). Deterministic
for a given seed. Evaluation records are written directly from the generated scores with the
default scheme, so the board list and reports have something to read.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import secrets
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from lms.db import fold_key, utcnow
from lms.evaluation.models import EvaluationRecord, dumps
from lms.evaluation.services import band_for, scheme_for
from lms.org.models import (
    CadreProfile,
    CadreQualification,
    PlanningStatus,
    QualificationKind,
    QualificationLevel,
    Title,
)
from lms.org.services import create_unit
from lms.results.models import Result

BATCH = 5_000
PROGRAMS = ["qn-2022-bi-thu", "qn-2022-hdnd", "qn-2022-ubnd", "qn-2022-mttq", "bg-cong-chuc-linh-vuc"]
PURPOSES = ["entrance", "exit", "scenario", "final", "practice"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu"]
GIVEN = ["Hùng", "Lan", "Tuấn", "Hoa", "Dũng", "Mai", "Nam", "Hương", "Sơn", "Thảo", "Long", "Yến"]
COHORT_BASE = 9_000_000  # synthetic cohort ids, far above real ones


def _flush(session: Session, model, rows: list[dict], returning: bool = False) -> list[int]:
    """Core executemany of plain dicts on the model's table. (The ORM bulk path splits a
    batch into many statements whenever the pattern of NULLs changes; RETURNING for every
    batch makes psycopg parse one huge multi-VALUES statement, slower still.)"""
    if not rows:
        return []
    table = model.__table__
    ids: list[int] = []
    if returning:  # cadre ids are needed for their results
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(session.scalars(statement, rows))
    else:
        session.execute(insert(table), rows)
    rows.clear()
    return ids


def generate(
    session: Session,
    cadres: int,
    results_per_cadre: int,
    *,
    seed: int = 2026,
    progress: Callable[[str], None] = lambda _message: None,
) -> dict[str, int]:
    rng = random.Random(seed)
    tag = secrets.token_hex(3)
    province = create_unit(session, code=f"gen-{tag}", name=f"Tỉnh Mô Phỏng {tag}", kind="province")
    communes = [
        create_unit(session, code=f"gen-{tag}-{n}", name=f"Xã Mô Phỏng {n}", kind="commune", parent=province)
        for n in range(1, max(3, cadres // 500) + 1)
    ]
    session.flush()
    titles = list(session.scalars(select(Title.id).where(Title.valid_to.is_(None))))
    levels = {
        kind: list(session.scalars(select(QualificationLevel.id).where(QualificationLevel.kind == kind)))
        for kind in (
            QualificationKind.professional,
            QualificationKind.political,
            QualificationKind.state_mgmt,
        )
    }
    scheme = scheme_for(session, None)
    bands = scheme.bands_data
    origin = (session.scalar(select(func.max(Result.origin_id))) or 0) + 1
    statuses = (
        [PlanningStatus.none] * 6 + [PlanningStatus.in_pool] * 3 + [PlanningStatus.proposed_appointment]
    )
    this_year = dt.date.today().year
    now = utcnow()
    counts = defaultdict(int)

    for start in range(0, cadres, BATCH):
        size = min(BATCH, cadres - start)
        rows = []
        for _ in range(size):
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            rows.append(
                {
                    "public_id": secrets.token_urlsafe(9),
                    "full_name": name,
                    "name_key": fold_key(name),
                    "birth_year": rng.randint(1965, 1998),
                    "gender": rng.choice(("nam", "nu")),
                    "ethnicity": "Kinh",
                    "unit_id": rng.choice(communes).id,
                    "title_id": rng.choice(titles) if titles else None,
                    "title_since": dt.date(rng.randint(2015, this_year), rng.randint(1, 12), 1),
                    "planning_status": rng.choice(statuses),
                }
            )
        ids = _flush(session, CadreProfile, rows, returning=True)
        quals, results, records = [], [], []
        for cadre_id in ids:
            for options in levels.values():
                if options and rng.random() < 0.8:
                    quals.append({"profile_id": cadre_id, "level_id": rng.choice(options), "field": None})
            per_cohort: dict[int, list] = defaultdict(list)
            for n in range(results_per_cadre):
                program = rng.randrange(len(PROGRAMS))
                year = this_year - rng.randrange(5)
                cohort = COHORT_BASE + program * 100 + (this_year - year)
                purpose = PURPOSES[n % len(PURPOSES)]
                score = decimal.Decimal(rng.randint(20, 100)) / 10
                finished = dt.datetime(year, rng.randint(1, 12), rng.randint(1, 28), 8, tzinfo=dt.UTC)
                results.append(
                    {
                        "public_id": secrets.token_urlsafe(9),
                        "cadre_id": cadre_id,
                        "kind": "scenario" if purpose == "scenario" else "quiz",
                        "origin_id": origin,
                        "source_id": program + 1,
                        "source_version": 1,
                        "source_title": f"{PROGRAMS[program]} — {purpose}",
                        "purpose": purpose,
                        "topic_code": f"{PROGRAMS[program]}-{n % 4 + 1}",
                        "program_code": PROGRAMS[program],
                        "cohort_id": cohort,
                        "score": score,
                        "passed": score >= 5,
                        "pending": False,
                        "finished_at": finished,
                        "updated_at": now,
                        "details": None,
                    }
                )
                origin += 1
                if purpose != "practice":
                    per_cohort[cohort].append((PROGRAMS[program], year, score))
                if len(results) >= BATCH:
                    counts["results"] += len(results)
                    _flush(session, Result, results)
            for cohort, items in per_cohort.items():
                total = (sum(s for _, _, s in items) / len(items)).quantize(decimal.Decimal("0.01"))
                records.append(
                    {
                        "public_id": secrets.token_urlsafe(9),
                        "cadre_id": cadre_id,
                        "cohort_id": cohort,
                        "program_code": items[0][0],
                        "year": items[0][1],
                        "scheme_id": scheme.id,
                        "total": total,
                        "band": band_for(total, bands),
                        "passed": total >= scheme.pass_mark,
                        "certificate": False,
                        "certificate_reason": "Dữ liệu mô phỏng",
                        "renormalised": True,
                        "components": "{}",
                        "gains": "{}",
                        "recommendation": dumps(
                            {
                                "decision": "propose_removal",
                                "label": "Đề nghị đưa ra khỏi quy hoạch",
                                "text": "Dữ liệu mô phỏng",
                                "reference": "—",
                            }
                        )
                        if total < 5
                        else None,
                        "computed_at": now,
                    }
                )
        counts["results"] += len(results)
        counts["qualifications"] += len(quals)
        counts["records"] += len(records)
        _flush(session, Result, results)
        for chunk in range(0, len(quals), BATCH):
            _flush(session, CadreQualification, quals[chunk : chunk + BATCH])
        for chunk in range(0, len(records), BATCH):
            _flush(session, EvaluationRecord, records[chunk : chunk + BATCH])
        counts["cadres"] += len(ids)
        session.commit()
        progress(
            f"{counts['cadres']}/{cadres} cadres, {counts['results']} results, {counts['records']} records"
        )
    counts["units"] = len(communes) + 1
    counts["province_id"] = province.id
    return dict(counts)
