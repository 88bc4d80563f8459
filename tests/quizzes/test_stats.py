import pytest

from lms.quizzes.stats import compute

# Four attempts, three one-point questions, worked by hand:
#   A: 1 1 1 (3)   B: 1 1 0 (2)   C: 1 0 0 (1)   D: 0 0 0 (0)
GRID = {"A": [1, 1, 1], "B": [1, 1, 0], "C": [1, 0, 0], "D": [0, 0, 0]}


def rows(grid):
    for attempt, marks in enumerate(grid.values()):
        for position, mark in enumerate(marks, start=1):
            yield attempt, position, position, float(mark), 1.0


def test_against_hand_computed_example():
    report = compute(rows(GRID), {1: "q1", 2: "q2", 3: "q3"})
    q1, q2, q3 = report.questions
    # facility = mean fraction; sd = sample standard deviation
    assert (q1.facility, q2.facility, q3.facility) == (0.75, 0.5, 0.25)
    assert q1.sd == pytest.approx(0.5) and q2.sd == pytest.approx(0.57735, abs=1e-5)
    # q1: cov(x, rest)=0.25, var x=0.25, var rest=0.91667 -> r=0.52223
    assert q1.discrimination == pytest.approx(0.522233, abs=1e-6)
    assert q2.discrimination == pytest.approx(0.707107, abs=1e-6)
    assert q3.discrimination == pytest.approx(0.522233, abs=1e-6)
    # each question already reaches the largest covariance its distribution allows
    assert q1.efficiency == pytest.approx(1.0) and q3.efficiency == pytest.approx(1.0)
    # alpha = 3/2 * (1 - (0.25 + 0.3333 + 0.25) / 1.6667) = 0.75
    assert report.alpha == pytest.approx(0.75)
    assert report.mean == pytest.approx(5.0) and report.median == pytest.approx(5.0)
    assert report.distribution == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert report.attempts == 4 and not any(q.flags for q in report.questions)


def test_flags_for_too_easy_too_hard_and_poor_discrimination():
    grid = {
        "A": [1, 0, 0, 1], "B": [1, 0, 1, 1], "C": [1, 0, 1, 0], "D": [1, 0, 0, 0], "E": [1, 0, 1, 0],
    }  # fmt: skip
    report = compute(rows(grid))
    flags = {q.key: q.flags for q in report.questions}
    assert "quá dễ" in flags[1] and "quá khó" in flags[2]
    assert report.questions[0].discrimination is None  # no variance: undefined, not zero
    assert any("phân loại kém" in f for f in flags.values())


def test_empty_and_single_attempt():
    assert compute([]).attempts == 0 and compute([]).alpha is None
    one = compute([(1, 1, 1, 1.0, 1.0)])
    assert one.questions[0].sd is None and one.alpha is None and one.sd is None
