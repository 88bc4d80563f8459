"""Question types: one class per type in a registry (CTFd-style).

Each type is built from a version's ``data`` (which holds the key) and offers:
- ``validate()`` -> list of problems (author input),
- ``parse_form(fields, prefix, order)`` -> a response dict from submitted form fields,
- ``to_display(order, response)`` -> a stored response in learner terms (to refill the form),
- ``grade(response)`` -> fraction in [0, 1], or ``None`` when a person must grade it,
- ``learner_view(order)`` -> what a learner may see while answering (never the key),
- ``feedback(response)`` -> per-answer feedback for the review page,
- ``right_answer()`` -> the right answer as safe HTML for the review page.

Short answers: DECISION. Both sides are compared after Unicode NFC, trimming, collapsing
inner spaces and case folding. Diacritics matter by default ("Hà Nội" ≠ "ha noi"): in
Vietnamese the tone marks change the word. An author may set ``ignore_diacritics`` on a
question; then both sides are folded with ``lms.db.fold_key``.

Numbers: a comma is read as the decimal separator (Vietnamese "3,5"); when a comma is
present, dots are thousands separators ("1.000,5"); otherwise a dot is the decimal point.
"""

from __future__ import annotations

import html
import math
import random
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString, pgettext
from flask_babel import lazy_gettext as _l

from lms.db import fold_key

REGISTRY: dict[str, type[QuestionType]] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls
    return cls


def get_type(qtype: str, data: dict) -> QuestionType:
    return REGISTRY[qtype](data)


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def normalize_text(text: str, ignore_diacritics: bool = False) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return fold_key(text) if ignore_diacritics else text


def parse_number(raw: str) -> float | None:
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class QuestionType:
    name = ""
    label = ""
    manual = False
    informational = False  # text only (a Moodle "description"): no input, no points

    def __init__(self, data: dict):
        self.data = data

    # --- authoring ---------------------------------------------------------------------------
    def validate(self) -> list[str]:
        return []

    # --- attempts ----------------------------------------------------------------------------
    def initial_order(self, rng: random.Random, shuffle: bool) -> list:
        return []

    def parse_form(self, fields: Mapping[str, list[str]], prefix: str, order: list | None = None) -> dict:
        values = fields.get(prefix) or [""]
        return {"value": values[0].strip()[:5000]}

    def is_answered(self, response: dict) -> bool:
        return bool(response.get("value"))

    def grade(self, response: dict) -> float | None:
        raise NotImplementedError

    def learner_view(self, order: list) -> dict:
        return {}

    def to_display(self, order: list, response: dict) -> dict:
        """The stored response in the terms of ``learner_view`` (to fill the form again)."""
        return response

    def feedback(self, response: dict) -> str:
        return ""

    def right_answer(self) -> str:
        return ""


class _ChoiceType(QuestionType):
    """Choices: [{"id", "text" (html), "fraction", "feedback" (html)}]."""

    def choices(self) -> list[dict]:
        return self.data.get("choices", [])

    def initial_order(self, rng: random.Random, shuffle: bool) -> list:
        ids = [c["id"] for c in self.choices()]
        if shuffle:
            rng.shuffle(ids)
        return ids

    # Learners see choices numbered by display position, never by their stored ids: an id like
    # "c1" would tell which choice the author wrote first (often the right one in GIFT).
    def shown_ids(self, order: list | None) -> list[str]:
        known = [c["id"] for c in self.choices()]
        shown = [i for i in (order or []) if i in known]
        return shown if len(shown) == len(known) else known

    def learner_view(self, order: list) -> dict:
        by_id = {c["id"]: c for c in self.choices()}
        return {
            "choices": [{"id": str(n), "text": by_id[i]["text"]} for n, i in enumerate(self.shown_ids(order))]
        }

    def from_display(self, values: list[str], order: list | None) -> list[str]:
        shown = self.shown_ids(order)
        return [shown[int(v)] for v in values if v.isdigit() and int(v) < len(shown)]

    def to_display(self, order: list, response: dict) -> dict:
        index = {i: str(n) for n, i in enumerate(self.shown_ids(order))}
        if "choice" in response:
            return {"choice": index.get(response["choice"], "")}
        return {"choices": [index[i] for i in response.get("choices", []) if i in index]}


@register
class SingleChoice(_ChoiceType):
    name = "single"
    label = _l("Một lựa chọn đúng")

    def validate(self) -> list[str]:
        choices = self.choices()
        if len(choices) < 2:
            return ["cần ít nhất 2 phương án"]
        if not any(c.get("fraction", 0) >= 1 for c in choices):
            return ["cần một phương án đúng (100%)"]
        return []

    def parse_form(self, fields, prefix, order=None) -> dict:
        chosen = self.from_display((fields.get(prefix) or [""])[:1], order)
        return {"choice": chosen[0]} if chosen else {}

    def is_answered(self, response) -> bool:
        return bool(response.get("choice"))

    def grade(self, response) -> float:
        for choice in self.choices():
            if choice["id"] == response.get("choice"):
                return _clamp(choice.get("fraction", 0))
        return 0.0

    def feedback(self, response) -> str:
        return next((c.get("feedback", "") for c in self.choices() if c["id"] == response.get("choice")), "")

    def right_answer(self) -> str:
        return " / ".join(c["text"] for c in self.choices() if c.get("fraction", 0) >= 1)


@register
class MultipleResponse(_ChoiceType):
    """Partial credit: the fractions of the chosen answers are added; wrong choices carry a
    negative weight (when the author gives none, -1/number of right choices, so ticking
    everything never earns full marks); the total is floored at 0 and capped at 1."""

    name = "multi"
    label = _l("Nhiều lựa chọn đúng")

    def validate(self) -> list[str]:
        choices = self.choices()
        if len(choices) < 2:
            return ["cần ít nhất 2 phương án"]
        positive = sum(c.get("fraction", 0) for c in choices if c.get("fraction", 0) > 0)
        if abs(positive - 1) > 0.01:
            return [f"tổng trọng số các phương án đúng phải là 100% (đang là {positive * 100:g}%)"]
        return []

    @staticmethod
    def default_penalties(choices: list[dict]) -> list[dict]:
        right = sum(1 for c in choices if (c.get("fraction") or 0) > 0) or 1
        for choice in choices:
            if choice.get("fraction") is None:
                choice["fraction"] = -1.0 / right
        return choices

    def parse_form(self, fields, prefix, order=None) -> dict:
        return {"choices": sorted(set(self.from_display(list(fields.get(prefix, [])), order)))}

    def is_answered(self, response) -> bool:
        return bool(response.get("choices"))

    def grade(self, response) -> float:
        chosen = set(response.get("choices", []))
        return _clamp(sum(c.get("fraction", 0) for c in self.choices() if c["id"] in chosen))

    def feedback(self, response) -> str:
        chosen = set(response.get("choices", []))
        return " ".join(
            c.get("feedback", "") for c in self.choices() if c["id"] in chosen and c.get("feedback")
        )

    def right_answer(self) -> str:
        return " + ".join(c["text"] for c in self.choices() if c.get("fraction", 0) > 0)


@register
class TrueFalse(QuestionType):
    """data: {"answer": bool, "feedback_true": html, "feedback_false": html}."""

    name = "truefalse"
    label = _l("Đúng/Sai")

    def validate(self) -> list[str]:
        return [] if isinstance(self.data.get("answer"), bool) else ["thiếu đáp án đúng/sai"]

    def parse_form(self, fields, prefix, order=None) -> dict:
        value = (fields.get(prefix) or [""])[0]
        return {"value": value} if value in ("true", "false") else {}

    def grade(self, response) -> float:
        if response.get("value") not in ("true", "false"):
            return 0.0
        return 1.0 if (response["value"] == "true") == self.data.get("answer") else 0.0

    def feedback(self, response) -> str:
        value = response.get("value")
        return self.data.get(f"feedback_{value}", "") if value in ("true", "false") else ""

    def right_answer(self) -> str:
        return "Đúng" if self.data.get("answer") else "Sai"


def _same(answer: str, given: str, fold: bool) -> bool:
    """Moodle's short-answer rule: ``*`` in an accepted answer matches any run of characters
    (``\\*`` is a literal star); otherwise the normalized texts must be equal."""
    expected = normalize_text(answer, fold)
    if "*" not in expected:
        return expected == given
    bits = re.split(r"(?<!\\)\*+", expected)
    pattern = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    return re.fullmatch(pattern, given, re.S) is not None


@register
class ShortAnswer(QuestionType):
    """data: {"answers": [{"text", "fraction", "feedback"}], "ignore_diacritics": bool}."""

    name = "short"
    label = _l("Trả lời ngắn")

    def validate(self) -> list[str]:
        answers = self.data.get("answers", [])
        if not any(a.get("fraction", 0) >= 1 for a in answers):
            return ["cần ít nhất một câu trả lời được chấp nhận (100%)"]
        return []

    def _match(self, response: dict) -> dict | None:
        fold = bool(self.data.get("ignore_diacritics"))
        given = normalize_text(response.get("value", ""), fold)
        if not given:
            return None
        return next((a for a in self.data.get("answers", []) if _same(a["text"], given, fold)), None)

    def grade(self, response) -> float:
        match = self._match(response)
        return _clamp(match.get("fraction", 0)) if match else 0.0

    def feedback(self, response) -> str:
        match = self._match(response)
        return match.get("feedback", "") if match else ""

    def right_answer(self) -> str:
        answers = self.data.get("answers", [])
        return " / ".join(html.escape(a["text"]) for a in answers if a.get("fraction", 0) >= 1)


@register
class Numerical(QuestionType):
    """data: {"answers": [{"value", "tolerance", "fraction", "feedback"}], "other": {"fraction",
    "feedback"} (optional)}; the best matching answer wins; "other" (Moodle's ``*`` answer, GIFT's
    ``~`` catch-all) applies to any other number."""

    name = "numerical"
    label = _l("Số")

    def validate(self) -> list[str]:
        answers = self.data.get("answers", [])
        if not any(a.get("fraction", 0) >= 1 for a in answers):
            return ["cần một đáp số đúng (100%)"]
        if any(a.get("tolerance", 0) < 0 for a in answers):
            return ["sai số cho phép không được âm"]
        return []

    def _match(self, response: dict) -> dict | None:
        value = parse_number(response.get("value", ""))
        if value is None:
            return None
        hits = [
            a
            for a in self.data.get("answers", [])
            # a tiny epsilon so 0.1 + 0.2 style float noise does not fail an exact answer
            if abs(value - a["value"]) <= a.get("tolerance", 0) + 1e-9 * max(1.0, abs(a["value"]))
        ]
        if hits:
            return max(hits, key=lambda a: a.get("fraction", 0))
        return self.data.get("other")

    def grade(self, response) -> float:
        match = self._match(response)
        return _clamp(match.get("fraction", 0)) if match else 0.0

    def feedback(self, response) -> str:
        match = self._match(response)
        return match.get("feedback", "") if match else ""

    def right_answer(self) -> str:
        parts = []
        for a in self.data.get("answers", []):
            if a.get("fraction", 0) >= 1:
                parts.append(f"{a['value']:g}" + (f" ± {a['tolerance']:g}" if a.get("tolerance") else ""))
        return " / ".join(parts)


@register
class Matching(QuestionType):
    """data: {"pairs": [{"id", "left" (html), "right" (text)}]}. The learner picks a right
    side for every left side; fraction = share of correct pairs."""

    name = "matching"
    label = _l("Ghép đôi")

    def pairs(self) -> list[dict]:
        return self.data.get("pairs", [])

    def validate(self) -> list[str]:
        if len([p for p in self.pairs() if p.get("left")]) < 2:
            return ["cần ít nhất 2 cặp ghép"]
        return []

    def _rights(self) -> list[str]:
        return sorted({p["right"] for p in self.pairs()})

    def initial_order(self, rng, shuffle) -> list:
        rights = self._rights()
        rng.shuffle(rights)  # the right-hand list is always shuffled, or the key shows
        lefts = [p["id"] for p in self.pairs() if p.get("left")]
        if shuffle:
            rng.shuffle(lefts)
        return [lefts, rights]

    def learner_view(self, order) -> dict:
        lefts, rights = (order + [[], []])[:2] if order else ([], [])
        by_id = {p["id"]: p for p in self.pairs()}
        lefts = [i for i in lefts if i in by_id] or [p["id"] for p in self.pairs() if p.get("left")]
        return {
            "lefts": [{"id": i, "text": by_id[i]["left"]} for i in lefts],
            "rights": rights or self._rights(),
        }

    def parse_form(self, fields, prefix, order=None) -> dict:
        rights = set(self._rights())
        matches = {}
        for pair in self.pairs():
            if not pair.get("left"):
                continue
            value = (fields.get(f"{prefix}-{pair['id']}") or [""])[0]
            if value in rights:
                matches[pair["id"]] = value
        return {"matches": matches}

    def is_answered(self, response) -> bool:
        return bool(response.get("matches"))

    def grade(self, response) -> float:
        lefts = [p for p in self.pairs() if p.get("left")]
        if not lefts:
            return 0.0
        matches = response.get("matches", {})
        return sum(1 for p in lefts if matches.get(p["id"]) == p["right"]) / len(lefts)

    def right_answer(self) -> str:
        return "; ".join(f"{p['left']} → {html.escape(p['right'])}" for p in self.pairs() if p.get("left"))


@register
class Essay(QuestionType):
    """data: {"rubric": text for graders}. Graded by a person (points and a comment)."""

    name = "essay"
    # "Essay"; the same word on the scenario summary is a written part, so a context apart
    label = LazyString(lambda: pgettext("kiểu câu hỏi", "Tự luận"))
    manual = True

    def parse_form(self, fields, prefix, order=None) -> dict:
        value = (fields.get(prefix) or [""])[0]
        return {"value": value[:20000]}

    def grade(self, response) -> None:
        return None


@register
class Description(QuestionType):
    """Moodle's "description": text shown between questions, with no answer and no points.
    It is not counted in "answered N/M" nor in the score (its attempt slot is worth 0)."""

    name = "description"
    label = _l("Đoạn mô tả (không chấm điểm)")
    informational = True

    def parse_form(self, fields, prefix, order=None) -> dict:
        return {}

    def is_answered(self, response) -> bool:
        return False

    def grade(self, response) -> None:
        return None


def learner_payload(version, order: list) -> dict[str, Any]:
    """Everything a learner may receive about a question while answering: no key, no feedback."""
    qtype = get_type(version.qtype, version.data)
    return {"type": version.qtype, "text": version.text_html, **qtype.learner_view(order)}


def display_response(version, order: list, response: dict) -> dict:
    return get_type(version.qtype, version.data).to_display(order, response)
