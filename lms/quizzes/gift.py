"""Moodle GIFT import and export. Reading lives in ``gift_reader`` (the format's rules are
described there), ``gift_scan`` and ``gift_answers``, writing in ``gift_writer``; this module
keeps the names every caller imports (``gift.parse``, ``gift.export``, …)."""

from __future__ import annotations

from lms.quizzes.gift_answers import LOOKS_LIKE_WEIGHT, WEIGHT, read_number
from lms.quizzes.gift_reader import Parsed, assign_codes, generated_code, parse, parse_all, title_of
from lms.quizzes.gift_scan import FORMATS, UNSUPPORTED, GiftError, category_path, unescape
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
