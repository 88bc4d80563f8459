"""Hostile scenario files: every one answered in seconds with ``file:line: message`` (or
validated correctly when valid), never a hang, a traceback or gigabytes of memory.

The slow cases run the real CLI in a child process with a time and memory limit, so the
old behaviour (minutes, gigabytes) fails the test instead of hanging the suite."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time

import pytest

from lms import safe_yaml
from lms.scenarios.graph import MAX_STATES
from lms.scenarios.validate import MAX_NODES, validate_text
from tests.scenarios import hostile

PROBLEM = re.compile(r"^.+:\d+: .+$")


def _cli(tmp_path, text: str, seconds: float = 120) -> tuple[int, str, float]:
    """Exit code, output and the child's CPU seconds (not wall time: the machine may be busy);
    ``seconds`` of wall time is only the guard against a hang."""
    path = tmp_path / "hostile.yaml"
    path.write_text(text, "utf-8")
    env = dict(
        os.environ,
        LMS_DATABASE_URL=f"sqlite:///{tmp_path}/cli.db",
        LMS_SECRET_KEY="test",
        LMS_INSTANCE_PATH=str(tmp_path),
    )

    def limit():  # 1 GB of address space: an alias bomb dies instead of swapping the machine
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "lms", "scenarios", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=seconds,
            env=env,
            preexec_fn=limit,
            cwd=tmp_path,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"validate still running after {seconds} s")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.returncode, done.stdout + done.stderr, cpu


def _assert_refused(code: int, output: str, path_part: str, message: str) -> None:
    assert code == 1, output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines and all(PROBLEM.match(line) for line in lines), output[-2000:]
    assert any(path_part in line and message in line for line in lines), output[-2000:]
    assert len(output) < 20_000  # no value printed whole


def test_billion_laughs_is_refused_quickly_by_the_cli(tmp_path):
    code, output, seconds = _cli(tmp_path, hostile.billion_laughs())
    _assert_refused(code, output, "hostile.yaml:", "bí danh bung ra hơn")
    assert seconds < 10


def test_billion_laughs_in_process_and_in_messages():
    text = hostile.billion_laughs()
    assert len(text) < 2000
    checked = validate_text(text, "b.yaml")
    assert not checked.ok
    assert all(len(p.message) < 300 for p in checked.problems)
    assert "YAML bị từ chối" in checked.problems[0].message


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: &a [*a]\n", "trỏ tới chính giá trị chứa nó"),
        ("a: [" + ", ".join(["*x"] * (safe_yaml.MAX_ALIASES + 1)) + "]\nx: &x 1\n", "bí danh"),
        ("x: &x 1\na: [" + ", ".join(["*x"] * (safe_yaml.MAX_ALIASES + 1)) + "]\n", "bí danh (*tên)"),
        ("a: " + "[" * (safe_yaml.MAX_DEPTH + 1) + "]" * (safe_yaml.MAX_DEPTH + 1), "lồng nhau sâu hơn"),
        ("a: " + "x" * (safe_yaml.MAX_BYTES + 1), "lớn hơn"),
        ("a: 1.0e+400\n", "không phải là số hữu hạn"),
        ("a: " + "1" * 5000 + "\n", "số quá dài"),
    ],
)
def test_shared_loader_refuses_with_a_line(text, message):
    with pytest.raises(safe_yaml.YamlRefused) as refused:
        safe_yaml.load(text)
    assert message in str(refused.value)
    assert refused.value.line >= 1


def test_shared_loader_still_loads_aliases_in_moderation():
    assert safe_yaml.load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_short_never_prints_a_huge_value():
    value: list = []
    value.append(value)
    assert len(safe_yaml.short(value)) <= safe_yaml.SHORT
    assert len(safe_yaml.short("x" * 10_000)) <= safe_yaml.SHORT


def test_independent_decisions_validate_without_enumerating_every_combination(tmp_path):
    text = hostile.independent_decisions(24)
    started = time.process_time()
    checked = validate_text(text, "d.yaml")
    assert time.process_time() - started < 5
    assert checked.ok, checked.problems
    assert (checked.min_points, checked.max_points) == (0, 24)
    code, output, _ = _cli(tmp_path, text)
    assert code == 0 and output.strip().splitlines()[-1] == "ok: min score 0, max score 24", output


def test_exploding_states_get_a_clear_message(tmp_path):
    text = hostile.independent_decisions(24, tested=True)
    code, output, seconds = _cli(tmp_path, text)
    _assert_refused(code, output, "hostile.yaml:", f"hơn {MAX_STATES} tổ hợp")
    assert seconds < 15
    # a few tested variables still explore exactly
    checked = validate_text(hostile.independent_decisions(6, tested=True), "d.yaml")
    assert checked.ok, checked.problems
    assert (checked.min_points, checked.max_points) == (0, 6)


@pytest.mark.parametrize("before, after", hostile.WRONG_TYPES)
def test_wrong_types_are_problems_with_a_line(before, after):
    assert before in hostile.SMALL
    checked = validate_text(hostile.SMALL.replace(before, after, 1), "t.yaml")
    assert not checked.ok
    assert all(p.line >= 1 and len(p.message) < 400 for p in checked.problems)


def test_long_chain_validates_iteratively():
    checked = validate_text(hostile.chain(MAX_NODES - 3), "c.yaml")
    assert checked.ok, checked.problems[:3]
    assert (checked.min_points, checked.max_points) == (0, 1)
    from lms.scenarios import editor

    assert editor.draw(checked.document) is not None  # the drawing walks it too


def test_long_chain_ending_in_a_cycle_is_reported():
    checked = validate_text(hostile.chain(1990, cycle=True), "c.yaml")
    assert [p.message for p in checked.problems if "vòng lặp" in p.message]


def test_too_many_nodes_is_refused():
    checked = validate_text(hostile.chain(MAX_NODES + 10), "c.yaml")
    assert any(f"tối đa {MAX_NODES} nút" in p.message for p in checked.problems)


def test_deep_nesting_is_refused_by_the_cli(tmp_path):
    code, output, _ = _cli(tmp_path, hostile.deep(5000))
    _assert_refused(code, output, "hostile.yaml:", "lồng nhau sâu hơn")


@pytest.mark.parametrize("before, after", hostile.NOT_FINITE)
def test_non_finite_and_huge_numbers_are_refused(before, after):
    assert before in hostile.SMALL
    checked = validate_text(hostile.SMALL.replace(before, after, 1), "n.yaml")
    assert not checked.ok, checked.summary()
    assert all(p.line > 1 or "refused" in p.message for p in checked.problems)
    assert "nan" not in checked.summary() or not checked.ok


def test_editor_shows_the_message_instead_of_a_500(login_as, world):
    from tests.fixtures import csrf_token

    client = login_as(world.users["instructor"])
    for text in (
        hostile.billion_laughs(),
        hostile.deep(3000),
        hostile.independent_decisions(24, tested=True),
    ):
        token = csrf_token(client, "/scenarios/manage/new")
        started = time.process_time()
        response = client.post(
            "/scenarios/manage/new",
            data={"source": text, "owner_unit_id": world.province.id, "csrf_token": token},
        )
        assert time.process_time() - started < 10
        assert response.status_code in (200, 400), response.status_code
        page = response.get_data(as_text=True)
        assert "bị từ chối" in page or "quá nhiều đường" in page or "tối đa" in page
        assert len(page) < 200_000
