"""The documented deployment, as an operator runs it: build the wheel, install it in a fresh
virtualenv, migrate an empty database, serve with gunicorn, from a folder with nothing of the
source tree on the path (the installed package must carry its migrations, catalogs and demo
content). Slow (a virtualenv and a pip install from the cache): one test, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("LMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

pytestmark = pytest.mark.nodb


def _run(args, cwd, env, timeout=600):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


def _serve_and_check(venv: Path, cwd: Path, env: dict) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [str(venv / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "lms:create_app()"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body, _ = _get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.3)
        assert (status, body.strip()) == (200, "ok")
        status, body, _ = _get(f"{base}/login")
        assert status == 200 and "Đăng nhập" in body
        css = next(part.split('"')[0] for part in body.split('href="')[1:] if ".css" in part.split('"')[0])
        status, body, headers = _get(base + css)
        assert status == 200 and len(body) > 1000 and "css" in headers.get("Content-Type", "")
        status, body, _ = _get(f"{base}/lang/en")  # GET is not allowed: a clean 405 page, no traceback
        assert status == 405
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "PYTHON", "VIRTUAL_ENV"))}
    dist = str(work / "dist")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, str(ROOT)], work, env)
    wheel = next((work / "dist").glob("lms-*.whl"))
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], work, env)
    _run([str(venv / "bin" / "pip"), "install", "-q", f"{wheel}[postgres]"], work, env)
    run_dir = work / "srv"  # nothing of the source tree here or on the path
    run_dir.mkdir()
    return venv, run_dir, env


def test_wheel_ships_migrations_catalogs_and_content(installed):
    venv, run_dir, env = installed
    out = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import lms, lms.paths as p; print(lms.__file__, p.migrations_dir(), p.content_dir())",
        ],
        run_dir,
        env,
    )
    package, migrations, content = out.split()
    site = str(venv)
    assert package.startswith(site) and migrations.startswith(site) and content.startswith(site)
    assert str(ROOT) not in out
    assert (Path(migrations) / "env.py").is_file() and (Path(content) / "topics").is_dir()
    assert list((Path(package).parent / "translations").glob("en/LC_MESSAGES/messages.mo"))


def test_wheel_on_sqlite_upgrades_loads_the_demo_and_serves(installed, tmp_path):
    venv, run_dir, env = installed
    env = env | {"LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'lms.db'}", "LMS_SECRET_KEY": "x" * 40}
    flask = str(venv / "bin" / "flask")
    _run([flask, "--app", "lms", "db", "upgrade"], run_dir, env)
    out = _run([flask, "--app", "lms", "demo"], run_dir, env, timeout=900)
    assert "programs:" in out and "no content" not in out
    _serve_and_check(venv, run_dir, env)


def test_wheel_on_postgresql_upgrades_and_serves(installed):
    psycopg = pytest.importorskip("psycopg")
    venv, run_dir, env = installed
    name = f"lms_wheel_{uuid.uuid4().hex[:8]}"
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("PostgreSQL is not running here")
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
        env = env | {"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "y" * 40}
        _run([str(venv / "bin" / "flask"), "--app", "lms", "db", "upgrade"], run_dir, env)
        _serve_and_check(venv, run_dir, env)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
