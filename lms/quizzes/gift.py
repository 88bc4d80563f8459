"""Moodle GIFT import and export. Reading lives in ``gift_reader`` (the format's rules are
described there), writing in ``gift_writer``; this module keeps the names every caller imports
(``gift.parse``, ``gift.export``, …)."""

from __future__ import annotations

from lms.quizzes.gift_reader import (
    FORMATS,
    LOOKS_LIKE_WEIGHT,
    UNSUPPORTED,
    WEIGHT,
    GiftError,
    Parsed,
    assign_codes,
    category_path,
    generated_code,
    parse,
    parse_all,
    read_number,
    title_of,
    unescape,
)
from lms.quizzes.gift_writer import SPECIAL, escape, export, export_question, image_warning

__all__ = [
    "FORMATS",
    "LOOKS_LIKE_WEIGHT",
    "SPECIAL",
    "UNSUPPORTED",
    "WEIGHT",
    "GiftError",
    "Parsed",
    "assign_codes",
    "category_path",
    "escape",
    "export",
    "export_question",
    "generated_code",
    "image_warning",
    "parse",
    "parse_all",
    "read_number",
    "title_of",
    "unescape",
]
