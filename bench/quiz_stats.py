"""Time the quiz statistics on 10,000 synthetic attempts of a 30-question quiz (in memory).

Run: PYTHONPATH=. python bench/quiz_stats.py
Learners have an ability, questions a difficulty; a learner answers right with a logistic
probability, so the report has realistic facility and discrimination values.
"""

from __future__ import annotations

import math
import random
import time

from lms.quizzes.stats import compute

ATTEMPTS, QUESTIONS = 10_000, 30


def synthetic_rows(seed: int = 2026):
    rng = random.Random(seed)
    difficulty = [rng.gauss(0, 1) for _ in range(QUESTIONS)]
    rows = []
    for attempt in range(ATTEMPTS):
        ability = rng.gauss(0, 1)
        for position in range(QUESTIONS):
            p = 1 / (1 + math.exp(-(ability - difficulty[position])))
            rows.append((attempt, position, position, 1.0 if rng.random() < p else 0.0, 1.0))
    return rows


def main() -> None:
    rows = synthetic_rows()
    start = time.perf_counter()
    report = compute(rows)
    elapsed = time.perf_counter() - start
    print(
        f"{ATTEMPTS} attempts x {QUESTIONS} questions ({len(rows)} answers): statistics in {elapsed:.2f} s; "
        f"alpha {report.alpha:.3f}, mean {report.mean:.2f}/10"
    )


if __name__ == "__main__":
    main()
