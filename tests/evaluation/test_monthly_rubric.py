"""The Bắc Giang model's monthly rubric feeds the record: one level per criterion gives the
month's points, named in the comment; a half-filled rubric is refused and keeps the choices."""

import datetime as dt
import json
import re

from sqlalchemy import select

from lms.evaluation import services
from lms.evaluation.models import Assessment
from lms.programs.models import Cohort, Enrollment, Program
from tests.fixtures import csrf_token

RUBRIC = {
    "assessor": "Người hướng dẫn của sở",
    "frequency": "Hằng tháng",
    "criteria": [
        {"criterion": "Chuyên cần", "levels": [["Vắng nhiều", 0], ["Đủ buổi", 4]]},
        {"criterion": "Thực hành", "levels": [["Sai nhiều", 0], ["Làm được", 3], ["Làm tốt", 6]]},
    ],
}


def _cohort(session, world, cadre):
    program = Program(
        code="bg-thu",
        title="Tại chỗ",
        duration_days=60,
        delivery=json.dumps(
            {"months": 3, "mentoring_unit": "Sở Tư pháp", "assessment": RUBRIC}, ensure_ascii=False
        ),
    )
    cohort = Cohort(
        code="bg-thu-1",
        title="Đợt 1 tại chỗ",
        program=program,
        unit=world.province,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 5, 31),
    )
    session.add_all([program, cohort])
    session.flush()
    session.add(Enrollment(cohort_id=cohort.id, profile_id=cadre.id))
    session.commit()
    return cohort


def test_rubric_levels_give_the_months_points(client, world, factory, session, login_as):
    cadre = factory.profile(unit=world.commune_a, name="Công Chức Tư Pháp")
    cohort = _cohort(session, world, cadre)
    login_as(world.users["instructor"])
    url = f"/evaluation/assess/{cadre.public_id}"
    html = client.get(f"{url}?cohort={cohort.id}").get_data(as_text=True)
    assert "Đợt 1 tại chỗ" in html and "Phiếu đánh giá hằng tháng" in html and 'name="rubric-1"' in html
    token = csrf_token(client, f"{url}?cohort={cohort.id}")
    base = {"csrf_token": token, "cohort_id": str(cohort.id), "kind": "monthly", "month": "2026-03"}
    response = client.post(url, data=base | {"rubric-1": "2", "comment": "Tiến bộ"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "còn thiếu tiêu chí 1" in html
    assert re.search(r'name="rubric-1" value="2" checked', html)  # the choice is kept
    response = client.post(url, data=base | {"rubric-0": "1", "rubric-1": "1", "comment": "Tiến bộ"})
    assert response.status_code == 302
    row = session.scalar(select(Assessment).where(Assessment.cadre_id == cadre.id))
    assert float(row.points) == 7.0
    assert (
        row.comment.startswith("Chuyên cần: Đủ buổi (4); Thực hành: Làm được (3)")
        and "Tiến bộ" in row.comment
    )
    record = services.recompute(session, cadre.id, cohort.id)
    assert record.components_data["assessment"]["score"] == "7.00"


def test_without_a_rubric_the_points_are_typed(client, world, factory, session, login_as):
    cadre = factory.profile(unit=world.commune_a, name="Không Phiếu")
    login_as(world.users["instructor"])
    url = f"/evaluation/assess/{cadre.public_id}"
    html = client.get(url).get_data(as_text=True)
    assert 'name="rubric-0"' not in html
