"""Settings from the environment, with safe defaults.

Every key can also be given to ``create_app(config)``; those win over the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    "LMS_DATABASE_URL": None,  # None: SQLite file instance/lms.db
    # a streaming replica: reports and quiz statistics read from it (lms.db.Database.read_session)
    "LMS_REPLICA_DATABASE_URL": None,
    "LMS_SECRET_KEY": None,  # None: generated once into instance/secret_key
    "LMS_SECURE_COOKIES": False,  # set to 1 behind HTTPS
    "LMS_UPLOAD_MAX_MB": 20,
    "LMS_UPLOAD_DIR": None,  # None: instance/uploads; several app hosts: one shared folder
    "LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LMS_LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
    "LMS_LOGIN_WINDOW_MINUTES": 15,
    "LMS_SESSION_IDLE_MINUTES": 30,  # a signed-in session ends after this long without a request
    "LMS_SESSION_WORK_IDLE_MINUTES": 240,  # ... when the last request was a quiz attempt or scenario run
    "LMS_SESSION_MAX_HOURS": 12,  # and in any case this long after login (not in the middle of work)
    "LMS_DEFAULT_LOCALE": "vi",
    "LMS_TRUST_PROXY": False,  # set to 1 behind nginx so the client address is X-Forwarded-For
    # gzip of pages, CSS and JS by the app itself (lms/wire.py); 0 behind nginx, which does it
    "LMS_COMPRESS": True,
    # Job queue (lms/jobs, Huey): "sqlite" (a file beside the database, the embedded default),
    # "postgres" (tables in the app's PostgreSQL database), "redis://host:port/db", or "memory"
    # (tests). Empty: postgres when the database is PostgreSQL, else sqlite.
    "LMS_JOB_BROKER": "",
    # "thread": the web app runs a worker thread itself (the default with the sqlite broker);
    # "external": `flask --app lms jobs worker` runs them (systemd unit); "off": nobody (tests).
    "LMS_JOB_WORKER": "",
    "LMS_JOB_RESULT_DIR": None,  # None: instance/job-results
    "LMS_JOB_RESULT_DAYS": 7,  # how long a report or export stays downloadable
    "LMS_JOB_MAX_ATTEMPTS": 3,  # runs of one job (a crash or an error counts), then "failed"
    "LMS_JOB_STALL_SECONDS": 120,  # a running job whose heartbeat is older is retried
    "LMS_JOB_HEARTBEAT_SECONDS": 10,  # how often a running job tells the database it is alive
    "LMS_JOB_RETRY_DELAY_SECONDS": 30,  # first wait before a failed run is retried (doubles)
    "LMS_JOB_MODULES": "",  # comma-separated modules that register more job kinds
    # Above this many cadres the report page shows no tables inline: "Tạo báo cáo" runs a job.
    "LMS_REPORT_INLINE_MAX_CADRES": 20000,
    # A quiz results export with more finished attempts than this runs as a job.
    "LMS_JOB_EXPORT_INLINE_MAX": 2000,
    "LMS_GRAPHVIZ_DOT": "dot",  # Graphviz's dot (scenario graphs); missing: graphs as text lists
}

_BOOL_KEYS = {"LMS_SECURE_COOKIES", "LMS_TRUST_PROXY", "LMS_COMPRESS"}
_INT_KEYS = {
    "LMS_UPLOAD_MAX_MB",
    "LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT",
    "LMS_LOGIN_MAX_FAILURES_PER_ADDRESS",
    "LMS_LOGIN_WINDOW_MINUTES",
    "LMS_SESSION_IDLE_MINUTES",
    "LMS_SESSION_WORK_IDLE_MINUTES",
    "LMS_SESSION_MAX_HOURS",
    "LMS_JOB_RESULT_DAYS",
    "LMS_JOB_MAX_ATTEMPTS",
    "LMS_JOB_STALL_SECONDS",
    "LMS_JOB_HEARTBEAT_SECONDS",
    "LMS_JOB_RETRY_DELAY_SECONDS",
    "LMS_REPORT_INLINE_MAX_CADRES",
    "LMS_JOB_EXPORT_INLINE_MAX",
}


def _from_env(key: str, default: object) -> object:
    raw = os.environ.get(key)
    if raw is None or raw == "":
        return default
    if key in _BOOL_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if key in _INT_KEYS:
        try:
            return int(raw)
        except ValueError as exc:
            raise SystemExit(f"{key} must be a whole number, got {raw!r}") from exc
    return raw


def load_settings(instance_path: Path, overrides: dict | None) -> dict:
    settings = {key: _from_env(key, default) for key, default in DEFAULTS.items()}
    settings.update(overrides or {})
    if not settings["LMS_DATABASE_URL"]:
        settings["LMS_DATABASE_URL"] = f"sqlite:///{instance_path / 'lms.db'}"
    if not settings["LMS_SECRET_KEY"]:
        settings["LMS_SECRET_KEY"] = _instance_secret(instance_path)
    return settings


def _instance_secret(instance_path: Path) -> str:
    """A random key kept in instance/secret_key, made on first run (never a constant)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()
