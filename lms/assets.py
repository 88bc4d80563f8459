"""Versioned static URLs: ``url_for('static', filename=...)`` gets ``?v=<content hash>``.

nginx serves ``/static/`` from the installed package with a one-year, immutable cache
(deploy/nginx/lms-locations.conf); a changed file gets a new hash, hence a new URL, so browsers
fetch it at once after an upgrade. This is the one place that adds the version: every template
keeps calling ``url_for('static', filename=...)``.
"""

from __future__ import annotations

import functools
import hashlib
import os

from flask import Flask, current_app


def init_app(app: Flask) -> None:
    app.url_defaults(_version_static)


def _version_static(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    version = static_version(current_app.static_folder, values["filename"])
    if version:
        values["v"] = version


def static_version(folder: str | None, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None for a missing file."""
    if not folder:
        return None
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(os.path.realpath(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    # keyed by mtime and size: an edited file (make run, a development checkout) gets a new hash
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]
