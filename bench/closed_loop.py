"""Exam-day capacity: the closed-loop mode of bench/exam_day.py (``--closed-loop``).

Every learner logs in once (the lobby, all within --login-window), then, once everyone is in,
repeats the whole exam with no think time for --seconds: the quiz list, "Bắt đầu", the attempt
page, --saves autosaves (each answer once, random order; one request at a time), submit. The quiz
allows unlimited attempts. The floor (bench/floor_app.py) gets the same requests under the same
URLs from the same client code in the same run (no login: a ``learner`` cookie). A request
is sent only before the end of the window; an attempt counts when its submit was answered in it.

Reported for both: attempts/min, saves/s, p50/p99 per request kind, errors, lost answers (the
database check of exam_day.lost_answers; for the floor, its answer table), and
``capacity_ratio`` = our attempts/min ÷ the floor's. Also the lobby: how long N logins took and
the server CPU seconds they cost (gunicorn's processes, from /proc).
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import sys
import time
from pathlib import Path

from bench.exam_day import (
    CSRF_RE,
    FIELD_RE,
    PASSWORD,
    START_RE,
    Budget,
    Stats,
    WireError,
    lost_answers,
    make_database,
    new_client,
    pct,
    serve,
    setup,
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


class Loop:
    """The shared clock of one closed-loop run: lobby barrier, window, completed attempts."""

    def __init__(self, learners: int, seconds: float):
        self.learners, self.seconds = learners, seconds
        self.logged_in = 0
        self.everyone_in = asyncio.Event()
        self.lobby = [float("inf"), 0.0]  # first login sent, last login answered
        self.start = self.end = 0.0
        self.completed = 0

    def arrived(self) -> None:
        self.logged_in += 1
        if self.logged_in == self.learners:
            self.everyone_in.set()

    def open(self) -> bool:
        return time.monotonic() < self.end


async def login(client, username: str, stats: Stats, loop: Loop) -> bool:
    loop.lobby[0] = min(loop.lobby[0], time.monotonic())
    page = await stats.request(client, "login_page", "GET", "/login")
    token = CSRF_RE.search(page.text)
    if page.status_code != 200 or not token:
        stats.fail("login", page, "no form")
        return False
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    response = await stats.request(client, "login", "POST", "/login", data=data)
    loop.lobby[1] = max(loop.lobby[1], time.monotonic())
    if response.status_code != 302:
        stats.fail("login", response)
        return False
    return True


async def one_attempt(client, i: int, stats: Stats, loop: Loop, rng: random.Random, saves: int) -> None:
    """list → start → page → saves → submit, no pause; returns early when the window closes."""
    if not loop.open():
        return
    listing = await stats.request(client, "list", "GET", "/quizzes")
    token, start = CSRF_RE.search(listing.text), START_RE.search(listing.text)
    if listing.status_code != 200 or not token or not start:
        return stats.fail("list", listing, "no start button")
    if not loop.open():
        return
    response = await stats.request(
        client, "start", "POST", start.group(1), data={"csrf_token": token.group(1)}
    )
    if response.status_code != 302:
        return stats.fail("start", response)
    attempt_path = response.headers["location"]
    if not loop.open():
        return
    page = await stats.request(client, "page", "GET", attempt_path)
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
        if not loop.open():
            return
        position = positions[k % len(positions)]
        value = rng.choice(choices[position])
        seq = max(int(time.time() * 1000), seq + 1)  # as quiz.js
        body = {"answers": {str(position): {"fields": {f"q{position}": [value]}, "seq": seq}}}
        response = await stats.request(
            client, "save", "POST", f"{attempt_path}/save", json=body, headers=headers
        )
        if not 200 <= response.status_code < 300:
            return stats.fail("save", response)
        key = (public_id, position)
        if key not in stats.acked or stats.acked[key][0] < seq:
            stats.acked[key] = (seq, value)
    if not loop.open():
        return
    response = await stats.request(
        client, "submit", "POST", attempt_path, data={"csrf_token": token.group(1), "action": "submit"}
    )
    if response.status_code != 302 or "/review" not in response.headers.get("location", ""):
        return stats.fail("submit", response)
    if time.monotonic() <= loop.end:
        loop.completed += 1


async def learner(i: int, username: str | None, stats: Stats, loop: Loop, args) -> None:
    rng = random.Random(i)
    async with new_client(args) as client:
        try:
            if username is None:  # the floor: no login, the learner is a cookie
                client.cookies["learner"] = str(i + 1)
                loop.arrived()
            else:
                await asyncio.sleep(i * args.login_window / args.learners)
                ok = await login(client, username, stats, loop)
                loop.arrived()
                if not ok:
                    return
            await loop.everyone_in.wait()
            while loop.open():
                await one_attempt(client, i, stats, loop, rng, args.saves)
        except Budget:
            stats.errors["stopped by the request/time cap"] += 1
        except WireError:
            pass  # counted in Stats.request
        except Exception as exc:  # httpx errors with --client httpx
            stats.errors[f"{type(exc).__name__}"] += 1


async def drive(stats: Stats, loop: Loop, usernames: list[str | None], args, procs) -> dict:
    tasks = [asyncio.create_task(learner(i, name, stats, loop, args)) for i, name in enumerate(usernames)]
    cpu0 = server_cpu(procs)
    await loop.everyone_in.wait()
    lobby_cpu = server_cpu(procs) - cpu0
    loop.start = time.monotonic()
    loop.end = loop.start + args.seconds
    load = os.getloadavg()[0]
    cpu1 = server_cpu(procs)
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.seconds + args.timeout + 30)
    except TimeoutError:
        stats.errors["stopped by the time cap"] += sum(1 for t in tasks if not t.done())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "lobby_cpu_s": lobby_cpu,
        "loop_cpu_s": server_cpu(procs) - cpu1,
        "load_start": load,
        "load_end": os.getloadavg()[0],
    }


def new_stats(args, bases: list[str]) -> Stats:
    # far above what two cores serve (the floor: ~20 requests per attempt, ~25 attempts/s)
    return Stats(
        max_requests=4 * args.learners + int(3000 * args.seconds),
        hard_deadline=time.monotonic() + args.learners * 2 + args.login_window + args.seconds + 120,
        bases=bases,
        trace=None,
    )


def one_side(stats: Stats, loop: Loop, info: dict, lost: int, args) -> dict:
    saves = stats.latencies.get("save", [])
    out = {
        "attempts": loop.completed,
        "attempts_per_min": round(loop.completed * 60 / args.seconds, 1),
        "saves_per_s": round(len(saves) / args.seconds, 1),
        "requests": stats.requests,
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "lost_answers": lost,
        "acknowledged_answers": len(stats.acked),
        "server_cpu_ms_per_attempt": round(1000 * info["loop_cpu_s"] / loop.completed, 1)
        if loop.completed
        else None,
        "load_average": [round(info["load_start"], 2), round(info["load_end"], 2)],
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
    url, drop = make_database(kind, args.pg_url)
    try:
        began = time.monotonic()
        world = setup(url, args.learners, args.app_root, unlimited=True)
        took, load = time.monotonic() - began, os.getloadavg()[0]
        say(f"[{kind}] closed loop: setup {args.learners} learners ({took:.1f} s), load {load:.2f}")
        env = {"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "bench-" + secrets.token_hex(16)}
        servers = serve("lms:create_app()", env, args, args.instances)
        try:
            stats, loop = new_stats(args, servers.bases), Loop(args.learners, args.seconds)
            info = asyncio.run(drive(stats, loop, world["usernames"], args, servers.procs))
        finally:
            servers.stop()
        lost, _ = lost_answers(url, stats.acked)
        ours = one_side(stats, loop, info, lost, args)
        logins = stats.latencies.get("login", [])
        lobby = {
            "learners": args.learners,
            "window_s": args.login_window,
            "took_s": round(loop.lobby[1] - loop.lobby[0], 1) if logins else None,
            "server_cpu_s": round(info["lobby_cpu_s"], 1),
            "server_cpu_ms_per_login": round(1000 * info["lobby_cpu_s"] / len(logins), 1) if logins else None,
            "login_p50_ms": round(pct(logins, 50), 1),
            "login_p99_ms": round(pct(logins, 99), 1),
        }
        say(f"[{kind}] app: {ours['attempts_per_min']} attempts/min, lobby {lobby}")
        from sqlalchemy import create_engine

        from bench.floor_app import metadata

        engine = create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        floor_servers = serve(
            "bench.floor_app:create_app()", {"BENCH_DATABASE_URL": url}, args, args.instances
        )
        try:
            fstats, floop = new_stats(args, floor_servers.bases), Loop(args.learners, args.seconds)
            finfo = asyncio.run(drive(fstats, floop, [None] * args.learners, args, floor_servers.procs))
        finally:
            floor_servers.stop()
        floor = one_side(fstats, floop, finfo, floor_lost(url, fstats.acked), args)
        say(f"[{kind}] floor: {floor['attempts_per_min']} attempts/min")
    finally:
        drop()
    result = {
        "mode": "closed_loop",
        "db": kind,
        "learners": args.learners,
        "seconds": args.seconds,
        "saves_per_attempt": args.saves,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "app": ours,
        "floor": floor,
        "lobby": lobby,
        "capacity_ratio": round(ours["attempts_per_min"] / floor["attempts_per_min"], 3)
        if floor["attempts_per_min"]
        else None,
        # flat copies for the table and for --json readers
        "attempts_per_min": ours["attempts_per_min"],
        "floor_attempts_per_min": floor["attempts_per_min"],
        "errors": ours["errors"],
        "lost_answers": ours["lost_answers"],
        "floor_errors": floor["errors"],
        "floor_lost_answers": floor["lost_answers"],
    }
    return result


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
    return "\n".join(lines + ["(closed loop: times in ms; ratio = our attempts/min ÷ the floor's)"] + lobby)
