"""Settings from the environment, with safe defaults.

Every key can also be given to ``create_app(config)``; those win over the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    "LMS_DATABASE_URL": None,  # None: SQLite file instance/lms.db
    "LMS_SECRET_KEY": None,  # None: generated once into instance/secret_key
    "LMS_SECURE_COOKIES": False,  # set to 1 behind HTTPS
    "LMS_UPLOAD_MAX_MB": 20,
    "LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LMS_LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
    "LMS_LOGIN_WINDOW_MINUTES": 15,
    "LMS_DEFAULT_LOCALE": "vi",
    "LMS_TRUST_PROXY": False,  # set to 1 behind nginx so the client address is X-Forwarded-For
    "LMS_GRAPHVIZ_DOT": "dot",  # Graphviz's dot (scenario graphs); missing: graphs as text lists
}

_BOOL_KEYS = {"LMS_SECURE_COOKIES", "LMS_TRUST_PROXY"}
_INT_KEYS = {
    "LMS_UPLOAD_MAX_MB",
    "LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT",
    "LMS_LOGIN_MAX_FAILURES_PER_ADDRESS",
    "LMS_LOGIN_WINDOW_MINUTES",
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
