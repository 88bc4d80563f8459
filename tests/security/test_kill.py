"""Nothing is lost when the app server dies: SIGKILL gunicorn in the middle of a stream of
answer saves, restart it, and check that every save answered 2xx is in the database, that
submits still work, and that concurrent submits of one attempt give exactly one result."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.auth.models import Role, User
from lms.auth.services import hash_password
from lms.cli import upgrade_database
from lms.db import db
from lms.org.services import create_unit
from lms.quizzes.models import Attempt, AttemptAnswer
from lms.results.models import Result
from tests.conftest import fresh_database
from tests.factories import Factory
from tests.quizzes.helpers import make_quiz, single

USES_DATABASE = True
PASSWORD = "Mat-khau-2026!"
LEARNERS = 4
QUESTIONS = 8
SECRET = "kill-test-secret-key-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, so SIGKILL takes master and workers at once."""

    def __init__(self, url: str, port: int):
        self.url, self.port, self.process = url, port, None

    def start(self) -> None:
        env = dict(os.environ, LMS_DATABASE_URL=self.url, LMS_SECRET_KEY=SECRET)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "lms:create_app()",
            ],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not come up")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def _seed(app) -> tuple[str, list[str]]:
    with app.app_context():
        upgrade_database()
        session = db.new_session()
        province = create_unit(session, code="kt", name="Tỉnh Kiểm Thử", kind="province")
        factory = Factory(session)
        password_hash = hash_password(PASSWORD)
        names = []
        for n in range(LEARNERS):
            user = User(
                username=f"hv{n}",
                display_name=f"Học viên {n}",
                role=Role.learner,
                unit=province,
                password_hash=password_hash,
            )
            session.add(user)
            session.flush()
            factory.profile(unit=province, user=user, name=f"Học Viên Số {n}")
            names.append(user.username)
        codes = [single(session, code=f"k{n}", category="Kill").code for n in range(QUESTIONS)]
        quiz = make_quiz(
            session,
            province,
            codes=codes,
            code="kill",
            purpose="exit",
            time_limit_minutes=60,
            attempts_allowed=1,
            opens_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        session.commit()
        public_id = quiz.public_id
        session.close()
    return public_id, names


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Learner:
    def __init__(self, base: str, username: str, quiz_public_id: str):
        self.client = httpx.Client(base_url=base, timeout=5, follow_redirects=False)
        token = _token(self.client.get("/login").text)
        response = self.client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.text[:300]
        token = _token(self.client.get("/quizzes").text)
        response = self.client.post(f"/quizzes/{quiz_public_id}/start", data={"csrf_token": token})
        self.attempt_url = response.headers["location"]
        page = self.client.get(self.attempt_url).text
        self.token = _token(page)
        self.positions = [int(p) for p in re.findall(r'name="positions" value="(\d+)"', page)]
        self.public_id = self.attempt_url.rstrip("/").rsplit("/", 1)[-1]
        self.acked: dict[int, int] = {}  # position -> highest seq answered 2xx
        self.ack_count = 0

    def save(self, position: int, seq: int) -> None:
        body = {"answers": {str(position): {"fields": {f"q{position}": [str(seq % 2)]}, "seq": seq}}}
        try:
            response = self.client.post(
                f"{self.attempt_url}/save", json=body, headers={"X-CSRFToken": self.token}
            )
        except httpx.HTTPError:
            return  # the server is down: not acknowledged, so nothing is promised
        if response.status_code == 200:
            self.acked[position] = max(self.acked.get(position, 0), seq)
            self.ack_count += 1

    def submit(self) -> int:
        try:
            return self.client.post(
                self.attempt_url, data={"csrf_token": self.token, "action": "submit", "positions": []}
            ).status_code
        except httpx.HTTPError:
            return 0


@pytest.fixture()
def killed_world():
    url, drop = fresh_database()
    app = create_app({"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": SECRET, "TESTING": True})
    quiz_public_id, names = _seed(app)
    server = Server(url, _free_port())
    server.start()
    try:
        yield app, server, quiz_public_id, names
    finally:
        if server.process and server.process.poll() is None:
            server.kill()
        db.state(app).engine.dispose()
        drop()


def test_sigkill_mid_stream_loses_no_acknowledged_save(killed_world):
    app, server, quiz_public_id, names = killed_world
    learners = [Learner(server.base, name, quiz_public_id) for name in names]
    stop = threading.Event()

    def stream(learner: Learner) -> None:
        seq = 0
        while not stop.is_set():
            seq += 1
            learner.save(learner.positions[seq % len(learner.positions)], seq)

    threads = [threading.Thread(target=stream, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    server.kill()  # mid-stream, no warning
    time.sleep(0.3)
    server.start()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join()
    assert all(learner.acked for learner in learners), "no save was acknowledged"

    # every learner submits; the first one fires five submits at once
    racers = [threading.Thread(target=learners[0].submit) for _ in range(5)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    for learner in learners[1:]:
        assert learner.submit() in (302, 303)

    with app.app_context():
        session = db.new_session()
        lost = []
        for learner in learners:
            attempt = session.scalar(select(Attempt).where(Attempt.public_id == learner.public_id))
            stored = {
                a.position: a.seq
                for a in session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
            }
            lost += [(learner.public_id, p, s) for p, s in learner.acked.items() if stored.get(p, -1) < s]
            results = session.scalar(
                select(func.count(Result.id)).where(Result.kind == "quiz", Result.origin_id == attempt.id)
            )
            assert results == 1, f"attempt {attempt.public_id} has {results} results"
            assert not attempt.is_open
        session.close()
    assert lost == [], f"acknowledged saves missing after the kill: {lost[:10]}"
    saves = sum(learner.ack_count for learner in learners)
    print(f"kill test: {saves} acknowledged saves, 0 lost; {len(learners)} attempts, 1 result each")
