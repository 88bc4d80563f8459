"""Names, not codes, for a scenario's metadata: its field (lĩnh vực), target groups and titles
(chức danh) as the reference data and the programs' field list call them."""

from __future__ import annotations

import functools

from lms.programs.models import FIELDS as FIELD_NAMES
from lms.scenarios.forms import GRADING_METHOD_LABELS


@functools.cache
def _reference() -> dict[str, dict[str, str]]:
    from lms.org.services import load_reference_data

    data = load_reference_data()
    return {
        "target_groups": {g["code"]: g["name"] for g in data["target_groups"]},
        "titles": {t["code"]: t["name"] for t in data["titles"]},
    }


def field_name(code: str | None) -> str:
    return FIELD_NAMES.get(code or "", code or "—")


def group_names() -> dict[str, str]:
    return dict(_reference()["target_groups"])


def title_names() -> dict[str, str]:
    return dict(_reference()["titles"])


def names(codes: str | list[str] | None, kind: str) -> list[str]:
    """Space-separated codes (as stored) or a list → names, unknown codes kept as written."""
    items = codes.split() if isinstance(codes, str) else list(codes or [])
    table = _reference()[kind]
    return [table.get(code, code) for code in items]


def metadata(scenario) -> dict[str, str]:
    """What the detail page shows for field, target groups and titles."""
    return {
        "field": field_name(scenario.field),
        "target_groups": "; ".join(names(scenario.target_groups, "target_groups")) or "—",
        "titles": "; ".join(names(scenario.titles, "titles")) or "—",
        "grading_method": str(GRADING_METHOD_LABELS.get(scenario.grading_method, scenario.grading_method)),
    }
