"""The demo step: imports content, creates the demo cohorts, enrolls the demo learner; idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from lms.auth.models import Role
from lms.programs import demo
from lms.programs.models import Cohort, Enrollment

DATA = Path(__file__).parent / "data" / "content"


def test_missing_content_gives_a_message(session, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "CONTENT", tmp_path / "none")
    assert "no content files" in demo.load_content(session)


def test_demo_cohorts_and_enrollment(session, factory, monkeypatch, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DATA, content)
    program = content / "programs" / "p-ubnd.yaml"
    program.write_text(program.read_text("utf-8").replace("code: p-ubnd", "code: qn-2022-ubnd"), "utf-8")
    quiz = content / "quizzes" / "p-ubnd-dau-ra.yaml"
    quiz.write_text(quiz.read_text("utf-8").replace("program: p-ubnd", "program: qn-2022-ubnd"), "utf-8")
    monkeypatch.setattr(demo, "CONTENT", content)
    province = factory.unit("Tỉnh Quảng Ninh", kind="province")
    province.code = "qn"
    commune = factory.unit("Xã Tân Lập", parent=province)
    factory.user(Role.instructor, province, username="giangvien")
    learner = factory.user(Role.learner, commune, username="hocvien")
    factory.profile(user=learner)
    session.flush()
    first = demo.load_content(session)
    assert "demo cohorts: 1 created" in first
    cohort = session.scalar(select(Cohort).where(Cohort.code == "qn-2022-ubnd-lop-1"))
    assert cohort.instructors[0].username == "giangvien" and cohort.unit.code == "qn"
    assert cohort.sessions[0].date.isoformat() == "2026-12-07"
    assert len({s.date for s in cohort.sessions}) == 5
    assert session.scalar(select(func.count(Enrollment.id))) == 1
    second = demo.load_content(session)
    assert "demo cohorts: 0 created" in second and "0 created, 0 updated, 1 unchanged" in second
    assert session.scalar(select(func.count(Enrollment.id))) == 1
