"""Where the migrations and the demo content are: beside the package in a checkout
(``migrations/``, ``content/`` at the top of the repository) or inside an installed wheel
(``lms/_data/``, copied there by setup.py). ``LMS_CONTENT_DIR`` points the demo elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
SHIPPED = PACKAGE / "_data"


def _first(name: str) -> Path:
    for candidate in (CHECKOUT / name, SHIPPED / name):
        if candidate.is_dir():
            return candidate
    return CHECKOUT / name  # the error that follows names the place of a checkout


def migrations_dir() -> Path:
    # a checkout's migrations/ only counts when it is ours (a site-packages neighbour is not)
    ours = CHECKOUT / "migrations" / "env.py"
    return ours.parent if ours.is_file() else _first("migrations")


def content_dir() -> Path:
    configured = os.environ.get("LMS_CONTENT_DIR")
    if configured:
        return Path(configured)
    if (CHECKOUT / "content" / "FORMATS.md").is_file():
        return CHECKOUT / "content"
    return _first("content")
