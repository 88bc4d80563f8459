"""The programs blueprint and the labels its templates share, kept apart so the view modules
import this one and never each other."""

from __future__ import annotations

from flask import Blueprint

from lms.programs.models import FIELDS, STATUS_LABELS, TOPIC_KIND_LABELS

bp = Blueprint("programs", __name__)


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "kind_labels": TOPIC_KIND_LABELS, "fields": FIELDS}
