"""Several app hosts: two gunicorn instances behind nginx, one killed mid-exam.

Run (from the repository root; needs Debian's nginx and PostgreSQL):
  .venv/bin/python bench/multi_host.py --learners 40 --seconds 60 --table

What it does, all on 127.0.0.1:
  1. a fresh PostgreSQL database (created on --pg-url's server, dropped at the end) set up as
     bench/exam_day.py does (learners, the 20-question exit test);
  2. two gunicorn instances of the real app (LMS_TRUST_PROXY=1, one secret key), and the job
     worker when this build has one (`flask --app lms jobs --help` lists `worker`);
  3. nginx with deploy/nginx/lms-locations.conf as shipped and an upstream of the two instances
     (the parameters of deploy/nginx/lms.conf), plain HTTP on a free loopback port;
  4. the exam of bench/exam_day.py (login, synchronized start, autosave of every answer, submit),
     every request through nginx; at --kill-at of the exam (once every learner has started, at
     80 % at the latest) the first instance is killed (SIGKILL to its whole process group: a
     host that dies, not one that shuts down);
  5. checks: every acknowledged answer is in the database (none lost), every learner finished
     (they went on on the other instance), which instance nginx sent requests to before and after
     the kill, and nginx's static files (year-long cache, gzip).
Bounded: exam_day's request and time caps, and every wait has a deadline. Exit 1 on a lost
answer, an unfinished attempt or an error other than a save cut by the kill; JSON last with --json.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import exam_day  # noqa: E402
from bench.deploy_files import nginx_binary, proxy_site  # noqa: E402


def ask_for_worker(env: dict) -> subprocess.Popen:
    """`flask --app lms jobs --help`, started early (it imports the app: seconds on a busy machine)."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "lms", "jobs", "--help"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def worker_available(asked: subprocess.Popen) -> bool:
    """True when that help lists a `worker` command (the job queue's, built in another branch)."""
    out, _ = asked.communicate(timeout=60)
    return asked.returncode == 0 and re.search(r"^\s+worker\b", out, re.M) is not None


def start_nginx(nginx: str, folder: Path, upstreams: list[str]) -> tuple[subprocess.Popen, str]:
    port = exam_day.free_port()
    conf = proxy_site(folder, port, upstreams)
    log = open(folder / "logs" / "stdout.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc, base
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise SystemExit(f"nginx did not come up: {(folder / 'logs' / 'error.log').read_text()[-2000:]}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def static_checks(base: str) -> dict:
    """The CSS the login page links, fetched through nginx with and without gzip."""
    with urllib.request.urlopen(base + "/login", timeout=10) as response:
        page = response.read().decode()
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page).group(1)
    request = urllib.request.Request(base + css, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        zipped, headers = response.read(), response.headers
    with urllib.request.urlopen(base + css, timeout=10) as response:
        plain = response.read()
    return {
        "static_cache_control": headers.get("Cache-Control"),
        "static_gzip": headers.get("Content-Encoding") == "gzip" and gzip.decompress(zipped) == plain,
        "static_bytes": len(plain),
        "static_gzip_bytes": len(zipped),
    }


def upstream_counts(log: Path, killed: str, survivor: str, mark: int) -> dict:
    """nginx's access log: which instance served each request, before and after the kill (the
    line number `mark` is where the log stood when the instance was killed)."""
    lines = log.read_text().splitlines()
    out = {"before": Counter(), "after": Counter(), "retried": 0}
    for n, line in enumerate(lines):
        found = re.search(r"upstream=(\S+(?:, \S+)*) ustatus=", line)
        if not found:
            continue
        tried = found.group(1).split(", ")
        out["retried"] += len(tried) > 1
        name = {killed: "killed", survivor: "survivor"}.get(tried[-1], tried[-1])
        out["before" if n < mark else "after"][name] += 1
    return {"before": dict(out["before"]), "after": dict(out["after"]), "retried": out["retried"]}


def run(args) -> dict:
    nginx = nginx_binary()
    if nginx is None:
        raise SystemExit("nginx is not installed (Debian: apt-get install nginx; make install-test does it)")
    if not exam_day.pg_reachable(args.pg_url):
        raise SystemExit(f"PostgreSQL is not reachable at {args.pg_url}")
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if not args.quiet else (lambda *a: None)
    url, drop = exam_day.make_database("postgres", args.pg_url)
    folder = Path(tempfile.mkdtemp(prefix="multi-host-"))
    os.chmod(folder, 0o755)
    procs: list[subprocess.Popen] = []
    servers = None
    began = time.monotonic()
    try:
        env = {
            "LMS_DATABASE_URL": url,
            "LMS_SECRET_KEY": "hosts-" + secrets.token_hex(16),
            "LMS_TRUST_PROXY": "1",
        }
        asked = ask_for_worker(env)
        world = exam_day.setup(url, args.learners)
        say(f"setup: {args.learners} learners ({time.monotonic() - began:.1f} s)")
        servers = exam_day.serve("lms:create_app()", env, args, 2)
        say(f"two instances up ({time.monotonic() - began:.1f} s)")
        worker = worker_available(asked)
        if worker:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "lms", "jobs", "worker"],
                    cwd=ROOT,
                    env={**os.environ, **env},
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
        hosts = [base.removeprefix("http://") for base in servers.bases]
        nginx_proc, base = start_nginx(nginx, folder, hosts)
        procs.append(nginx_proc)
        say(f"nginx {base} -> {', '.join(hosts)}; job worker: {'started' if worker else 'not in this build'}")
        static = static_checks(base)
        access = folder / "logs" / "access.log"
        stats = exam_day.new_stats(args, [base], args.login_window)
        t0 = time.monotonic() + args.login_window
        kill_at = t0 + args.seconds * args.kill_at
        mark = {"line": None, "t": None}

        async def killer() -> None:
            await asyncio.sleep(max(0.0, kill_at - time.monotonic()))
            # a busy machine lets the schedule slip: kill once every learner has started (the
            # kill is meant for the saves, not for a POST start in flight), at 80 % at the latest
            latest = t0 + args.seconds * 0.8
            while len(stats.latencies.get("open", [])) < args.learners and time.monotonic() < latest:
                await asyncio.sleep(0.1)
            mark["line"] = len(access.read_text().splitlines())
            mark["t"] = time.monotonic() - t0
            os.killpg(servers.procs[0].pid, signal.SIGKILL)
            say(f"killed instance {hosts[0]} at {mark['t']:.1f} s of the exam")

        async def exam() -> None:
            kill = asyncio.create_task(killer())
            await exam_day.drive(
                lambda i: exam_day.learner(i, world["usernames"][i], world["quiz"], stats, t0, args),
                stats, args.learners,
            )  # fmt: skip
            await kill

        asyncio.run(exam())
        say(f"exam over ({time.monotonic() - began:.1f} s)")
        servers.procs[0].wait(timeout=10)
        lost, finished = exam_day.lost_answers(url, stats.acked)
        counts = upstream_counts(access, hosts[0], hosts[1], mark["line"])
        saves = stats.latencies.get("save", [])
        result = {
            "learners": args.learners,
            "seconds": args.seconds,
            "instances": 2,
            "killed_at_s": round(mark["t"], 1),
            "requests": stats.requests,
            "saves": len(saves),
            "save_p99_ms": round(exam_day.pct(saves, 99), 1),
            "errors": sum(stats.errors.values()),
            "error_kinds": dict(stats.errors),
            "acknowledged_answers": len(stats.acked),
            "saves_skipped": stats.skipped,
            "lost_answers": lost,
            "finished_attempts": finished,
            "served_before_kill": counts["before"],
            "served_after_kill": counts["after"],
            "retried_on_other_instance": counts["retried"],
            "job_worker": worker,
            **static,
        }
        if result["errors"] or lost:  # what nginx saw, for the person reading
            error_log = (folder / "logs" / "error.log").read_text()
            print(
                "nginx error.log (last lines):\n" + "\n".join(error_log.splitlines()[-15:]), file=sys.stderr
            )
        return result
    finally:
        for proc in procs:
            stop(proc)
        if servers is not None:
            servers.stop()
        drop()
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = exam_day.build_parser(__doc__.split("\n")[0])
    parser.add_argument("--kill-at", type=float, default=0.55, help="share of the exam at which to kill")
    parser.set_defaults(learners=40, seconds=60, workers=2, db="postgres")
    args = exam_day.parse(parser, argv)
    if not 0.1 <= args.kill_at <= 0.8:
        parser.error("--kill-at 0.1..0.8")
    result = run(args)
    if not args.json or args.table:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    # A save in flight on the killed instance may come back cut (nginx cannot re-send what it
    # already started answering): an error, never an acknowledged answer; the browser re-sends it.
    bad = (
        result["lost_answers"] or result["finished_attempts"] != args.learners
        or not result["served_after_kill"].get("survivor")
        or any(not kind.startswith("save:") for kind in result["error_kinds"])
    )  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
