"""Demo step: evaluation schemes from the shipped programs' ``evaluation`` blocks (the
programs importer also calls ``ensure_scheme``; both are idempotent), the default scheme,
and every record recomputed from whatever results the other demo steps wrote."""

from __future__ import annotations

import yaml
from sqlalchemy.orm import Session

from lms import safe_yaml
from lms.errors import LmsError
from lms.evaluation.models import DEFAULT_PROGRAM
from lms.evaluation.services import ensure_scheme, recompute_all
from lms.paths import content_dir

CONTENT = content_dir()


def load_content(session: Session) -> str:
    ensure_scheme(session, DEFAULT_PROGRAM, None)
    schemes = 0
    for path in sorted((CONTENT / "programs").glob("*.yaml")):
        try:
            data = safe_yaml.load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue  # the programs importer reports bad files with their line numbers
        if isinstance(data, dict) and data.get("code"):
            try:
                ensure_scheme(session, str(data["code"]), data.get("evaluation"), note=f"Từ {path.name}")
                schemes += 1
            except LmsError:
                continue
    records = recompute_all(session)
    return f"evaluation: {schemes} program schemes, {records} records recomputed"
