"""Reading the answer block of a GIFT question (the text between ``{`` and ``}``).

``parse_answers`` decides the type as Moodle does on the answer text: empty essay; ``#...``
numerical; any ``~`` multiple choice (single when an ``=`` answer is present, else multiple
response); ``=`` with ``->`` matching; ``T``/``TRUE``/``F``/``FALSE`` true/false; otherwise short
answer. Then one parser per type reads the answers with their ``%50%`` weights and ``#``
feedback. Problems are ``GiftError`` at an offset of the block's source (``gift_scan``).
"""

from __future__ import annotations

import math
import re

from flask_babel import gettext as _

from lms.quizzes.gift_scan import GiftError, restore, to_html
from lms.quizzes.qtypes import MultipleResponse

WEIGHT = re.compile(r"\s*%(-?\d+(?:[.,]\d+)?)%")
LOOKS_LIKE_WEIGHT = re.compile(r"\s*%([^%\s]{0,12})%")


def read_number(text: str) -> float | None:
    """A number as authors write it (decimal point or comma, spaces around it), or None when
    it is not a finite number. The GIFT and Moodle XML readers both read numbers this way."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _number(text: str, offset: int) -> float:
    value = read_number(text)
    if value is None:
        raise GiftError(offset, _("không đọc được số %(value)s", value=repr(text.strip())))
    return value


def _weight(chunk: str, offset: int) -> tuple[float | None, str]:
    match = WEIGHT.match(chunk)
    if not match:
        if LOOKS_LIKE_WEIGHT.match(chunk):
            bad = LOOKS_LIKE_WEIGHT.match(chunk).group(1)
            raise GiftError(
                offset,
                _(
                    "trọng số %%%(bad)s%% không hợp lệ (viết dạng %%50%% hoặc %%-25%%)",
                    bad=restore(bad),
                ),
            )
        return None, chunk
    value = float(match.group(1).replace(",", ".")) / 100
    if not -1 <= value <= 1:
        raise GiftError(
            offset,
            _(
                "trọng số %(value)s%% phải nằm trong khoảng -100%% đến 100%%",
                value=match.group(1),
            ),
        )
    return round(value, 7), chunk[match.end() :]


def _pieces(text: str, base: int, separators: str) -> list[tuple[int, str, str]]:
    """Split at separator characters: [(offset of the piece, separator before it, piece)]. The
    piece before the first separator is dropped when blank (as Moodle's array_shift)."""
    parts, start, sep = [], 0, ""
    for i, ch in enumerate(text):
        if ch in separators:
            parts.append((base + start, sep, text[start:i]))
            sep, start = ch, i + 1
    parts.append((base + start, sep, text[start:]))
    if parts and not parts[0][2].strip():
        parts.pop(0)
    return parts


def _comment(chunk: str) -> tuple[str, str]:
    """Answer text and feedback (after the first #)."""
    text, _, feedback = chunk.partition("#")
    return text, feedback


def _numerical(body: str, offset: int, fmt: str) -> dict:
    other = None
    tilde = body.find("~")
    if tilde >= 0:
        weight, rest = _weight(body[tilde + 1 :], offset + tilde + 1)  # a weight here is ours
        other = {"fraction": weight or 0.0, "feedback": to_html(_comment(rest)[1], fmt)}
        body = body[:tilde]
    answers = []
    for at, _sep, chunk in _pieces(body, offset, "="):
        weight, chunk = _weight(chunk, at)
        value_text, feedback = _comment(chunk)
        value_text = restore(value_text).strip()
        if not value_text:
            raise GiftError(at, _("thiếu đáp số"))
        if value_text.find("..") > 0:
            low, high = (_number(part, at) for part in value_text.split("..", 1))
            value, tolerance = (low + high) / 2, abs(high - low) / 2
        elif value_text.find(":") > 0:
            value_part, tol_part = value_text.split(":", 1)
            value, tolerance = _number(value_part, at), abs(_number(tol_part, at))
        else:
            value, tolerance = _number(value_text, at), 0.0
        answers.append(
            {
                "value": value,
                "tolerance": tolerance,
                "fraction": 1.0 if weight is None else weight,
                "feedback": to_html(feedback, fmt),
            }
        )
    if not answers:
        raise GiftError(offset, _("câu hỏi số không có đáp số nào"))
    data: dict = {"answers": answers}
    if other is not None:
        data["other"] = other
    return data


def _choices(body: str, offset: int, fmt: str) -> tuple[str, dict]:
    single = "=" in body
    items = []
    for at, sep, chunk in _pieces(body, offset, "~="):
        weight, chunk = _weight(chunk, at)
        text, feedback = _comment(chunk)
        if not restore(text).strip():
            raise GiftError(at, _("phương án bị trống"))
        if weight is None:
            weight = 1.0 if sep == "=" else (0.0 if single else None)
        items.append((at, text, weight, feedback))
    if len(items) < 2:
        raise GiftError(offset, _("câu nhiều lựa chọn cần ít nhất 2 phương án"))
    if not single and not any((w or 0) > 0 for _, _, w, _ in items):
        raise GiftError(
            offset, _("cần một phương án đúng (=…) hoặc các phương án có trọng số dương cộng lại 100%")
        )
    choices = [
        {"id": f"c{n}", "text": to_html(text, fmt), "fraction": weight, "feedback": to_html(feedback, fmt)}
        for n, (_at, text, weight, feedback) in enumerate(items, start=1)
    ]
    if single:
        return "single", {"choices": choices}
    return "multi", {"choices": MultipleResponse.default_penalties(choices)}


def _matching(body: str, offset: int, fmt: str) -> dict:
    pairs = []
    for at, _sep, chunk in _pieces(body, offset, "="):
        cut = chunk.find("->")
        if cut < 0:
            raise GiftError(at, _("câu ghép đôi: mỗi dòng cần dạng =vế trái -> vế phải"))
        right = restore(chunk[cut + 2 :]).strip()
        if not right:
            raise GiftError(at, _("câu ghép đôi: thiếu vế phải sau ->"))
        pairs.append({"id": f"p{len(pairs) + 1}", "left": to_html(chunk[:cut], fmt), "right": right})
    if len(pairs) < 2:
        raise GiftError(offset, _("câu ghép đôi cần ít nhất 2 cặp"))
    return {"pairs": pairs}


def _short(body: str, offset: int, fmt: str, options: set[str]) -> dict:
    answers = []
    for at, _sep, chunk in _pieces(body, offset, "="):
        weight, chunk = _weight(chunk, at)
        text, feedback = _comment(chunk)
        text = restore(text).strip()
        if not text:
            raise GiftError(at, _("câu trả lời ngắn bị trống"))
        answers.append(
            {"text": text, "fraction": 1.0 if weight is None else weight, "feedback": to_html(feedback, fmt)}
        )
    if not answers:
        raise GiftError(offset, _("câu trả lời ngắn không có đáp án nào"))
    return {"answers": answers, "ignore_diacritics": "ignore_diacritics" in options}


def parse_answers(body: str, offset: int, fmt: str, options: set[str]) -> tuple[str, dict]:
    lead = len(body) - len(body.lstrip())
    stripped, offset = body.strip(), offset + lead
    if not stripped:
        return "essay", {}
    if stripped.startswith("#"):
        return "numerical", _numerical(stripped[1:], offset + 1, fmt)
    if "~" in stripped:
        return _choices(stripped, offset, fmt)
    if "=" in stripped and "->" in stripped:
        return "matching", {"pairs": _matching(stripped, offset, fmt)["pairs"]}
    head = stripped.split("#", 1)[0].strip() if stripped.find("#") > 0 else stripped
    if head in ("T", "TRUE", "F", "FALSE"):
        parts = stripped.split("#", 2) + ["", ""]
        answer = head.startswith("T")
        wrong, right = to_html(parts[1], fmt), to_html(parts[2], fmt)
        return "truefalse", {
            "answer": answer,
            "feedback_true": right if answer else wrong,
            "feedback_false": wrong if answer else right,
        }
    return "short", _short(stripped, offset, fmt, options)
