"""A learner and a board read a cohort by its title ("Lớp 1 — …"), never by its database id: the
learner's evaluation page (survey links), the record page and the assessments list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lms.evaluation import services
from lms.evaluation.models import EvaluationRecord
from lms.programs.models import Cohort, Program
from tests.evaluation.helpers import result

TITLE = "Lớp Chủ tịch UBND xã khóa 3"


def _cohort(session, world, factory):
    program = Program(code="p-names", title="Chương trình tên lớp", duration_days=5)
    session.add(program)
    session.flush()
    # other cohorts first, so the id differs from the "Lớp N" a learner would read
    for n in range(3):
        session.add(
            Cohort(
                code=f"lop-khac-{n}",
                title=f"Lớp khác {n}",
                program_id=program.id,
                unit_id=world.commune_a.id,
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 1, 5),
            )
        )
    cohort = Cohort(
        code="lop-ten",
        title=TITLE,
        program_id=program.id,
        unit_id=world.commune_a.id,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 5),
    )
    session.add(cohort)
    session.flush()
    profile = factory.profile(unit=world.commune_a, name="Cán Bộ Tên Lớp", user=world.users["learner"])
    result(session, profile, "exit", 8.0, cohort_id=cohort.id, program="p-names", details=None)
    services.recompute(session, profile.id, cohort.id)
    session.commit()
    return cohort, profile


def test_learner_reads_the_cohort_title(client, world, factory, session, login_as):
    cohort, _profile = _cohort(session, world, factory)
    login_as(world.users["learner"])
    html = client.get("/evaluation/me").get_data(as_text=True)
    assert TITLE in html
    assert f"Lớp {cohort.id}:" not in html


def test_record_page_names_the_cohort(client, world, factory, session, login_as):
    cohort, profile = _cohort(session, world, factory)
    record = session.scalar(select(EvaluationRecord).where(EvaluationRecord.cadre_id == profile.id))
    login_as(world.users["admin"])
    response = client.get(f"/evaluation/records/{record.public_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert TITLE in html and f"lớp {cohort.id} ·" not in html
