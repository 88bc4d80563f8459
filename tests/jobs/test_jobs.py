"""Jobs in-process: ask → queued page → run (Huey's memory broker, drained here) → download;
scope and ownership of downloads; bounded retries; stalled jobs; periodic tasks; expiry."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.audit import AuditEntry
from lms.db import utcnow
from lms.jobs import queue, runner, services
from lms.jobs.models import Job, JobStatus
from tests.fixtures import csrf_token, login
from tests.jobs import slow_kind


def _ask_report(client, unit, fmt="xlsx", year_from=2022, year_to=2026):
    token = csrf_token(client, f"/evaluation/reports?unit_id={unit.id}")
    return client.post(
        "/jobs/report",
        data={
            "csrf_token": token,
            "unit_id": unit.id,
            "year_from": year_from,
            "year_to": year_to,
            "fmt": fmt,
        },
    )


def _job(session, response) -> Job:
    public_id = response.headers["Location"].rsplit("/", 1)[-1]
    session.expire_all()
    return session.scalar(select(Job).where(Job.public_id == public_id))


def test_report_request_progress_page_run_and_download(jobs_app, drain, client, world, factory, session):
    factory.profile(unit=world.commune_a, name="Cán Bộ Một")
    factory.profile(unit=world.commune_b, name="Cán Bộ Hai")
    session.commit()
    board = world.users["board"]
    login(client, board)
    page = client.get(f"/evaluation/reports?unit_id={world.province.id}").get_data(as_text=True)
    assert "Tạo báo cáo Excel cho toàn bộ phạm vi" in page
    response = _ask_report(client, world.province)
    assert response.status_code == 303
    job = _job(session, response)
    assert job.status is JobStatus.queued and job.owner_id == board.id and job.unit_id == world.province.id

    waiting = client.get(f"/jobs/{job.public_id}").get_data(as_text=True)
    assert "Đang tạo…" in waiting and 'http-equiv="refresh"' in waiting and "<progress" in waiting
    # the sign right after the number, as CLDR's Vietnamese "#,##0%" (jobs.js updates the span)
    assert 'Tiến độ: <span id="job-percent">0</span>%</label>' in waiting and ">0%</progress>" in waiting
    assert client.get(f"/jobs/{job.public_id}/status.json").get_json()["status"] == "queued"
    assert client.get(f"/jobs/{job.public_id}/download").status_code == 404  # not ready yet

    assert drain() == 1
    session.expire_all()
    assert job.status is JobStatus.done and job.progress == 100 and job.attempts == 1
    state = client.get(f"/jobs/{job.public_id}/status.json").get_json()
    assert state["done"] and state["finished"]
    done = client.get(f"/jobs/{job.public_id}").get_data(as_text=True)
    assert "http-equiv" not in done and f"/jobs/{job.public_id}/download" in done

    download = client.get(f"/jobs/{job.public_id}/download")
    assert download.status_code == 200
    assert "bao-cao-" in download.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(download.data))
    assert book["Số cán bộ"]["B3"].value == 2  # the two cadres of the province's subtree
    actions = {
        (e.action, e.actor_id)
        for e in session.scalars(select(AuditEntry).where(AuditEntry.object_id == job.public_id))
    }
    assert {("job.request", board.id), ("job.done", board.id), ("job.download", board.id)} <= actions


def test_csv_report_and_asking_twice_gives_the_same_job(jobs_app, drain, client, world, session):
    login(client, world.users["board"])
    first = _job(session, _ask_report(client, world.commune_a, fmt="csv"))
    second = _job(session, _ask_report(client, world.commune_a, fmt="csv"))
    assert first.id == second.id  # still queued: not run twice
    assert drain() == 1
    data = client.get(f"/jobs/{first.public_id}/download")
    assert data.status_code == 200 and data.data.startswith("\ufeff".encode())
    assert "Xã A" in data.data.decode("utf-8")


def test_board_of_commune_a_cannot_ask_for_or_download_commune_b(jobs_app, drain, app, world, session):
    province_board = app.test_client()
    login(province_board, world.users["board"])
    job_b = _job(session, _ask_report(province_board, world.commune_b))
    drain()
    assert province_board.get(f"/jobs/{job_b.public_id}/download").status_code == 200

    board_a = app.test_client()
    login(board_a, world.board_a)
    assert _ask_report(board_a, world.commune_b).status_code == 403  # not in A's subtree
    for path in ("", "/status.json", "/download"):
        assert board_a.get(f"/jobs/{job_b.public_id}{path}").status_code == 403, path
    own = _job(session, _ask_report(board_a, world.commune_a))
    drain()
    assert board_a.get(f"/jobs/{own.public_id}/download").status_code == 200
    # another user's job, even in scope, is not theirs
    assert province_board.get(f"/jobs/{own.public_id}/download").status_code == 403
    learner = app.test_client()
    login(learner, world.users["learner"])
    assert learner.get(f"/jobs/{own.public_id}/download").status_code == 403
    assert _ask_report(learner, world.commune_a).status_code == 403
    admin = app.test_client()
    login(admin, world.users["admin"])
    assert admin.get(f"/jobs/{own.public_id}/download").status_code == 200


def test_owner_moved_out_of_the_unit_loses_the_download(jobs_app, drain, client, world, session):
    login(client, world.board_a)
    job = _job(session, _ask_report(client, world.commune_a))
    drain()
    world.board_a.unit = world.commune_b
    session.commit()
    assert client.get(f"/jobs/{job.public_id}/download").status_code == 403


def test_bad_request_is_a_message_not_a_500(jobs_app, client, world):
    login(client, world.users["board"])
    token = csrf_token(client, "/evaluation/reports")
    response = client.post("/jobs/report", data={"csrf_token": token, "unit_id": "x", "year_from": 1900})
    assert response.status_code == 302
    assert "Chưa tạo được báo cáo" in client.get(response.headers["Location"]).get_data(as_text=True)
    missing = client.post(
        "/jobs/report", data={"csrf_token": token, "unit_id": 999999, "year_from": 2024, "year_to": 2025}
    )
    assert missing.status_code == 404
    assert client.get("/jobs/khong-co").status_code == 404


def test_retries_are_bounded_and_the_failure_is_said_in_vietnamese(jobs_app, drain, client, world, session):
    slow_kind.RUNS["fail"] = 0
    job, _ = services.request_job(session, world.users["admin"], "test.fail", {}, utcnow(), max_attempts=3)
    session.commit()
    queue.enqueue(jobs_app, job.id)
    drain()  # the retries are scheduled (delay 0 here) and drained too
    session.expire_all()
    assert slow_kind.RUNS["fail"] == 3
    assert job.status is JobStatus.failed and job.attempts == 3 and "máy in hết giấy" in job.error
    # the same id handed over again runs nothing
    queue.enqueue(jobs_app, job.id)
    drain()
    assert slow_kind.RUNS["fail"] == 3
    login(client, world.users["admin"])
    page = client.get(f"/jobs/{job.public_id}").get_data(as_text=True)
    assert "Đã thử 3 lần nhưng không tạo được kết quả." in page and "máy in hết giấy" in page


def test_a_request_that_cannot_succeed_is_not_retried(jobs_app, drain, session, world):
    job, _ = services.request_job(
        session,
        world.users["board"],
        "report",
        {"unit_id": 999999, "year_from": 2024, "year_to": 2025, "fmt": "xlsx"},
        utcnow(),
    )
    session.commit()
    queue.enqueue(jobs_app, job.id)
    drain()
    session.expire_all()
    assert job.status is JobStatus.failed and job.attempts == 1
    assert job.error == "Đơn vị của báo cáo không còn tồn tại."


def test_stalled_job_goes_back_to_the_queue_then_fails_when_attempts_are_used(
    jobs_app, drain, session, world
):
    old = utcnow() - dt.timedelta(hours=1)
    job, _ = services.request_job(
        session,
        world.users["board"],
        "report",
        {"unit_id": world.commune_a.id, "year_from": 2024, "year_to": 2025, "fmt": "csv"},
        utcnow(),
        unit=world.commune_a,
    )
    job.status, job.attempts, job.heartbeat_at = JobStatus.running, 1, old  # a killed worker's
    worn, _ = services.request_job(session, world.users["board"], "test.fail", {}, utcnow(), max_attempts=2)
    worn.status, worn.attempts, worn.heartbeat_at = JobStatus.running, 2, old
    session.commit()
    counts = runner.requeue_stalled(jobs_app)
    assert counts["requeued"] == 1 and counts["failed"] == 1
    drain()
    session.expire_all()
    assert job.status is JobStatus.done and job.attempts == 2
    assert worn.status is JobStatus.failed and worn.error == runner.STALLED_MESSAGE


def test_fresh_running_job_is_left_alone(jobs_app, session, world):
    job, _ = services.request_job(session, world.users["board"], "test.fail", {}, utcnow())
    job.status, job.attempts, job.heartbeat_at = JobStatus.running, 1, utcnow()
    session.commit()
    assert runner.requeue_stalled(jobs_app)["requeued"] == 0


def test_periodic_close_overdue_runs_every_minute(jobs_app, session, world, factory):
    from lms.quizzes import services as quiz_services
    from lms.quizzes.models import AttemptState
    from tests.quizzes.helpers import NOW, load_sample, make_quiz

    load_sample(session)
    learner = world.users["learner"]
    factory.profile(user=learner)
    quiz = make_quiz(session, world.province, codes=("kt-1",), time_limit_minutes=30, attempts_allowed=2)
    attempt = quiz_services.start_attempt(session, learner, quiz, NOW)
    session.commit()
    huey = queue.state(jobs_app).huey
    minute = dt.datetime(2026, 12, 2, 10, 31)
    periodic = {task.name for task in huey.read_periodic(minute)}
    assert "lms.jobs.every_minute" in periodic and "lms.jobs.hourly" not in periodic
    assert "lms.jobs.hourly" in {task.name for task in huey.read_periodic(minute.replace(minute=17))}
    for task in huey.read_periodic(minute):  # what Huey's scheduler enqueues at that minute
        huey.enqueue(task)
    queue.drain(jobs_app)
    session.expire_all()
    assert attempt.state is AttemptState.finished
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "quizzes.close_overdue")) is not None


def test_expired_results_are_removed(jobs_app, drain, client, world, session):
    login(client, world.users["board"])
    job = _job(session, _ask_report(client, world.commune_a))
    drain()
    session.expire_all()
    path = runner.result_dir(jobs_app) / job.result_file
    assert path.is_file()
    assert runner.purge_expired(jobs_app, now=utcnow() + dt.timedelta(days=6)) == 0
    assert runner.purge_expired(jobs_app, now=utcnow() + dt.timedelta(days=8)) == 1  # LMS_JOB_RESULT_DAYS=7
    session.expire_all()
    assert not path.exists() and job.status is JobStatus.expired
    assert client.get(f"/jobs/{job.public_id}/download").status_code == 404
    assert "Tệp đã hết hạn" in client.get(f"/jobs/{job.public_id}").get_data(as_text=True)


def test_admin_lists_jobs_and_retries_a_failed_one(jobs_app, drain, app, world, session):
    job, _ = services.request_job(session, world.users["board"], "test.fail", {}, utcnow(), max_attempts=1)
    session.commit()
    queue.enqueue(jobs_app, job.id)
    drain()
    admin = app.test_client()
    login(admin, world.users["admin"])
    page = admin.get("/admin/jobs?status=failed").get_data(as_text=True)
    assert "Luôn lỗi (thử)" in page and "Chạy lại" in page
    # on a phone each job stacks into labelled lines instead of a table scrolled sideways
    assert 'class="table-wrap stack"' in page and 'data-label="Trạng thái"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert admin.post(f"/admin/jobs/{job.public_id}/retry", data={"csrf_token": token}).status_code == 303
    session.expire_all()
    assert job.status is JobStatus.queued and job.attempts == 0
    # a job that did not fail cannot be retried
    drain()
    session.expire_all()
    assert job.status is JobStatus.failed
    board = app.test_client()
    login(board, world.users["board"])
    assert board.get("/admin/jobs").status_code == 403
    assert board.post(f"/admin/jobs/{job.public_id}/retry", data={"csrf_token": token}).status_code in (
        400,
        403,
    )


def test_admin_runs_recompute_and_backup_as_jobs(jobs_app, drain, client, world, session):
    login(client, world.users["admin"])
    token = csrf_token(client, "/admin/jobs")
    response = client.post("/admin/jobs", data={"csrf_token": token, "kind": "recompute"})
    job = _job(session, response)
    drain()
    session.expire_all()
    assert job.status is JobStatus.done and job.step.endswith("hồ sơ đã tính lại")
    assert client.post("/admin/jobs", data={"csrf_token": token, "kind": "khong-co"}).status_code == 400


def test_big_scope_shows_no_tables_inline(jobs_app, client, world, app):
    login(client, world.users["board"])
    app.config["LMS_REPORT_INLINE_MAX_CADRES"] = -1
    try:
        page = client.get(f"/evaluation/reports?unit_id={world.province.id}").get_data(as_text=True)
        assert "các bảng không hiện ngay" in page and "Tạo báo cáo Excel cho toàn bộ phạm vi" in page
        assert '<section class="report"' not in page  # the 11-16 s of a province are not spent here
        export = client.get(f"/evaluation/reports/export.xlsx?unit_id={world.province.id}")
        assert export.status_code == 302
    finally:
        app.config["LMS_REPORT_INLINE_MAX_CADRES"] = 20000


def test_big_quiz_results_export_runs_as_a_job(jobs_app, drain, client, world, session, app, factory):
    from tests.quizzes.helpers import load_sample, make_quiz

    load_sample(session)
    quiz = make_quiz(session, world.province, codes=("kt-1",), time_limit_minutes=30)
    session.commit()
    login(client, world.users["admin"])
    app.config["LMS_JOB_EXPORT_INLINE_MAX"] = -1
    try:
        response = client.get(f"/quizzes/manage/{quiz.public_id}/results.xlsx")
    finally:
        app.config["LMS_JOB_EXPORT_INLINE_MAX"] = 2000
    assert response.status_code == 303
    job = _job(session, response)
    drain()
    download = client.get(f"/jobs/{job.public_id}/download")
    assert download.status_code == 200 and "ket-qua-" in download.headers["Content-Disposition"]
    load_workbook(io.BytesIO(download.data))


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:6379/15"])
def test_redis_broker_carries_jobs(jobs_app, session, world, broker):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    jobs_app.config["LMS_JOB_BROKER"] = broker
    queue.state(jobs_app)._huey = None
    huey = queue.state(jobs_app).huey
    huey.flush()
    job, _ = services.request_job(
        session,
        world.users["board"],
        "report",
        {"unit_id": world.commune_a.id, "year_from": 2024, "year_to": 2025, "fmt": "csv"},
        utcnow(),
        unit=world.commune_a,
    )
    session.commit()
    assert queue.enqueue(jobs_app, job.id)
    assert huey.pending_count() == 1
    assert queue.drain(jobs_app) == 1
    session.expire_all()
    assert job.status is JobStatus.done
