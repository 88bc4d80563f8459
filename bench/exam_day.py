"""Exam day: N cadres of one province take the same exit test at once (see bench/README.md).

Run (from the repository root):
  .venv/bin/python bench/exam_day.py --learners 300 --seconds 50 --login-window 10 --table
  .venv/bin/python bench/exam_day.py --learners 1000 --seconds 480 --start-window 60 \
      --login-window 120 --db postgres --json

Each run uses a FRESH database (SQLite file in a temp dir, or a new PostgreSQL database created
and dropped on the server of --pg-url), serves the real app with gunicorn on 127.0.0.1 (free
ports), and drives it with asyncio + httpx:
  0. lobby: learner i logs in (GET /login, POST /login) and opens the quiz list at
     i × login-window / N before the exam opens;
  1. synchronized start: learner i starts the exit test (POST start + GET the attempt page)
     at i × start-window / N after it opens;
  2. steady autosave: every one of the 20 answers goes through the real JSON autosave endpoint,
     a third of them changed later by a second save (higher seq, another choice);
  3. submit near the deadline (between 85 % and 95 % of --seconds).
Then it checks the database: every answer acknowledged with a 2xx must be stored with that seq
(or a newer one); anything else is a lost answer. The floor app (bench/floor_app.py) is then
served the same way and loaded with the same learners, schedule and saves.
With --json the last line is one JSON object; --table prints a table for people.
Bounded: every phase has a deadline, and the number of requests has a hard cap.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.wire import Client, WireError  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "Thi-cuoi-khoa-2026"
QUIZ_CODE = "bench-dau-ra"
CHANGED_SHARE = 1 / 3  # answers a learner changes later (a second save, higher seq)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
START_RE = re.compile(r'action="(/quizzes/[^"/]+/start)"')
INTRO_RE = re.compile(r'href="(/quizzes/[A-Za-z0-9_-]+)"')


def start_path(listing_html: str):
    """The start URL from the quiz list: a start form (the floor) or the link to the quiz's intro
    page (the app: the learner reads it, then presses "Bắt đầu làm bài", a POST to <intro>/start).
    The bench posts the start directly, for both apps alike, without reading the intro page."""
    found = START_RE.search(listing_html)
    if found:
        return found.group(1)
    intro = INTRO_RE.search(listing_html)
    return intro.group(1) + "/start" if intro else None


FIELD_RE = re.compile(r'name="q(\d+)" value="([^"]+)"')
# one TLS context for every learner's client (plain HTTP here, but httpx builds a context per
# client otherwise, ~20 ms of CPU each) and no proxy lookups from the environment
CLIENT = {"verify": ssl.create_default_context(), "trust_env": False}


# --- database -------------------------------------------------------------------------------


def make_database(kind: str, pg_url: str) -> tuple[str, callable]:
    """A fresh database and a function that removes it."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="exam-day-")
        path = Path(folder) / "bench.db"

        def drop_sqlite() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.rmdir(folder)

        return f"sqlite:///{path}", drop_sqlite
    import psycopg

    name = "exam_day_" + secrets.token_hex(4)
    admin = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop_pg() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return pg_url.rsplit("/", 1)[0] + "/" + name, drop_pg


def hash_with(app_root: Path) -> str:
    """The password hash as the served app makes it (its argon2 parameters), made once."""
    code = f"from lms.auth.services import hash_password; print(hash_password({PASSWORD!r}))"
    env = {**os.environ, "PYTHONPATH": str(app_root)}
    return subprocess.check_output([sys.executable, "-c", code], env=env, cwd=app_root, text=True).strip()


def pg_reachable(pg_url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def setup(url: str, learners: int, app_root: Path = ROOT, unlimited: bool = False) -> dict:
    """Schema, a province with communes, N learners with cadre profiles (one password hash),
    the 20-question exit test imported through the quizzes services (with ``unlimited``: the
    same test allowing any number of attempts, for the closed loop)."""
    from sqlalchemy import insert

    from lms import create_app
    from lms.auth.models import Role, User, new_session_token
    from lms.cli import upgrade_database
    from lms.db import db, fold_key, utcnow
    from lms.org.models import CadreProfile, new_public_id
    from lms.org.services import create_unit
    from lms.quizzes.importer import import_questions, import_quiz_files, parse_gift_files
    from lms.quizzes.models import Quiz

    app = create_app({"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "setup"})
    with app.app_context():
        upgrade_database()
        session = db.new_session()
        try:
            now = utcnow()
            province = create_unit(session, code="bench-tinh", name="Tỉnh Đo Tải", kind="province")
            communes = [
                create_unit(
                    session, code=f"bench-xa-{k}", name=f"Xã Đo Tải {k}", kind="commune", parent=province
                )
                for k in range(1, 21)
            ]
            password_hash = hash_with(app_root)  # once: argon2 is slow on purpose
            users = [
                {
                    "username": f"hv{i:05d}",
                    "display_name": f"Học viên {i}",
                    "password_hash": password_hash,
                    "role": Role.learner,
                    "unit_id": communes[i % len(communes)].id,
                    "active": True,
                    "must_change_password": False,
                    "session_token": new_session_token(),
                    "created_at": now,
                }
                for i in range(learners)
            ]
            session.execute(insert(User), users)
            ids = dict(
                session.execute(User.__table__.select().with_only_columns(User.username, User.id)).all()
            )
            profiles = []
            for i in range(learners):
                name = f"Nguyễn Văn Học {i}"
                profiles.append(
                    {
                        "public_id": new_public_id(),
                        "user_id": ids[f"hv{i:05d}"],
                        "full_name": name,
                        "name_key": fold_key(name),
                        "birth_year": 1970 + i % 30,
                        "gender": "nam" if i % 2 else "nu",
                        "unit_id": communes[i % len(communes)].id,
                    }
                )
            session.execute(insert(CadreProfile), profiles)
            import_questions(session, parse_gift_files([DATA / "bench-exit.gift"]), None, now)
            quiz_file = DATA / "bench-exit.yaml"
            if unlimited:
                quiz_file = Path(tempfile.mkdtemp(prefix="exam-day-quiz-")) / "bench-exit.yaml"
                text = (DATA / "bench-exit.yaml").read_text(encoding="utf-8")
                quiz_file.write_text(
                    text.replace("attempts_allowed: 1", "attempts_allowed: 0"), encoding="utf-8"
                )
            import_quiz_files(session, [quiz_file], province.code, None, now)
            quiz = session.scalar(Quiz.__table__.select().with_only_columns(Quiz.public_id))
            session.commit()
        finally:
            session.close()
        db.state(app).engine.dispose()
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")  # fresh statistics, as autovacuum would have by exam day
        engine.dispose()
    return {"quiz": quiz, "usernames": [f"hv{i:05d}" for i in range(learners)]}


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Servers:
    procs: list[subprocess.Popen]
    bases: list[str]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def serve(app_spec: str, env: dict, args, instances: int) -> Servers:
    """gunicorn instance(s) of app_spec on free 127.0.0.1 ports; waits for /healthz."""
    procs, bases = [], []
    for _ in range(instances):
        port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", app_spec,
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers),
            "--worker-class", args.worker_class,
            "--backlog", "2048",
            "--timeout", "60",
            "--log-level", "warning",
        ]  # fmt: skip
        if args.worker_class == "gthread":
            command += ["--threads", str(args.threads)]
        if getattr(args, "request_cpu", None):  # each request's CPU, logged by the worker (closed loop)
            command += ["--config", str(ROOT / "bench" / "request_cpu.py")]
            env = {**env, "BENCH_REQUEST_CPU_DIR": str(args.request_cpu)}
        if args.trace:  # the server's own time per request (%(D)s, microseconds), to tell queueing apart
            log_name = f"access-{app_spec.split(':')[0]}-{port}.log"
            command += ["--access-logfile", str(args.trace / log_name),
                        "--access-logformat", '%(t)s "%(r)s" %(s)s %(D)s']  # fmt: skip
        app_root = args.app_root if app_spec.startswith("lms:") else ROOT  # before/after comparisons
        full_env = {**os.environ, "PYTHONPATH": str(app_root), **env}
        log = open(Path(tempfile.gettempdir()) / f"exam-day-gunicorn-{port}.log", "w")  # noqa: SIM115
        procs.append(  # its own process group: bench/multi_host.py kills an instance whole
            subprocess.Popen(
                command,
                cwd=app_root,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    servers = Servers(procs, bases)
    deadline = time.monotonic() + 180  # a loaded shared machine boots workers slowly
    for base in bases:
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                servers.stop()
                raise SystemExit(f"gunicorn did not come up for {app_spec} (see {tempfile.gettempdir()})")
            time.sleep(0.2)
    return servers


# --- load -----------------------------------------------------------------------------------


class Budget(Exception):
    """The hard cap on requests (or time) was reached."""


@dataclass
class Stats:
    max_requests: int
    hard_deadline: float
    bases: list[str]
    requests: int = 0
    skipped: int = 0
    rr: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    acked: dict[tuple[str, int], tuple[int, str]] = field(default_factory=dict)
    save_window: list[float] = field(default_factory=lambda: [float("inf"), 0.0])
    trace: list[tuple[float, str, float, int]] | None = None  # (sent at, kind, ms, status) with --trace

    def base(self) -> str:
        """Round-robin over the instances, per request (a learner's requests alternate)."""
        self.rr += 1
        return self.bases[self.rr % len(self.bases)]

    async def request(
        self, client: httpx.AsyncClient, kind: str, method: str, path: str, **kw
    ) -> httpx.Response:
        if self.requests >= self.max_requests or time.monotonic() > self.hard_deadline:
            raise Budget
        self.requests += 1
        began = time.monotonic()
        try:
            response = await client.request(method, self.base() + path, **kw)
        except (httpx.HTTPError, WireError) as exc:
            self.errors[
                f"{kind}: {exc}" if isinstance(exc, WireError) else f"{kind}: {type(exc).__name__}"
            ] += 1
            raise
        took = (time.monotonic() - began) * 1000
        self.latencies.setdefault(kind, []).append(took)
        if self.trace is not None:
            self.trace.append((began, kind, took, response.status_code))
        if kind == "save":
            self.save_window[0] = min(self.save_window[0], began)
            self.save_window[1] = max(self.save_window[1], time.monotonic())
        return response

    def fail(self, kind: str, response: httpx.Response | None, note: str = "") -> None:
        self.errors[f"{kind}: {response.status_code if response is not None else ''} {note}".strip()] += 1


def plan(rng: random.Random, choices: dict[int, list[str]]) -> list[tuple[int, str]]:
    """The saves of one learner: each answer once in a random order, a third changed later."""
    positions = sorted(choices)
    rng.shuffle(positions)
    saves = [(p, rng.choice(choices[p])) for p in positions]
    for p in rng.sample(positions, round(len(positions) * CHANGED_SHARE)):
        first = next(v for q, v in saves if q == p)
        saves.append((p, rng.choice([v for v in choices[p] if v != first] or [first])))
    return saves


@contextlib.asynccontextmanager
async def new_client(args):
    """One learner's HTTP client: bench/wire.py (default), or httpx for comparison. Either way one
    request per connection, as nginx speaks to gunicorn."""
    if args.client == "wire":
        yield Client(timeout=args.timeout)
        return
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=args.timeout, limits=limits, **CLIENT) as client:
        yield client


SAVES_PER_LEARNER = 20 + round(20 * CHANGED_SHARE)


def save_interval(args) -> float:
    """The time between two saves of a learner, the same for everyone: the last learner to start
    still fits all saves before 85 % of the exam, with one interval to spare for a slow page.
    Learners start staggered, so their saves stay staggered and the whole province saves at a
    steady rate (N / interval per second)."""
    return (args.seconds * 0.85 - args.start_window) / (SAVES_PER_LEARNER + 1)


async def paced_saves(stats: Stats, saves, send, first: float, interval: float, until: float, rng) -> None:
    """Send save k at a random moment of [first + k·interval, first + (k+1)·interval), one at a
    time (a learner waits for the answer). A learner still behind at `until` (the server too slow)
    gives up the rest: they count as skipped saves, never as acknowledged ones.

    Why not "evenly spaced until the end" (as the first version of this bench did): every
    learner's last save then fell in the same 2 seconds (393-395 s of a 480 s exam; 1,000 saves
    at once), a burst of the bench's own making that no real exam room produces."""
    for k, item in enumerate(saves):
        await asyncio.sleep(max(0.0, first + (k + rng.random()) * interval - time.monotonic()))
        if time.monotonic() > until:
            stats.skipped += len(saves) - k
            return
        await send(item)


async def learner(i: int, username: str, quiz: str, stats: Stats, t0: float, args) -> None:
    rng = random.Random(i)
    # the lobby: learners log in before the exam opens, uniformly over --login-window
    lobby = t0 - args.login_window
    await asyncio.sleep(max(0.0, lobby + i * args.login_window / args.learners - time.monotonic()))
    async with new_client(args) as client:
        try:
            await _exam(i, username, quiz, stats, t0, args, rng, client)
        except Budget:
            stats.errors["stopped by the request/time cap"] += 1
        except (httpx.HTTPError, WireError):
            pass  # counted in Stats.request


async def _exam(i, username, quiz, stats: Stats, t0, args, rng, client) -> None:
    page = await stats.request(client, "login", "GET", "/login")
    token = CSRF_RE.search(page.text)
    if page.status_code != 200 or not token:
        return stats.fail("login", page, "no form")
    response = await stats.request(
        client, "login", "POST", "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
    )  # fmt: skip
    if response.status_code != 302:
        return stats.fail("login", response)
    listing = await stats.request(client, "list", "GET", "/quizzes")
    token, start = CSRF_RE.search(listing.text), start_path(listing.text)
    if listing.status_code != 200 or not token or not start or quiz not in start:
        return stats.fail("list", listing, "no start button")
    # the synchronized start: everyone presses "Bắt đầu" within --start-window
    await asyncio.sleep(max(0.0, t0 + i * args.start_window / args.learners - time.monotonic()))
    opened = time.monotonic()
    response = await stats.request(client, "start", "POST", start, data={"csrf_token": token.group(1)})
    if response.status_code != 302:
        return stats.fail("start", response)
    attempt_path = response.headers["location"]
    page = await stats.request(client, "page", "GET", attempt_path)
    stats.latencies.setdefault("open", []).append((time.monotonic() - opened) * 1000)
    token = CSRF_RE.search(page.text)
    choices: dict[int, list[str]] = {}
    for position, value in FIELD_RE.findall(page.text):
        choices.setdefault(int(position), []).append(value)
    if page.status_code != 200 or not token or len(choices) != 20:
        return stats.fail("page", page, f"{len(choices)} questions")
    public_id = attempt_path.rstrip("/").rsplit("/", 1)[1]
    headers = {"X-CSRFToken": token.group(1)}
    seq = int(time.time() * 1000)

    async def send(item: tuple[int, str]) -> None:
        nonlocal seq
        position, value = item
        seq = max(int(time.time() * 1000), seq + 1)  # as quiz.js: max(Date.now(), last + 1)
        body = {"answers": {str(position): {"fields": {f"q{position}": [value]}, "seq": seq}}}
        response = await stats.request(
            client, "save", "POST", f"/quizzes/attempts/{public_id}/save", json=body, headers=headers
        )
        if 200 <= response.status_code < 300:
            key = (public_id, position)
            if key not in stats.acked or stats.acked[key][0] < seq:
                stats.acked[key] = (seq, value)
        else:
            stats.fail("save", response)

    until, first = t0 + args.seconds * 0.85, time.monotonic()
    await paced_saves(stats, plan(rng, choices), send, first, save_interval(args), until, rng)
    await asyncio.sleep(max(0.0, t0 + args.seconds * rng.uniform(0.85, 0.95) - time.monotonic()))
    response = await stats.request(
        client, "submit", "POST", f"/quizzes/attempts/{public_id}",
        data={"csrf_token": token.group(1), "action": "submit"},
    )  # fmt: skip
    if response.status_code != 302 or "/review" not in response.headers.get("location", ""):
        stats.fail("submit", response)


async def floor_learner(i: int, stats: Stats, t0: float, args) -> None:
    """The same learner against the floor: the same stagger, number of saves and pacing."""
    rng = random.Random(i)
    await asyncio.sleep(max(0.0, t0 + i * args.start_window / args.learners - time.monotonic()))
    choices = {p: [str(v) for v in range(1, 5)] for p in range(1, 21)}
    seq = int(time.time() * 1000)
    async with new_client(args) as client:

        async def send(item: tuple[int, str]) -> None:
            nonlocal seq
            position, value = item
            seq = max(int(time.time() * 1000), seq + 1)
            body = {"answers": {str(position): {"fields": {f"q{position}": [value]}, "seq": seq}}}
            response = await stats.request(client, "save", "POST", f"/save/{i + 1}", json=body)
            if not 200 <= response.status_code < 300:
                stats.fail("save", response)

        try:
            until = t0 + args.seconds * 0.85
            first = time.monotonic()
            await paced_saves(stats, plan(rng, choices), send, first, save_interval(args), until, rng)
        except Budget:
            stats.errors["stopped by the request/time cap"] += 1
        except (httpx.HTTPError, WireError):
            pass


async def drive(make_task, stats: Stats, count: int) -> None:
    tasks = [asyncio.create_task(make_task(i)) for i in range(count)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=stats.hard_deadline - time.monotonic() + 5)
    except TimeoutError:
        stats.errors["stopped by the time cap"] += sum(1 for t in tasks if not t.done())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def new_stats(args, bases: list[str], lobby: float = 0.0) -> Stats:
    # 20 answers + changes + 6 page/login requests per learner; twice that is the hard cap
    per_learner = SAVES_PER_LEARNER + 6
    return Stats(
        max_requests=2 * per_learner * args.learners,
        hard_deadline=time.monotonic() + lobby + args.seconds * 1.5 + 30,
        bases=bases,
        trace=[] if args.trace else None,
    )


# --- checks ---------------------------------------------------------------------------------


def lost_answers(url: str, acked: dict[tuple[str, int], tuple[int, str]]) -> tuple[int, int]:
    """(lost, finished attempts): an answer acknowledged with a 2xx must be stored with its seq
    and value, or with a newer seq (a later save that the client gave up on but that landed)."""
    from sqlalchemy import create_engine, func, select

    from lms.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, AttemptState
    from lms.quizzes.qtypes import get_type

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            from sqlalchemy.orm import Session

            with Session(bind=conn) as session:
                stored = {
                    (public_id, answer.position): answer
                    for public_id, answer in session.execute(
                        select(Attempt.public_id, AttemptAnswer).join(
                            AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id
                        )
                    )
                }
                slots = {
                    (public_id, slot.position): slot
                    for public_id, slot in session.execute(
                        select(Attempt.public_id, AttemptSlot).join(AttemptSlot.attempt)
                    )
                }
                lost = 0
                for key, (seq, value) in acked.items():
                    answer, slot = stored.get(key), slots[key]
                    if answer is None or answer.seq < seq:
                        lost += 1
                        continue
                    if answer.seq == seq:
                        qtype = get_type(slot.version.qtype, slot.version.data)
                        name = f"q{key[1]}"
                        if answer.response != qtype.parse_form({name: [value]}, name, slot.order):
                            lost += 1
                finished = session.scalar(
                    select(func.count()).select_from(Attempt).where(Attempt.state == AttemptState.finished)
                )
        return lost, finished
    finally:
        engine.dispose()


async def cross_instance_checks(bases: list[str], usernames: list[str]) -> dict:
    """A cookie from instance A works on B; login failures counted on A block on B."""
    a, b = bases[0], bases[1]
    out = {}
    async with httpx.AsyncClient(timeout=30) as client:
        page = await client.get(a + "/login")
        token = CSRF_RE.search(page.text).group(1)
        await client.post(
            a + "/login", data={"username": usernames[0], "password": PASSWORD, "csrf_token": token}
        )
        out["session_cookie_a_works_on_b"] = (await client.get(b + "/quizzes")).status_code == 200
    victim = usernames[-1]
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(5):  # LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT (default 5) wrong passwords on A
            token = CSRF_RE.search((await client.get(a + "/login")).text).group(1)
            await client.post(
                a + "/login", data={"username": victim, "password": "sai-mat-khau", "csrf_token": token}
            )
        token = CSRF_RE.search((await client.get(b + "/login")).text).group(1)
        right = await client.post(
            b + "/login", data={"username": victim, "password": PASSWORD, "csrf_token": token}
        )
        out["throttle_a_blocks_b"] = right.status_code == 429
    return out


# --- one run --------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else max(values)


def run(kind: str, args) -> dict:
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if not args.quiet else (lambda *a: None)
    url, drop = make_database(kind, args.pg_url)
    try:
        began = time.monotonic()
        world = setup(url, args.learners, args.app_root)
        took = time.monotonic() - began
        say(f"[{kind}] setup: {args.learners} learners, exit test {world['quiz']} ({took:.1f} s)")
        env = {"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "bench-" + secrets.token_hex(16)}
        servers = serve("lms:create_app()", env, args, args.instances)
        try:
            stats = new_stats(args, servers.bases, args.login_window)
            t0 = time.monotonic() + args.login_window  # the exam opens after the lobby
            asyncio.run(drive(lambda i: learner(i, world["usernames"][i], world["quiz"], stats, t0, args),
                              stats, args.learners))  # fmt: skip
            elapsed = time.monotonic() - t0
            cross = (
                asyncio.run(cross_instance_checks(servers.bases, world["usernames"]))
                if args.instances > 1
                else {}
            )
        finally:
            servers.stop()
        lost, finished = lost_answers(url, stats.acked)
        write_trace(args, kind, "app", stats, t0)
        say(f"[{kind}] app: {stats.requests} requests in {elapsed:.1f} s")
        if args.no_floor:
            return summary(kind, args, stats, new_stats(args, []), lost, finished, cross)
        say(f"[{kind}] checking the floor")
        from sqlalchemy import create_engine

        from bench.floor_app import metadata

        engine = create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        floor_servers = serve(
            "bench.floor_app:create_app()", {"BENCH_DATABASE_URL": url}, args, args.instances
        )
        try:
            floor = new_stats(args, floor_servers.bases)
            t0 = time.monotonic()
            asyncio.run(drive(lambda i: floor_learner(i, floor, t0, args), floor, args.learners))
            write_trace(args, kind, "floor", floor, t0)
        finally:
            floor_servers.stop()
    finally:
        drop()
    return summary(kind, args, stats, floor, lost, finished, cross)


def write_trace(args, kind: str, name: str, stats: Stats, t0: float) -> None:
    """--trace DIR: one CSV row per request (seconds after the exam opened, kind, ms, status)."""
    if not args.trace:
        return
    with open(args.trace / f"{kind}-{name}.csv", "w") as out:
        out.write("t_s,kind,ms,status\n")
        for began, what, took, status in sorted(stats.trace or []):
            out.write(f"{began - t0:.3f},{what},{took:.1f},{status}\n")


def summary(kind: str, args, stats: Stats, floor: Stats, lost: int, finished: int, cross: dict) -> dict:
    saves = stats.latencies.get("save", [])
    floor_saves = floor.latencies.get("save", [])
    saves_per_s = len(saves) / max(1e-9, stats.save_window[1] - stats.save_window[0]) if saves else 0.0
    floor_per_s = (
        len(floor_saves) / max(1e-9, floor.save_window[1] - floor.save_window[0]) if floor_saves else 0.0
    )
    logins = stats.latencies.get("login", [])
    result = {
        "db": kind,
        "learners": args.learners,
        "seconds": args.seconds,
        "start_window_s": args.start_window,
        "login_window_s": args.login_window,
        "instances": args.instances,
        "client": args.client,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads if args.worker_class == "gthread" else 1,
        "requests": stats.requests,
        "saves": len(saves),
        "saves_per_s": round(saves_per_s, 1),
        "save_p50_ms": round(pct(saves, 50), 1),
        "save_p99_ms": round(pct(saves, 99), 1),
        "login_p99_ms": round(pct(logins, 99), 1),
        "start_p99_ms": round(pct(stats.latencies.get("open", []), 99), 1),
        "start_max_ms": round(max(stats.latencies.get("open", [0])), 1),
        "started": len(stats.latencies.get("open", [])),
        "submit_p99_ms": round(pct(stats.latencies.get("submit", []), 99), 1),
        "finished_attempts": finished,
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "lost_answers": lost,
        "acknowledged_answers": len(stats.acked),
        "saves_skipped": stats.skipped,
        "floor_saves": len(floor_saves),
        "floor_saves_per_s": round(floor_per_s, 1),
        "floor_save_p50_ms": round(pct(floor_saves, 50), 1),
        "floor_save_p99_ms": round(pct(floor_saves, 99), 1),
        "floor_errors": sum(floor.errors.values()),
        "floor_saves_skipped": floor.skipped,
        "ratio_to_floor": round(saves_per_s / floor_per_s, 3) if floor_per_s else None,
        **cross,
    }
    if not args.quiet:
        print(f"[{kind}] done: {json.dumps(result, ensure_ascii=False)}", file=sys.stderr, flush=True)
    return result


COLUMNS = [
    ("db", "DB"), ("learners", "learners"), ("saves_per_s", "saves/s"), ("floor_saves_per_s", "floor/s"),
    ("ratio_to_floor", "ratio"), ("save_p50_ms", "save p50"), ("save_p99_ms", "save p99"),
    ("floor_save_p99_ms", "floor p99"), ("start_p99_ms", "start p99"), ("login_p99_ms", "login p99"),
    ("submit_p99_ms", "submit p99"), ("errors", "errors"), ("lost_answers", "lost"),
]  # fmt: skip


def table(results: list[dict]) -> str:
    rows = [[label for _, label in COLUMNS]] + [[str(r[key]) for key, _ in COLUMNS] for r in results]
    widths = [max(len(row[c]) for row in rows) for c in range(len(COLUMNS))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines) + "\n(times in ms; start = POST start + GET the attempt page)"


def build_parser(description: str = __doc__.split("\n")[0]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60, help="length of the exam (run) in seconds")
    parser.add_argument(
        "--start-window", type=float, help="all learners start within this (default seconds/3)"
    )
    parser.add_argument(
        "--login-window",
        type=float,
        help="learners log in during this lobby before the exam (default: start window)",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per instance")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--instances", type=int, default=1, choices=[1, 2])
    parser.add_argument("--app-root", type=Path, default=ROOT, help="serve the app from another checkout")
    parser.add_argument(
        "--client", choices=["wire", "httpx"], default="wire", help="the learners' HTTP client (see wire.py)"
    )
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request (s)")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    parser.add_argument("--table", action="store_true", help="print a table")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--trace", type=Path, help="write per-request CSVs and gunicorn access logs to this folder"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (diagnosis only: no ratio)")
    parser.add_argument(
        "--closed-loop",
        action="store_true",
        help="capacity: every learner repeats the whole exam, no think time, for --seconds",
    )
    parser.add_argument("--saves", type=int, default=20, help="autosaves per attempt in --closed-loop")
    parser.add_argument(
        "--request-cpu",
        action="store_true",
        help="--closed-loop: each request's server CPU (gunicorn hooks, bench/request_cpu.py), per kind",
    )
    parser.add_argument("--rounds", type=int, default=3, help="--closed-loop: turns of each app")
    parser.add_argument("--warmup", type=float, default=3, help="--closed-loop: unmeasured first turn (s)")
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if not 1 <= args.learners <= 5000 or not 5 <= args.seconds <= 1800:
        parser.error("--learners 1..5000, --seconds 5..1800")
    if args.start_window is None:
        args.start_window = args.seconds / 3
    args.start_window = min(args.start_window, args.seconds * 0.5)
    if args.login_window is None:
        args.login_window = args.start_window
    if args.trace:
        args.trace.mkdir(parents=True, exist_ok=True)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(build_parser(), argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.db == "both" and not pg_reachable(args.pg_url):
        print(f"PostgreSQL is not reachable at {args.pg_url}: SQLite only", file=sys.stderr)
        kinds = ["sqlite"]
    if args.closed_loop:
        from bench import closed_loop

        results = [closed_loop.run(kind, args) for kind in kinds]
    else:
        results = [run(kind, args) for kind in kinds]
    if args.table or not args.json:
        print(closed_loop.table(results) if args.closed_loop else table(results))
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else {"runs": results}, ensure_ascii=False))
    bad = any(r["errors"] or r["lost_answers"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    # one copy of this module (bench/closed_loop.py imports bench.exam_day)
    from bench.exam_day import main as _main

    sys.exit(_main())
