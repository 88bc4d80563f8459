"""deploy/: the nginx site passes `nginx -t`, the systemd units pass `systemd-analyze verify`,
and the environment template names every LMS_* setting the app reads (and parses).

Where nginx is missing (`make install-test` installs Debian's), the nginx test skips with one
line, except with CI=true, where it fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.deploy_files import DEPLOY, ROOT, main_conf, nginx_binary, site
from lms.config import DEFAULTS, load_settings

pytestmark = pytest.mark.nodb
UNITS = sorted((DEPLOY / "systemd").glob("lms*.*"))
ENV_FILE = DEPLOY / "lms.env.example"


def _need(tool: str | None, what: str) -> str:
    if tool:
        return tool
    message = f"{what} is not installed here (make install-test installs it): skipping"
    if os.environ.get("CI") == "true":
        pytest.fail(message.replace("skipping", "failing with CI=true"))
    pytest.skip(message)


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = _need(nginx_binary(), "nginx (Debian's package)")
    _need(shutil.which("openssl"), "openssl")
    conf = main_conf(tmp_path, f"    include {site(tmp_path)};")
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr
    # and it would catch a broken file: the same test on a site with a typo fails
    broken = tmp_path / "lms.conf"
    broken.write_text(broken.read_text().replace("proxy_pass", "proxy_pas", 1))
    (tmp_path / "lms-locations.conf").write_text(
        (tmp_path / "lms-locations.conf").read_text().replace("proxy_pass", "proxy_pas", 1)
    )
    bad = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert bad.returncode != 0 and "proxy_pas" in bad.stderr


def test_the_site_caches_static_files_for_a_year_and_retries_only_idempotent_requests():
    snippet = (DEPLOY / "nginx" / "lms-locations.conf").read_text()
    static = snippet.split("location ^~ /static/ {", 1)[1].split("}", 1)[0]
    assert "max-age=31536000" in static and "immutable" in static
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in snippet
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in snippet
    assert re.search(r"^gzip on;", snippet, re.M) and "text/css" in snippet
    # non_idempotent only for the autosave location
    blocks = re.findall(r"location ([^{]+)\{([^}]*)\}", snippet)
    with_retry = [where.strip() for where, body in blocks if "non_idempotent" in body]
    assert with_retry == ["~ ^/quizzes/attempts/[^/]+/save$"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_systemd_units_pass_systemd_analyze_verify(unit, tmp_path):
    analyze = _need(shutil.which("systemd-analyze"), "systemd-analyze")
    venv = Path(os.environ.get("VIRTUAL_ENV") or ROOT / ".venv")
    env = tmp_path / "lms.env"
    env.write_text(ENV_FILE.read_text())
    for source in UNITS:  # a timer needs its service beside it
        text = source.read_text().replace("/srv/lms/venv", str(venv)).replace("/etc/lms/lms.env", str(env))
        text = text.replace("User=lms", "User=root").replace("Group=lms", "Group=root")
        (tmp_path / source.name).write_text(text)
    done = subprocess.run([analyze, "verify", str(tmp_path / unit.name)], capture_output=True, text=True)
    problems = [
        line for line in (done.stdout + done.stderr).splitlines() if unit.stem in line or "lms" in line
    ]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def test_units_run_the_documented_commands():
    text = {u.name: u.read_text() for u in UNITS}
    assert "ExecStart=/srv/lms/venv/bin/gunicorn lms:create_app()" in text["lms.service"]
    assert "ExecStart=/srv/lms/venv/bin/flask --app lms jobs worker" in text["lms-worker.service"]
    assert "quizzes close-overdue" in text["lms-close-overdue.service"]
    for name, body in text.items():
        if name.endswith(".service"):
            assert "EnvironmentFile=/etc/lms/lms.env" in body, name


def _env_file() -> dict[str, str]:
    values = {}
    for n, line in enumerate(ENV_FILE.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        key, sep, value = line.lstrip("#").partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"{ENV_FILE}:{n}: not KEY=value"
        assert not value.startswith(("'", '"')), f"{ENV_FILE}:{n}: systemd keeps quotes literally"
        values[key] = value
    return values


def test_the_environment_template_names_every_setting_the_app_reads():
    read_by_code = set(DEFAULTS)
    for path in (ROOT / "lms").rglob("*.py"):
        read_by_code |= set(re.findall(r"environ(?:\.get\(|\[)\s*[\"'](LMS_[A-Z0-9_]+)", path.read_text()))
    assert "LMS_CONTENT_DIR" in read_by_code  # lms/paths.py, found by the scan
    listed = {key for key in _env_file() if key.startswith("LMS_")}
    assert listed == read_by_code


def test_the_environment_template_parses_as_settings(tmp_path, monkeypatch):
    for key, value in _env_file().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(tmp_path, None)
    assert settings["LMS_TRUST_PROXY"] is True and settings["LMS_SECURE_COOKIES"] is True
    assert settings["LMS_UPLOAD_MAX_MB"] == 20 and settings["LMS_DATABASE_URL"].startswith(
        "postgresql+psycopg://"
    )
