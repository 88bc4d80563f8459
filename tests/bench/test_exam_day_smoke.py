"""The exam-day benchmark itself keeps working (bench/exam_day.py at toy size, SQLite).

No timing is asserted here (figures live in bench/README.md); this checks that the bench still
drives the real app end to end — logins, the synchronized start, every autosave, submit — that its
lost-answer check reads the database, and that its JSON line has the fields the issue names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = [
    "learners", "saves_per_s", "save_p50_ms", "save_p99_ms", "start_p99_ms", "submit_p99_ms",
    "errors", "lost_answers", "floor_saves_per_s", "ratio_to_floor",
]  # fmt: skip


def test_a_small_exam_day_runs_clean_and_reports_every_field():
    learners = 5
    done = subprocess.run(
        [sys.executable, "bench/exam_day.py", "--learners", str(learners), "--seconds", "12",
         "--login-window", "2", "--workers", "2", "--db", "sqlite", "--json", "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(REQUIRED) <= set(result)
    assert result["errors"] == 0 and result["floor_errors"] == 0, result["error_kinds"]
    assert result["lost_answers"] == 0
    assert result["finished_attempts"] == learners
    # every planned save was sent or, on a machine too busy to keep the schedule, counted as
    # skipped (never as acknowledged); the acknowledged answers were all found in the database
    assert result["saves"] + result["saves_skipped"] == 27 * learners
    assert 0 < result["acknowledged_answers"] <= 20 * learners
    if result["saves_skipped"] == 0:
        assert result["acknowledged_answers"] == 20 * learners
    assert result["ratio_to_floor"] > 0


def test_the_closed_loop_repeats_the_whole_exam_on_both_apps_and_reports_the_ratio():
    learners = 3
    done = subprocess.run(
        [sys.executable, "bench/exam_day.py", "--closed-loop", "--learners", str(learners),
         "--seconds", "6", "--login-window", "1", "--saves", "5", "--workers", "2", "--db", "sqlite",
         "--request-cpu", "--json", "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["mode"] == "closed_loop" and result["saves_per_attempt"] == 5
    for side in ("app", "floor"):
        figures = result[side]
        assert figures["errors"] == 0, figures["error_kinds"]
        assert figures["lost_answers"] == 0
        # a learner loops: more attempts than learners (unlimited attempts), each with its saves
        assert figures["submitted"] > learners, figures
        assert figures["acknowledged_answers"] >= 5 * figures["submitted"]
        assert figures["attempts_per_min"] > 0
        for kind in ("list", "start", "page", "save", "submit"):
            assert figures[f"{kind}_p50_ms"] <= figures[f"{kind}_p99_ms"]
            # the server's own CPU per request, from the gunicorn hooks (bench/request_cpu.py)
            assert figures["request_cpu_ms"][kind] > 0, figures["request_cpu_ms"]
        cpu = figures["request_cpu_ms"]
        assert figures["request_cpu_ms_per_attempt"] == round(
            sum(cpu[k] for k in ("list", "start", "page", "submit")) + 5 * cpu["save"], 1
        )
    assert result["capacity_ratio"] == round(result["attempts_per_min"] / result["floor_attempts_per_min"], 3)
    assert result["lobby"]["learners"] == learners and result["lobby"]["login_p50_ms"] > 0
