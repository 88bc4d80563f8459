"""Reading Moodle GIFT, the way Moodle's own parser reads it
(``question/format/gift/format.php``; our code, Moodle's rules).

- A file is split into questions at blank lines first. A question that forgets its ``}`` is
  therefore reported on its own, never merged with the next one.
- ``//`` lines are comments (anywhere in a question). ``$CATEGORY: path`` switches the category
  (Moodle's ``$course$/top/`` prefix is dropped).
- ``::title::`` is optional and is a *name*, not a key: it may repeat. A title used by exactly one
  question of the file is that question's code (our content files rely on it); an untitled
  question, or one whose title repeats in the file, gets a generated code keyed by
  category + title + a hash of the question text (see ``generated_code``), so re-importing the
  same file updates the same questions.
- ``[html]`` / ``[moodle]`` / ``[markdown]`` / ``[plain]`` may start the question text, an answer
  or a feedback; any other ``[...]`` is ordinary text (as in Moodle).
- Escapes ``\\\\ \\~ \\= \\# \\{ \\} \\:`` and ``\\n``; any other backslash is kept as written.
- Type, decided as Moodle does on the answer text: empty essay; ``#...`` numerical; any ``~``
  multiple choice (single when an ``=`` answer is present, else multiple response); ``=`` with
  ``->`` matching; ``T``/``TRUE``/``F``/``FALSE`` true/false; otherwise short answer. The answer
  block may sit inside the text (missing word: "text {=a ~b} more" gives "text _____ more").
- No answer braces: a description (text only, no points), as Moodle reads it.
- ``####`` general feedback, ``#`` per-answer feedback, ``%50%`` / ``%-50%`` weights.
- Numerical: ``#5``, ``#5:0.1``, ``#1..3``, several ``=%50%value:tol`` answers and the catch-all
  ``~#feedback`` (any other number: its feedback, 0 points).

Extensions written as comments (so Moodle ignores them) in the comment lines just above a
question: ``// [tag:name]`` (Moodle's own tag syntax), ``// [points:2]``,
``// [option:ignore_diacritics]`` (short answer) and ``// rubric: text`` (essay).

A wrong choice of a multiple-response question without a weight gets -1/(number of right
choices) (our decision: Moodle gives it 0, so ticking everything would earn full marks).

Errors come back as ``FileProblem(path, line, message)``; a caller imports nothing when any.

The reader is three modules: ``gift_scan`` (blocks, escapes, ``[format]`` markers, categories),
``gift_answers`` (the answer block of each type, weights, numbers) and this one (a question put
together from its title, text and answers, its extensions, and the codes of a file's questions).
Callers import them all through ``lms.quizzes.gift``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from flask_babel import gettext as _

from lms.errors import FileProblem
from lms.quizzes.gift_answers import parse_answers
from lms.quizzes.gift_scan import (
    UNSUPPORTED,
    Block,
    GiftError,
    render,
    restore,
    scan_blocks,
    to_html,
    with_format,
)
from lms.quizzes.services import CODE_MAX, QuestionInput, check_question


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def title_of(text: str, code: str) -> str:
    """A version's title: the question's text without tags, cut to 120 characters (else its code).
    The per-field form uses it too, so both ways of authoring give the same title."""
    return _plain(text)[:120] or code


def generated_code(category: str, title: str, text_html: str) -> str:
    """The code of an untitled question or of one whose title repeats in its file:
    the title (or the start of the text) and a hash of category, title and text. The same
    question in the same category always gets the same code."""
    digest = hashlib.sha256(f"{category}\x1f{title}\x1f{text_html}".encode()).hexdigest()[:10]
    name = " ".join((title or _plain(text_html))[:80].split())
    return f"{name} #{digest}" if name else f"#{digest}"


def _meta(lines: list[str]) -> tuple[list[str], dict]:
    tags, extra = [], {"options": set(), "points": 1.0, "rubric": ""}
    for line in lines:
        tags += re.findall(r"\[tag:([^\]]+)\]", line)
        extra["options"] |= set(re.findall(r"\[option:([a-z_]+)\]", line))
        points = re.search(r"\[points:(\d+(?:[.,]\d+)?)\]", line)
        if points:
            extra["points"] = float(points.group(1).replace(",", "."))
        if line.lower().startswith("rubric:"):
            extra["rubric"] = (extra["rubric"] + "\n" + line[7:].strip()).strip()
    return tags, extra


@dataclasses.dataclass
class Parsed:
    """A question as read, before it gets its code: its title (may be empty or repeated)."""

    title: str
    line: int
    item: QuestionInput


def _question(block: Block) -> Parsed:
    text, where = block.source()
    lead = len(text) - len(text.lstrip())
    title, pos = "", lead
    if text.startswith("::", lead):
        end = text.find("::", lead + 2)
        if end < 0:
            raise GiftError(lead, _("tiêu đề ::…:: chưa đóng"))
        title, pos = " ".join(restore(text[lead + 2 : end]).split()), end + 2
    open_at, close_at = text.find("{", pos), text.find("}", pos)
    if open_at < 0 and close_at < 0:
        return _description(block, title, text[pos:])
    if close_at < 0:
        raise GiftError(open_at, _("khối đáp án chưa đóng: thiếu }"))
    if open_at < 0 or close_at < open_at:
        raise GiftError(close_at, _("có dấu } mà không có dấu { mở trước nó"))
    inner = text.find("{", open_at + 1)
    if 0 <= inner < close_at:
        raise GiftError(
            open_at,
            _(
                "khối đáp án chưa đóng: thiếu } trước dấu { ở dòng %(value)s (hai câu hỏi cần một "
                "dòng trống giữa chúng)",
                value=where[inner],
            ),
        )
    if text.find("{", close_at + 1) >= 0:
        raise GiftError(
            close_at + 1,
            _(
                "một câu hỏi chỉ có một khối đáp án; hãy tách câu bằng một dòng trống",
            ),
        )
    body = text[open_at + 1 : close_at]
    general = ""
    general_at = body.rfind("####")
    if general_at >= 0:
        general, body = body[general_at + 4 :], body[:general_at]
    after = text[close_at + 1 :]
    question_text = text[pos:open_at] + ("_____" + after if after.strip() else "")
    fmt, plain_text = with_format(question_text, "moodle")
    tags, extra = _meta(block.meta)
    qtype, data = parse_answers(body, open_at + 1, fmt, extra["options"])
    if qtype == "essay":
        data = {"rubric": extra["rubric"]}
    # the title is the text before the blank: the same whether the answers sit inside the text
    # or (as export writes a missing-word question) after a text that shows "_____"
    before = render(with_format(text[pos:open_at], "moodle")[1], fmt).split("_____")[0]
    item = QuestionInput(
        code="",
        category=block.category,
        qtype=qtype,
        title=title_of(before, title),
        text_html=render(plain_text, fmt),
        data=data,
        general_feedback_html=to_html(general, fmt),
        points=extra["points"],
        tags=tuple(tags),
    )
    return Parsed(title, block.lines[0][0], item)


def _description(block: Block, title: str, question_text: str) -> Parsed:
    """No answer braces: Moodle reads the item as a description (text only, no points)."""
    fmt, plain_text = with_format(question_text, "moodle")
    tags, _extra = _meta(block.meta)
    text_html = render(plain_text, fmt)
    item = QuestionInput(
        code="",
        category=block.category,
        qtype="description",
        title=title_of(text_html, title),
        text_html=text_html,
        data={},
        points=0.0,
        tags=tuple(tags),
    )
    return Parsed(title, block.lines[0][0], item)


def parse_all(source: str, path: str = "<gift>") -> tuple[list[Parsed], list[FileProblem], list[FileProblem]]:
    """Every question read, the problems, and the questions of types we do not have
    (reported, so a caller may skip them only when asked)."""
    problems: list[FileProblem] = []
    unsupported: list[FileProblem] = []
    if source.startswith("\ufeff"):
        source = source[1:]
    parsed: list[Parsed] = []
    for block in scan_blocks(source, path, problems):
        try:
            parsed.append(_question(block))
        except GiftError as exc:
            _, where = block.source()
            line = where[min(max(exc.offset, 0), len(where) - 1)]
            (unsupported if exc.kind == UNSUPPORTED else problems).append(
                FileProblem(path, line, exc.message)
            )
    assign_codes(parsed)
    for entry in parsed:
        for message in check_question(entry.item):
            problems.append(FileProblem(path, entry.line, f"{entry.item.code}: {message}"))
    return parsed, problems, unsupported


def assign_codes(parsed: list[Parsed]) -> None:
    uses: dict[str, int] = {}
    for entry in parsed:
        if entry.title:
            uses[entry.title] = uses.get(entry.title, 0) + 1
    taken: set[str] = set()
    for entry in parsed:
        item = entry.item
        if entry.title and uses[entry.title] == 1 and len(entry.title) <= CODE_MAX:
            code = entry.title
        else:
            code = generated_code(item.category, entry.title, item.text_html)
        base, n = code, 1
        while code in taken:  # the very same question twice in one category
            n += 1
            code = f"{base}-{n}"
        taken.add(code)
        item.code = code


def parse(
    source: str, path: str = "<gift>", skip_unsupported: bool = False
) -> tuple[list[QuestionInput], list[FileProblem]]:
    """Parse GIFT text into question inputs, and every problem found. A question of a type we
    do not have (a description) is a problem unless ``skip_unsupported``."""
    parsed, problems, unsupported = parse_all(source, path)
    if not skip_unsupported:
        problems = sorted(problems + unsupported, key=lambda p: p.line)
    return [entry.item for entry in parsed], problems
