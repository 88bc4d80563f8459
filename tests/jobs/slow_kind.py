"""Job kinds used by the job tests (loaded through LMS_JOB_MODULES in the worker subprocess,
imported directly in-process): a slow writer to kill mid-way, and one that always fails."""

from __future__ import annotations

import time

from lms.jobs.kinds import KINDS, kind

CHUNKS = 40
CHUNK = b"0123456789" * 100  # 1,000 bytes


def _slow(ctx) -> None:
    pause = float(ctx.params.get("pause", 0.2))
    with ctx.open_output("txt", "cham.txt", "text/plain") as handle:
        for number in range(CHUNKS):
            handle.write(CHUNK)
            handle.flush()
            ctx.progress(number * 100 // CHUNKS, f"{number}/{CHUNKS}")
            time.sleep(pause)


RUNS = {"fail": 0}


def _fail(ctx) -> None:
    RUNS["fail"] += 1
    raise RuntimeError("máy in hết giấy")


if "test.slow" not in KINDS:
    kind("test.slow", "Chậm (thử)")(_slow)
    kind("test.fail", "Luôn lỗi (thử)")(_fail)
