"""Scanning GIFT text: the file split into question blocks, the escapes, and the text markers.

- ``scan_blocks`` splits a file at blank lines first (as Moodle does), drops ``//`` comment
  lines (keeping those just above a question: our extensions), follows ``$CATEGORY:`` and
  remembers the file line of every question line.
- ``Block.source`` turns the escapes ``\\\\ \\~ \\= \\# \\{ \\} \\:`` and ``\\n`` into private-use
  placeholders (Moodle's ``escapedchar_pre``), so the parsers can use plain ``str.find``/``split``,
  and maps every character back to its file line; ``restore`` turns placeholders back.
- ``with_format`` / ``render`` / ``to_html`` read an optional ``[html]`` / ``[moodle]`` /
  ``[markdown]`` / ``[plain]`` at the start of a text and render it.
- ``GiftError(offset, message)`` is a problem at an offset of a block's source; the reader turns
  the offset into a line.

The answer bodies are read by ``gift_answers``; ``gift_reader`` puts a question together.
"""

from __future__ import annotations

import dataclasses
import html
import re

from flask_babel import gettext as _

from lms.errors import FileProblem
from lms.quizzes.services import normalize_category_path
from lms.sanitize import markdown_to_html

FORMATS = ("html", "markdown", "plain", "moodle")

# An escaped control character becomes a private-use placeholder before any parsing (as Moodle's
# escapedchar_pre does), so the parsers (here and in gift_answers) can use plain str.find/split.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005",
            "~": "\ue006", "n": "\ue007"}  # fmt: skip
_BACK = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_BACK_TABLE = str.maketrans(_BACK)
UNSUPPORTED = "unsupported"


class GiftError(Exception):
    def __init__(self, offset: int, message: str, kind: str = "error"):
        super().__init__(message)
        self.offset, self.message, self.kind = offset, message, kind


@dataclasses.dataclass
class Block:
    """One question's lines (comments removed), the category it falls in and the comment lines
    just above it (our extensions)."""

    lines: list[tuple[int, str]]
    category: str
    meta: list[str]

    def source(self) -> tuple[str, list[int]]:
        """The text with escapes turned into placeholders, and the file line of every character."""
        out: list[str] = []
        where: list[int] = []
        for index, (number, line) in enumerate(self.lines):
            if index:
                out.append("\n")
                where.append(self.lines[index - 1][0])
            i = 0
            while i < len(line):
                if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPES:
                    out.append(_ESCAPES[line[i + 1]])
                    i += 2
                else:
                    out.append(line[i])
                    i += 1
                where.append(number)
        return "".join(out), where or [self.lines[0][0]]


def restore(text: str) -> str:
    return text.translate(_BACK_TABLE)


def unescape(text: str) -> str:
    """GIFT text to plain text: the escapes above; other backslashes stay."""
    block = Block([(1, line) for line in text.split("\n")], "", [])
    return restore(block.source()[0])


def scan_blocks(source: str, path: str, problems: list[FileProblem]) -> list[Block]:
    blocks: list[Block] = []
    category = "Mặc định"
    current: list[tuple[int, str]] = []
    meta: list[str] = []

    def close() -> None:
        nonlocal current, meta
        if current:
            blocks.append(Block(current, category, meta))
            current, meta = [], []

    # split on line feeds only: str.splitlines() also breaks at \x1c-\x1e, \x85 and \u2028, which
    # editors do not show as new lines, and the line numbers we report must match the editor's
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:  # Moodle splits questions at blank lines, before anything else
            close()
            continue
        if stripped.startswith("//"):
            if not current:
                meta.append(stripped[2:].strip())
            continue
        if not current and stripped.startswith("$CATEGORY:"):
            value = stripped[len("$CATEGORY:") :].strip()
            try:
                category = category_path(value)
            except Exception:
                problems.append(FileProblem(path, number, _("tên nhóm câu hỏi ($CATEGORY) bị trống")))
            meta = []
            continue
        current.append((number, line))
    close()
    return blocks


def category_path(value: str) -> str:
    """A Moodle category path as ours: ``$course$/top/A/B`` → ``A/B``; Moodle's own top category
    (``$course$/top``, which Moodle exports first) is our default category."""
    prefixed = re.match(r"^\$(course|system|cat\d*|module)\$(/|$)", value.strip())
    value = value.strip()[prefixed.end() :] if prefixed else value.strip()
    if value == "top" or (prefixed and not value):
        return "Mặc định"
    return normalize_category_path(re.sub(r"^top/", "", value))


def render(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return markdown_to_html(text)
    if fmt == "plain":
        return html.escape(text).replace("\n", "<br>")
    return text  # html / moodle: sanitized by save_question


def with_format(text: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: an optional [format] at the start, then the text
    (placeholders turned back into characters, trimmed). Returns (format, text)."""
    text = text.strip()
    fmt = default
    marker = re.match(r"\[(\w*)\]", text)
    if marker and marker.group(1) in FORMATS:
        fmt, text = marker.group(1), text[marker.end() :]
    return fmt, restore(text).strip()


def to_html(text: str, default: str) -> str:
    fmt, plain = with_format(text, default)
    return render(plain, fmt) if plain else ""
