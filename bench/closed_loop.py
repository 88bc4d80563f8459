"""Exam-day capacity: the closed-loop mode of bench/exam_day.py (``--closed-loop``).

Every learner logs in once (the lobby, all within --login-window), then repeats the whole exam
with no think time: the quiz list, "Bắt đầu", the attempt page, --saves autosaves (each answer
once, random order; one request at a time), submit. The quiz allows unlimited attempts. The floor
(bench/floor_app.py) gets the same requests under the same URLs from the same client code in the
same run (no login: a ``learner`` cookie). After the lobby each side gets an unmeasured
--warmup turn (a worker compiles its templates on its first pages; long-lived workers on exam
day have done it long before); its answers are still checked for losses.

Both apps are served at once and take turns: --rounds turns of --seconds/--rounds each, ours
then the floor's, so a neighbour's load on the shared machine falls on both alike. A learner
sends a request only while its side's turn is open (a closed turn pauses it mid-attempt; it
goes on at the next turn); the requests in flight when a turn ends come back before the other
side's turn opens. attempts/min = the loop's requests answered in the turns ÷ (--saves + 4)
per attempt, per minute of turns: every attempt is that mix, and unlike counting submits it has
no edge effect when an attempt outlasts a turn (at 50 learners on a loaded machine it did);
the submits are reported too (``submitted``).

Reported for both: attempts/min, saves/s, p50/p99 per request kind, errors, lost answers (the
database check of exam_day.lost_answers; for the floor, its answer table), server CPU per
attempt, the load average at the turns, and ``capacity_ratio`` = our attempts/min ÷ the
floor's. Also the lobby: how long N logins took and the server CPU seconds they cost
(gunicorn's processes, from /proc).
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import request_cpu
from bench.exam_day import (
    CSRF_RE,
    FIELD_RE,
    PASSWORD,
    Budget,
    Stats,
    WireError,
    lost_answers,
    make_database,
    new_client,
    pct,
    serve,
    setup,
    start_path,
)

KINDS = ["login", "list", "start", "page", "save", "submit"]


def server_cpu(procs) -> float:
    """CPU seconds (user + system) used so far by gunicorn masters and their live workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in procs:
        pids = [proc.pid]
        try:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            children = []
        for pid in pids + [int(c) for c in children]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class Stop(Exception):
    """The run is over: the learner leaves (between two requests)."""


@dataclass
class Side:
    """One app of a closed-loop run (ours or the floor), its learners and its time slices.

    The two apps are served at the same time and take turns: the learners of one side send
    requests only while its gate is open, so the neighbours' load on this shared machine falls
    on both sides alike (a run of ours then a run of the floor measured two different machines
    when someone's test suite started in between)."""

    name: str
    stats: Stats
    procs: list
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    finished: bool = False
    inflight: int = 0
    completed: int = 0
    open_s: float = 0.0
    cpu_s: float = 0.0
    saves: int = 20
    loads: list[float] = field(default_factory=list)

    async def request(self, client, kind: str, method: str, path: str, **kw):
        await self.gate.wait()
        if self.finished:
            raise Stop
        self.inflight += 1
        try:
            return await self.stats.request(client, kind, method, path, **kw)
        finally:
            self.inflight -= 1


async def login(client, username: str, stats: Stats, lobby: list[float]) -> bool:
    lobby[0] = min(lobby[0], time.monotonic())
    page = await stats.request(client, "login_page", "GET", "/login")
    token = CSRF_RE.search(page.text)
    if page.status_code != 200 or not token:
        stats.fail("login", page, "no form")
        return False
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    response = await stats.request(client, "login", "POST", "/login", data=data)
    lobby[1] = max(lobby[1], time.monotonic())
    if response.status_code != 302:
        stats.fail("login", response)
        return False
    return True


async def one_attempt(client, side: Side, rng: random.Random, saves: int) -> None:
    """list → start → page → saves → submit, no pause (a closed gate pauses it mid-way)."""
    stats = side.stats
    listing = await side.request(client, "list", "GET", "/quizzes")
    token, start = CSRF_RE.search(listing.text), start_path(listing.text)
    if listing.status_code != 200 or not token or not start:
        return stats.fail("list", listing, "no start button")
    response = await side.request(client, "start", "POST", start, data={"csrf_token": token.group(1)})
    if response.status_code != 302:
        return stats.fail("start", response)
    attempt_path = response.headers["location"]
    page = await side.request(client, "page", "GET", attempt_path)
    token = CSRF_RE.search(page.text)
    choices: dict[int, list[str]] = {}
    for position, value in FIELD_RE.findall(page.text):
        choices.setdefault(int(position), []).append(value)
    if page.status_code != 200 or not token or not choices:
        return stats.fail("page", page, f"{len(choices)} questions")
    public_id = attempt_path.rstrip("/").rsplit("/", 1)[1]
    headers = {"X-CSRFToken": token.group(1)}
    positions = sorted(choices)
    rng.shuffle(positions)
    seq = int(time.time() * 1000)
    for k in range(saves):
        position = positions[k % len(positions)]
        value = rng.choice(choices[position])
        seq = max(int(time.time() * 1000), seq + 1)  # as quiz.js
        body = {"answers": {str(position): {"fields": {f"q{position}": [value]}, "seq": seq}}}
        response = await side.request(
            client, "save", "POST", f"{attempt_path}/save", json=body, headers=headers
        )
        if not 200 <= response.status_code < 300:
            return stats.fail("save", response)
        key = (public_id, position)
        if key not in stats.acked or stats.acked[key][0] < seq:
            stats.acked[key] = (seq, value)
    response = await side.request(
        client, "submit", "POST", attempt_path, data={"csrf_token": token.group(1), "action": "submit"}
    )
    if response.status_code != 302 or "/review" not in response.headers.get("location", ""):
        return stats.fail("submit", response)
    side.completed += 1


async def learner(i: int, username: str | None, side: Side, lobby: list[float], arrived, args) -> None:
    rng = random.Random(i)
    async with new_client(args) as client:
        try:
            if username is None:  # the floor: no login, the learner is a cookie
                client.cookies["learner"] = str(i + 1)
                arrived()
            else:
                await asyncio.sleep(i * args.login_window / args.learners)
                ok = await login(client, username, side.stats, lobby)
                arrived()
                if not ok:
                    return
            while not side.finished:
                await one_attempt(client, side, rng, args.saves)
        except (Stop, WireError):
            pass  # WireError: counted in Stats.request
        except Budget:
            side.stats.errors["stopped by the request/time cap"] += 1
        except Exception as exc:  # httpx errors with --client httpx
            side.stats.errors[f"{type(exc).__name__}"] += 1


async def drive(ours: Side, floor: Side, usernames: list[str], args) -> dict:
    """The lobby (our logins), then --rounds turns of --seconds/rounds each: ours, the floor."""
    everyone = asyncio.Event()
    count = [0]

    def arrived() -> None:
        count[0] += 1
        if count[0] == 2 * args.learners:
            everyone.set()

    lobby = [float("inf"), 0.0]
    cpu0 = server_cpu(ours.procs)
    tasks = [
        asyncio.create_task(learner(i, name, ours, lobby, arrived, args)) for i, name in enumerate(usernames)
    ]
    tasks += [
        asyncio.create_task(learner(i, None, floor, lobby, arrived, args)) for i in range(args.learners)
    ]
    await everyone.wait()
    lobby_cpu = server_cpu(ours.procs) - cpu0
    if args.warmup:  # each worker compiles its templates and fills its caches once: not measured
        for side in (ours, floor):
            side.gate.set()
            await asyncio.sleep(args.warmup)
            side.gate.clear()
            while side.inflight:
                await asyncio.sleep(0.002)
            side.completed = 0
            side.stats.latencies = {k: v for k, v in side.stats.latencies.items() if k.startswith("login")}
            side.stats.requests = 0
    turn = args.seconds / args.rounds
    for _ in range(args.rounds):
        for side in (ours, floor):
            side.loads.append(os.getloadavg()[0])
            cpu = server_cpu(side.procs)
            began = time.monotonic()
            side.gate.set()
            await asyncio.sleep(turn)
            side.gate.clear()
            side.open_s += time.monotonic() - began
            while side.inflight:  # the requests sent before the gate closed come back
                await asyncio.sleep(0.002)
            side.cpu_s += server_cpu(side.procs) - cpu
    for side in (ours, floor):
        side.loads.append(os.getloadavg()[0])
        side.finished = True
        side.gate.set()
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.timeout + 30)
    except TimeoutError:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"lobby": lobby, "lobby_cpu_s": lobby_cpu}


def new_stats(args, bases: list[str]) -> Stats:
    # far above what two cores serve (the floor: ~24 requests per attempt, ~25 attempts/s)
    return Stats(
        max_requests=4 * args.learners + int(3000 * args.seconds),
        hard_deadline=time.monotonic() + args.learners * 2 + args.login_window + 2 * args.seconds + 300,
        bases=bases,
        trace=None,
    )


def one_side(side: Side, lost: int) -> dict:
    stats, minutes = side.stats, side.open_s / 60
    saves = stats.latencies.get("save", [])
    flow = sum(len(stats.latencies.get(kind, [])) for kind in KINDS[1:])  # requests of the loop
    out = {
        # an attempt is --saves + 4 requests; counting requests instead of submits has no edge
        # effect (an attempt longer than a turn would otherwise count as none)
        "attempts_per_min": round(flow / (side.saves + 4) / minutes, 1),
        "submitted": side.completed,
        "submitted_per_min": round(side.completed / minutes, 1),
        "saves_per_s": round(len(saves) / side.open_s, 1),
        "open_s": round(side.open_s, 1),
        "requests": stats.requests,
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "lost_answers": lost,
        "acknowledged_answers": len(stats.acked),
        "server_cpu_ms_per_attempt": round(1000 * side.cpu_s * (side.saves + 4) / flow, 1) if flow else None,
        "load_average": [round(min(side.loads), 2), round(max(side.loads), 2)],
    }
    for kind in KINDS:
        values = stats.latencies.get(kind, [])
        if values:
            out[f"{kind}_p50_ms"] = round(pct(values, 50), 1)
            out[f"{kind}_p99_ms"] = round(pct(values, 99), 1)
    return out


def floor_lost(url: str, acked: dict[tuple[str, int], tuple[int, str]]) -> int:
    import json

    from sqlalchemy import create_engine, select

    from bench.floor_app import floor_answer

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            stored = {
                (str(a), s): (seq, value)
                for a, s, value, seq in conn.execute(
                    select(
                        floor_answer.c.attempt_id,
                        floor_answer.c.slot,
                        floor_answer.c.value,
                        floor_answer.c.seq,
                    )
                )
            }
    finally:
        engine.dispose()
    lost = 0
    for key, (seq, value) in acked.items():
        row = stored.get(key)
        if row is None or row[0] < seq:
            lost += 1
        elif row[0] == seq and row[1] != json.dumps({f"q{key[1]}": [value]}, sort_keys=True):
            lost += 1
    return lost


def run(kind: str, args) -> dict:
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if not args.quiet else (lambda *a: None)
    if args.client != "wire":
        raise SystemExit("--closed-loop uses the wire client (a learner keeps it across turns)")
    url, drop = make_database(kind, args.pg_url)
    try:
        began = time.monotonic()
        world = setup(url, args.learners, args.app_root, unlimited=True)
        took, load = time.monotonic() - began, os.getloadavg()[0]
        say(f"[{kind}] closed loop: setup {args.learners} learners ({took:.1f} s), load {load:.2f}")
        from sqlalchemy import create_engine

        from bench.floor_app import metadata

        engine = create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        env = {"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "bench-" + secrets.token_hex(16)}
        if args.request_cpu:
            args.request_cpu = Path(tempfile.mkdtemp(prefix="bench-request-cpu-"))
        servers = serve("lms:create_app()", env, args, args.instances)
        try:
            floor_servers = serve(
                "bench.floor_app:create_app()", {"BENCH_DATABASE_URL": url}, args, args.instances
            )
        except BaseException:
            servers.stop()
            raise
        try:
            ours = Side("app", new_stats(args, servers.bases), servers.procs, saves=args.saves)
            floor = Side("floor", new_stats(args, floor_servers.bases), floor_servers.procs, saves=args.saves)
            info = asyncio.run(drive(ours, floor, world["usernames"], args))
        finally:
            servers.stop()
            floor_servers.stop()
        lost, _ = lost_answers(url, ours.stats.acked)
        app_side, floor_side = one_side(ours, lost), one_side(floor, floor_lost(url, floor.stats.acked))
        if args.request_cpu:
            for side, name in ((app_side, "app"), (floor_side, "floor")):
                side["request_cpu_ms"] = request_cpu.medians(str(args.request_cpu), name)
                side["request_cpu_ms_per_attempt"] = per_attempt(side["request_cpu_ms"], args.saves)
            shutil.rmtree(args.request_cpu, ignore_errors=True)
    finally:
        drop()
    logins = ours.stats.latencies.get("login", [])
    lobby = {
        "learners": args.learners,
        "window_s": args.login_window,
        "took_s": round(info["lobby"][1] - info["lobby"][0], 1) if logins else None,
        "server_cpu_s": round(info["lobby_cpu_s"], 1),
        "server_cpu_ms_per_login": round(1000 * info["lobby_cpu_s"] / len(logins), 1) if logins else None,
        "login_p50_ms": round(pct(logins, 50), 1),
        "login_p99_ms": round(pct(logins, 99), 1),
    }
    ratio = (
        app_side["attempts_per_min"] / floor_side["attempts_per_min"]
        if floor_side["attempts_per_min"]
        else None
    )
    say(f"[{kind}] app {app_side['attempts_per_min']}, floor {floor_side['attempts_per_min']} attempts/min")
    return {
        "mode": "closed_loop",
        "db": kind,
        "learners": args.learners,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "saves_per_attempt": args.saves,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "app": app_side,
        "floor": floor_side,
        "lobby": lobby,
        "capacity_ratio": round(ratio, 3) if ratio is not None else None,
        # flat copies for the table and for --json readers
        "attempts_per_min": app_side["attempts_per_min"],
        "floor_attempts_per_min": floor_side["attempts_per_min"],
        "errors": app_side["errors"] + floor_side["errors"],
        "lost_answers": app_side["lost_answers"] + floor_side["lost_answers"],
    }


def per_attempt(medians: dict[str, float], saves: int) -> float | None:
    """An attempt's server CPU from the median of each request kind (saves × the save's)."""
    if any(kind not in medians for kind in KINDS[1:]):
        return None
    return round(sum(medians[k] for k in KINDS[1:] if k != "save") + saves * medians["save"], 1)


def table(results: list[dict]) -> str:
    head = (
        ["DB", "learners", "ratio", "side", "att/min", "saves/s"]
        + [f"{k} p50/p99" for k in ("list", "start", "page", "save", "submit")]
        + ["errors", "lost", "load"]
    )
    rows = [head]
    for r in results:
        for side in ("app", "floor"):
            s = r[side]
            rows.append(
                [r["db"], str(r["learners"]), str(r["capacity_ratio"]) if side == "app" else "", side,
                 str(s["attempts_per_min"]), str(s["saves_per_s"])]
                + [f"{s.get(f'{k}_p50_ms', '–')}/{s.get(f'{k}_p99_ms', '–')}" for k in KINDS[1:]]
                + [str(s["errors"]), str(s["lost_answers"]), "/".join(f"{x:.1f}" for x in s["load_average"])]
            )  # fmt: skip
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    lobby = [
        f"lobby {r['db']}: {r['lobby']['learners']} logins in {r['lobby']['took_s']} s, "
        f"server CPU {r['lobby']['server_cpu_s']} s ({r['lobby']['server_cpu_ms_per_login']} ms per login), "
        f"login p50 {r['lobby']['login_p50_ms']} / p99 {r['lobby']['login_p99_ms']} ms"
        for r in results
    ]
    cpu = [
        f"server CPU per request {r['db']} {r['learners']} {side} (median ms): "
        + ", ".join(f"{k} {r[side]['request_cpu_ms'].get(k, '–')}" for k in KINDS[1:])
        + f"; per attempt {r[side]['request_cpu_ms_per_attempt']}"
        for r in results
        for side in ("app", "floor")
        if "request_cpu_ms" in r[side]
    ]
    note = "(closed loop: times in ms; ratio = our attempts/min ÷ the floor's)"
    return "\n".join(lines + [note] + lobby + cpu)
