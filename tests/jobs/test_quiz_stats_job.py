"""Quiz statistics as a job: asked by the minute sweep when a quiz's close time passes (as the
system, once per close), by an instructor closing the exam, or by "Tính lại"; stored, and read
by the statistics page with their date instead of being computed in the request."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from lms.audit import AuditEntry
from lms.db import utcnow
from lms.jobs import runner
from lms.jobs.models import Job, JobStatus
from lms.quizzes import services
from lms.quizzes.models import Attempt, AttemptState
from lms.quizzes.qtypes import get_type
from lms.quizzes.stored_stats import StoredStats
from tests.fixtures import csrf_token, login
from tests.quizzes.helpers import make_quiz, single


def _answer(session, attempt, right: bool, now):
    fields = {}
    for slot in attempt.slots:
        shown = get_type(slot.version.qtype, slot.version.data).shown_ids(slot.order)
        fields[f"q{slot.position}"] = [str(shown.index("c1" if right else "c2"))]
    services.save_answers(session, attempt, [(s.position, fields, 1) for s in attempt.slots], now)


def _exam(
    session, world, factory, papers=(True, True, False), closes_in=dt.timedelta(hours=2), open_one=False
):
    """A two-question quiz in the province, finished papers (right/wrong on both), and
    optionally one learner still writing."""
    for code in ("tk-1", "tk-2"):
        single(session, code=code)
    start = utcnow() - dt.timedelta(hours=1)
    quiz = make_quiz(
        session,
        world.province,
        codes=("tk-1", "tk-2"),
        code="thi-tk",
        title="Kỳ thi thống kê",
        opens_at=start - dt.timedelta(hours=1),
        closes_at=utcnow() + closes_in,
    )
    for n, right in enumerate(papers):
        user = factory.user("learner", world.commune_a, username=f"thi-{n}")
        factory.profile(user=user, name=f"Học Viên {n}")
        attempt = services.start_attempt(session, user, quiz, start)
        _answer(session, attempt, right, start + dt.timedelta(minutes=5))
        services.submit_attempt(session, attempt, start + dt.timedelta(minutes=10))
    writing = None
    if open_one:
        user = factory.user("learner", world.commune_a, username="thi-dang-lam")
        factory.profile(user=user, name="Đang Làm")
        writing = services.start_attempt(session, user, quiz, utcnow() - dt.timedelta(minutes=2))
        _answer(session, writing, True, utcnow() - dt.timedelta(minutes=1))
    session.commit()
    return quiz, writing


def _stats_jobs(session, quiz):
    session.expire_all()
    return session.scalars(
        select(Job)
        .where(Job.kind == "quiz_stats", Job.params == json.dumps({"quiz_id": quiz.id}))
        .order_by(Job.id)
    ).all()


def test_the_sweep_asks_once_per_close_as_the_system_and_the_page_reads_the_stored_figures(
    jobs_app, drain, client, world, factory, session
):
    quiz, _ = _exam(session, world, factory, closes_in=dt.timedelta(hours=2))
    assert runner.stats_after_close(jobs_app) == []  # still open: nothing asked
    quiz.closes_at = utcnow() - dt.timedelta(minutes=1)  # the close time has passed
    session.commit()
    first = runner.stats_after_close(jobs_app)
    assert len(first) == 1
    assert runner.stats_after_close(jobs_app) == []  # queued: not asked twice
    assert drain() == 1
    (job,) = _stats_jobs(session, quiz)
    assert job.status is JobStatus.done and job.owner_id is None and job.attempts == 1
    stored = session.scalar(select(StoredStats).where(StoredStats.quiz_id == quiz.id))
    assert stored.attempts == 3 and stored.job_id == job.public_id
    assert stored.report.mean == pytest.approx(20 / 3)  # 10, 10, 0
    assert runner.stats_after_close(jobs_app) == []  # done for this close: idempotent
    audit = {
        (e.action, e.actor_id)
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_id.in_([job.public_id, quiz.public_id]))
        )
    }
    assert {("job.request", None), ("job.done", None), ("quiz.stats", None)} <= audit

    # the page reads the stored figures, with their date
    login(client, world.users["instructor"])
    page = client.get(f"/quizzes/manage/{quiz.public_id}/stats").get_data(as_text=True)
    assert "Số liệu tính lúc" in page and "trên 3 bài đã chấm xong" in page
    assert "6,67" in page  # Vietnamese number format of the stored mean
    assert "Tính lại" in page


def test_the_sweep_does_not_ask_again_after_a_failed_job(jobs_app, drain, world, factory, session):
    quiz, _ = _exam(session, world, factory, closes_in=-dt.timedelta(minutes=1))
    (job_id,) = runner.stats_after_close(jobs_app)
    job = session.get(Job, job_id)
    job.status = JobStatus.failed
    session.commit()
    assert runner.stats_after_close(jobs_app) == []  # bounded: one automatic job per close


def test_recompute_button_enqueues_the_job_again_and_replaces_the_figures(
    jobs_app, drain, client, world, factory, session
):
    quiz, _ = _exam(session, world, factory, papers=(True,))
    instructor = world.users["instructor"]
    login(client, instructor)
    url = f"/quizzes/manage/{quiz.public_id}/stats"
    assert "Số liệu tính ngay khi mở trang." in client.get(url).get_data(as_text=True)  # small: inline
    response = client.post(url + "/recompute", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    again = client.post(url + "/recompute", data={"csrf_token": csrf_token(client, url)})
    assert again.headers["Location"] == response.headers["Location"]  # still queued: same job
    assert drain() == 1
    (job,) = _stats_jobs(session, quiz)
    assert job.owner_id == instructor.id and job.status is JobStatus.done
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 bài đã chấm xong được thống kê" in done
    assert "Về trang thống kê" in done and f"/quizzes/manage/{quiz.public_id}/stats" in done
    first = session.scalar(select(StoredStats).where(StoredStats.quiz_id == quiz.id))
    assert first.attempts == 1
    first_job = first.job_id

    client.post(url + "/recompute", data={"csrf_token": csrf_token(client, url)})
    assert drain() == 1
    session.expire_all()
    rows = session.scalars(select(StoredStats).where(StoredStats.quiz_id == quiz.id)).all()
    assert len(rows) == 1 and rows[0].job_id != first_job  # one row per quiz, replaced
    assert client.post(url + "/recompute").status_code == 400  # no CSRF token


def test_a_big_exam_is_not_computed_in_the_request(
    jobs_app, drain, client, world, factory, session, monkeypatch
):
    quiz, _ = _exam(session, world, factory)
    jobs_app.config["LMS_JOB_EXPORT_INLINE_MAX"] = 2
    calls = []
    import lms.quizzes.stats_views as views

    monkeypatch.setattr(views, "quiz_statistics", lambda *a: calls.append(a))
    try:
        login(client, world.users["board"])
        page = client.get(f"/quizzes/manage/{quiz.public_id}/stats").get_data(as_text=True)
        assert calls == [] and "Thống kê đang được tính trong nền." in page and "Cronbach" not in page
        (job,) = _stats_jobs(session, quiz)
        assert f"/jobs/{job.public_id}" in page  # the board member's own job: its progress page
        client.get(f"/quizzes/manage/{quiz.public_id}/stats")
        assert len(_stats_jobs(session, quiz)) == 1  # opening the page again asks nothing more
        assert drain() == 1
        page = client.get(f"/quizzes/manage/{quiz.public_id}/stats").get_data(as_text=True)
        assert calls == [] and "Số liệu tính lúc" in page and "Cronbach" in page
    finally:
        jobs_app.config["LMS_JOB_EXPORT_INLINE_MAX"] = 2000


def test_an_instructor_closes_the_exam_and_the_statistics_follow(
    jobs_app, drain, client, world, factory, session
):
    quiz, writing = _exam(session, world, factory, open_one=True)
    url = f"/quizzes/manage/{quiz.public_id}"
    board = jobs_app.test_client()
    login(board, world.users["board"])
    assert board.post(url + "/close", data={"csrf_token": csrf_token(board, url)}).status_code == 403
    login(client, world.users["instructor"])
    page = client.get(url).get_data(as_text=True)
    assert "Đóng bài kiểm tra ngay" in page
    response = client.post(
        url + "/close", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True
    )
    assert "Đã đóng bài kiểm tra." in response.get_data(as_text=True)
    session.expire_all()
    assert quiz.closes_at <= utcnow()
    assert session.get(Attempt, writing.id).deadline <= utcnow()
    assert "Đóng bài kiểm tra ngay" not in client.get(url).get_data(as_text=True)
    again = client.post(url + "/close", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "Bài kiểm tra đã đóng từ trước." in again.get_data(as_text=True)
    (job,) = _stats_jobs(session, quiz)
    assert job.owner_id == world.users["instructor"].id
    assert runner.stats_after_close(jobs_app, now=utcnow() + dt.timedelta(minutes=1)) == []  # already asked

    # the job runs after the autosave grace: the paper still open is submitted with what was saved
    import lms.jobs.kinds as kinds

    real = kinds.quiz_stats

    def later(ctx):
        from lms.quizzes.attempts import close_overdue

        close_overdue(ctx.session, utcnow() + dt.timedelta(seconds=30))
        real(ctx)

    kinds.KINDS["quiz_stats"].run = later
    try:
        assert drain() == 1
    finally:
        kinds.KINDS["quiz_stats"].run = real
    session.expire_all()
    assert session.get(Attempt, writing.id).state is AttemptState.finished
    stored = session.scalar(select(StoredStats).where(StoredStats.quiz_id == quiz.id))
    assert stored.attempts == 4
    actions = {
        e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.object_id == quiz.public_id))
    }
    assert {"quiz.closed", "quiz.stats"} <= actions
