"""A gunicorn config that writes each request's CPU time (user + system, this worker process) and
wall time to ``$BENCH_REQUEST_CPU_DIR/<side>-<pid>.log``: the closed loop's ``--request-cpu``
(bench/exam_day.py) serves both apps with it (``gunicorn -c python:bench.request_cpu``) and
reports the median per request kind, so a table shows where the server's CPU goes per request
in the real server (HTTP parsing, WSGI, the app), not only in process (bench/hot_paths.py).

CPU is ``resource.getrusage(RUSAGE_SELF)``: the whole worker, any background thread included
(the embedded job worker thread of ``make run``'s default, when it runs)."""

from __future__ import annotations

import os
import resource
import time

_started: dict[str, float] = {}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pre_request(worker, req) -> None:
    _started["cpu"], _started["wall"] = _cpu(), time.perf_counter()


def post_request(worker, req, environ, resp) -> None:
    folder = os.environ.get("BENCH_REQUEST_CPU_DIR")
    if not folder or "cpu" not in _started:
        return
    cpu_ms = (_cpu() - _started["cpu"]) * 1000
    wall_ms = (time.perf_counter() - _started["wall"]) * 1000
    side = "app" if "LMS_DATABASE_URL" in os.environ else "floor"
    with open(os.path.join(folder, f"{side}-{os.getpid()}.log"), "a", encoding="utf-8") as log:
        log.write(f"{req.method} {req.path} {cpu_ms:.3f} {wall_ms:.3f}\n")


def kind_of(method: str, path: str) -> str | None:
    """The closed loop's request kind of a logged request (None for the rest: login, healthz)."""
    if path.endswith("/save"):
        return "save"
    if path.endswith("/start"):
        return "start"
    if path == "/quizzes":
        return "list"
    if "/quizzes/attempts/" in path:
        return "page" if method == "GET" else "submit"
    return None


def medians(folder: str, side: str) -> dict[str, float]:
    """Median CPU ms per request kind for one side, from the logs in ``folder``."""
    import statistics
    from pathlib import Path

    seen: dict[str, list[float]] = {}
    for log in Path(folder).glob(f"{side}-*.log"):
        for line in log.read_text(encoding="utf-8").splitlines():
            method, path, cpu_ms, _wall = line.split()
            kind = kind_of(method, path)
            if kind:
                seen.setdefault(kind, []).append(float(cpu_ms))
    return {kind: round(statistics.median(values), 2) for kind, values in seen.items()}
