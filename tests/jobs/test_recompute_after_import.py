"""Records recompute after an import that changes their inputs: a program's evaluation weights
changed by the content import (CLI) or the scheme form (web) → a ``recompute`` job for that
program, written in the same transaction, handed to the queue after the commit; the CLI says so,
the web page sends the person to the job's progress page. An import that changes nothing asks
for nothing."""

from __future__ import annotations

import decimal
import shutil
from pathlib import Path

from sqlalchemy import select

from lms.evaluation import services as evaluation
from lms.evaluation.models import EvaluationRecord
from lms.jobs.models import Job, JobStatus
from tests.evaluation.helpers import result
from tests.fixtures import csrf_token, login

CONTENT = Path(__file__).parents[1] / "programs" / "data" / "content"
V1 = {"pass_mark": 5.0, "weights": {"entrance": 0, "exit": 0.5, "scenarios": 0.3, "assessment": 0.2}}


def _record_on_v1(session, factory, world, program="p-ubnd") -> EvaluationRecord:
    evaluation.ensure_scheme(session, program, V1)
    cadre = factory.profile(unit=world.commune_a)
    result(session, cadre, "exit", decimal.Decimal("8.00"), program=program, cohort_id=7)
    result(session, cadre, "scenario", decimal.Decimal("4.00"), program=program, cohort_id=7)
    session.commit()
    record = session.scalar(select(EvaluationRecord).where(EvaluationRecord.cadre_id == cadre.id))
    assert record is not None
    return record


def _recompute_jobs(session):
    session.expire_all()
    return session.scalars(select(Job).where(Job.kind == "recompute").order_by(Job.id)).all()


def _form(token, **weights):
    data = {
        "csrf_token": token,
        "pass_mark": "5",
        "component_min": "0",
        "attendance_min_pct": "0",
        "bands": "Đạt | 5\nKhông đạt | 0",
        "rules": "",
        "note": "Đổi trọng số",
        "w_entrance": "0",
        "w_exit": "0.5",
        "w_scenarios": "0.3",
        "w_assessment": "0.2",
        "w_attendance": "0",
        "w_reflection": "0",
    }
    data.update({f"w_{k}": v for k, v in weights.items()})
    return data


def test_scheme_form_change_sends_the_admin_to_the_recompute_job(
    jobs_app, drain, client, world, factory, session
):
    record = _record_on_v1(session, factory, world)
    old_scheme, old_total = record.scheme_id, record.total
    admin = world.users["admin"]
    login(client, admin)
    url = "/evaluation/schemes/p-ubnd/edit"
    response = client.post(url, data=_form(csrf_token(client, url), exit="0.2", scenarios="0.6"))
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "đang được tính lại theo cách đánh giá mới" in page and "Tính lại hồ sơ đánh giá" in page
    (job,) = _recompute_jobs(session)
    assert job.status is JobStatus.queued and job.owner_id == admin.id
    assert job.data == {"program_code": "p-ubnd"}
    session.refresh(record)
    assert record.scheme_id == old_scheme  # not computed in the request

    assert drain() == 1
    session.expire_all()
    (job,) = _recompute_jobs(session)
    assert job.status is JobStatus.done and job.step == "1 hồ sơ đã tính lại"
    record = session.get(EvaluationRecord, record.id)
    assert record.scheme_id != old_scheme and record.total != old_total


def test_scheme_form_without_records_asks_for_nothing(jobs_app, client, world, session):
    login(client, world.users["admin"])
    url = "/evaluation/schemes/p-khac/edit"
    response = client.post(url, data=_form(csrf_token(client, url)))
    assert response.status_code == 302 and response.headers["Location"].endswith("/evaluation/schemes")
    assert _recompute_jobs(session) == []


def test_cli_content_import_that_changes_weights_queues_the_recompute_and_says_so(
    jobs_app, runner, world, factory, session, tmp_path
):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    assert runner.invoke(args=["content", "import", str(root)]).exit_code == 0
    record = _record_on_v1(session, factory, world)  # the imported weights are V1's
    unchanged = runner.invoke(args=["content", "import", str(root)])
    assert "recomputed by job" not in unchanged.output and _recompute_jobs(session) == []

    program = root / "programs" / "p-ubnd.yaml"
    program.write_text(
        program.read_text("utf-8").replace(
            "weights: {entrance: 0, exit: 0.5, scenarios: 0.3, assessment: 0.2}",
            "weights: {entrance: 0, exit: 0.3, scenarios: 0.5, assessment: 0.2}",
        ),
        "utf-8",
    )
    changed = runner.invoke(args=["content", "import", str(root)])
    assert changed.exit_code == 0, changed.output
    (job,) = _recompute_jobs(session)
    assert job.owner_id is None and job.data == {"program_code": "p-ubnd"}  # the system's
    assert f"evaluation: records of p-ubnd are recomputed by job {job.public_id}" in changed.output
    assert "flask --app lms jobs run-pending" in changed.output
    old_total = record.total
    ran = runner.invoke(args=["jobs", "run-pending"])
    assert ran.exit_code == 0 and "1 tasks run" in ran.output
    session.expire_all()
    assert session.get(EvaluationRecord, record.id).total != old_total
