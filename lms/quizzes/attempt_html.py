"""The attempt page's questions rendered once and kept (per worker process), the learner's own
state filled in apart.

A question's fieldset on the attempt page depends on its shape (type, the choices' ids, its
points), the language, its texts (question and choices, in the attempt's order), its position
and number, and the learner's state (which choice is checked, the flag). The shape and the
language are the cache key: the template is rendered once for them with random markers where
the texts, the position, the number and each "checked" go, split on the markers, and each page
joins the pieces with its own texts and state (bench/README.md, closed-loop step 7: the page's
Jinja work was ~0.4 of its CPU). The texts reach the template as trusted HTML (``| safe``, made
by clean_html at import), so putting them in afterwards gives the bytes the template would.
The CSRF token, the timer and the navigation stay in the page's own template. Types whose
inputs carry typed text (short, numerical, matching, essay) are rendered directly each time.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from threading import Lock

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

CACHED_TYPES = {"single", "multi", "truefalse", "description"}
CACHE_SIZE = 1024  # entries of ~1 KB; a bank has a few shapes (type × number of choices × points)

# A marker no question text can contain: random per process, never sent (every one is replaced).
MARK = "\x00" + secrets.token_hex(6)
_SPLIT = re.compile(re.escape(MARK) + "([PNFX]|C[a-z0-9]*|T[0-9]+)" + re.escape(MARK))

_cache: OrderedDict[tuple, list[str]] = OrderedDict()
_lock = Lock()


def _frozen(value):
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _key(q: dict) -> tuple:
    """What shapes the fieldset apart from the texts: type, choice ids, any other key of the
    view, points, language."""
    view = q["view"]
    rest = _frozen({k: v for k, v in view.items() if k not in ("text", "choices")})
    ids = tuple(c["id"] for c in view.get("choices", ()))
    return (view["type"], ids, rest, str(q["slot"].points), str(get_locale() or "vi"))


def _mark(code: str) -> Markup:
    return Markup(MARK + code + MARK)


def _pieces(q: dict) -> list[str]:
    """The fieldset rendered with markers, split: literal text at even indexes, marker codes at
    odd ones. The question's and the choices' texts are markers too (they reach the template
    as trusted HTML, ``| safe``, so putting them in afterwards gives the same bytes)."""
    key = _key(q)
    with _lock:
        pieces = _cache.get(key)
        if pieces is not None:
            _cache.move_to_end(key)
            return pieces
    view = dict(q["view"], text=_mark("X"))
    if "choices" in view:
        view["choices"] = [dict(c, text=_mark(f"T{n}")) for n, c in enumerate(view["choices"])]
    macro = get_template_attribute("quizzes/_attempt_question.html", "attempt_question")
    html = str(macro({"slot": q["slot"], "view": view, "response": None}, None, False, mark=MARK))
    pieces = _SPLIT.split(html)
    if MARK in "".join(pieces[::2]):  # a marker the split did not know: never send one
        raise RuntimeError("attempt_html: unreplaced marker")
    with _lock:
        _cache[key] = pieces
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return pieces


def _checked(view_type: str, response: dict) -> set[str]:
    if view_type == "single":
        return {response.get("choice")}
    if view_type == "multi":
        return set(response.get("choices") or [])
    if view_type == "truefalse":
        return {response.get("value")}
    return set()


def question_html(q: dict, number: int, flagged: bool) -> Markup:
    """One question of the attempt page. q: {"slot", "view", "response"} as the page builds it."""
    view_type = q["view"]["type"]
    if view_type not in CACHED_TYPES:
        macro = get_template_attribute("quizzes/_attempt_question.html", "attempt_question")
        return Markup(macro(q, number, flagged))
    pieces = _pieces(q)
    checked = _checked(view_type, q["response"] or {})
    view = q["view"]
    fill = {
        "P": str(q["slot"].position),
        "N": str(number),
        "F": " checked" if flagged else "",
        "X": str(view["text"]),
    }
    texts = [str(c["text"]) for c in view.get("choices", ())]
    out = []
    for index, piece in enumerate(pieces):
        if not index % 2:
            out.append(piece)
        elif piece[0] == "C":
            out.append("checked" if piece[1:] in checked else "")
        elif piece[0] == "T":
            out.append(texts[int(piece[1:])])
        else:
            out.append(fill[piece])
    return Markup("".join(out))


def clear() -> None:
    """Empty the cache (tests)."""
    with _lock:
        _cache.clear()
