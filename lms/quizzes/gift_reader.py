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
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import math
import re

from flask_babel import gettext as _

from lms.errors import FileProblem
from lms.quizzes.qtypes import MultipleResponse
from lms.quizzes.services import CODE_MAX, QuestionInput, check_question, normalize_category_path
from lms.sanitize import markdown_to_html

FORMATS = ("html", "markdown", "plain", "moodle")

# An escaped control character becomes a private-use placeholder before any parsing (as Moodle's
# escapedchar_pre does), so the parser below can use plain str.find/split.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005",
            "~": "\ue006", "n": "\ue007"}  # fmt: skip
_BACK = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_BACK_TABLE = str.maketrans(_BACK)
WEIGHT = re.compile(r"\s*%(-?\d+(?:[.,]\d+)?)%")
LOOKS_LIKE_WEIGHT = re.compile(r"\s*%([^%\s]{0,12})%")
UNSUPPORTED = "unsupported"


class GiftError(Exception):
    def __init__(self, offset: int, message: str, kind: str = "error"):
        super().__init__(message)
        self.offset, self.message, self.kind = offset, message, kind


@dataclasses.dataclass
class _Block:
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


def _post(text: str) -> str:
    return text.translate(_BACK_TABLE)


def unescape(text: str) -> str:
    """GIFT text to plain text: the escapes above; other backslashes stay."""
    block = _Block([(1, line) for line in text.split("\n")], "", [])
    return _post(block.source()[0])


def _blocks(source: str, path: str, problems: list[FileProblem]) -> list[_Block]:
    blocks: list[_Block] = []
    category = "Mặc định"
    current: list[tuple[int, str]] = []
    meta: list[str] = []

    def close() -> None:
        nonlocal current, meta
        if current:
            blocks.append(_Block(current, category, meta))
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


def _render(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return markdown_to_html(text)
    if fmt == "plain":
        return html.escape(text).replace("\n", "<br>")
    return text  # html / moodle: sanitized by save_question


def _with_format(text: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: an optional [format] at the start, then the text
    (placeholders turned back into characters, trimmed). Returns (format, text)."""
    text = text.strip()
    fmt = default
    marker = re.match(r"\[(\w*)\]", text)
    if marker and marker.group(1) in FORMATS:
        fmt, text = marker.group(1), text[marker.end() :]
    return fmt, _post(text).strip()


def _html(text: str, default: str) -> str:
    fmt, plain = _with_format(text, default)
    return _render(plain, fmt) if plain else ""


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
                    bad=_post(bad),
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
        other = {"fraction": weight or 0.0, "feedback": _html(_comment(rest)[1], fmt)}
        body = body[:tilde]
    answers = []
    for at, _sep, chunk in _pieces(body, offset, "="):
        weight, chunk = _weight(chunk, at)
        value_text, feedback = _comment(chunk)
        value_text = _post(value_text).strip()
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
                "feedback": _html(feedback, fmt),
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
        if not _post(text).strip():
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
        {"id": f"c{n}", "text": _html(text, fmt), "fraction": weight, "feedback": _html(feedback, fmt)}
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
        right = _post(chunk[cut + 2 :]).strip()
        if not right:
            raise GiftError(at, _("câu ghép đôi: thiếu vế phải sau ->"))
        pairs.append({"id": f"p{len(pairs) + 1}", "left": _html(chunk[:cut], fmt), "right": right})
    if len(pairs) < 2:
        raise GiftError(offset, _("câu ghép đôi cần ít nhất 2 cặp"))
    return {"pairs": pairs}


def _short(body: str, offset: int, fmt: str, options: set[str]) -> dict:
    answers = []
    for at, _sep, chunk in _pieces(body, offset, "="):
        weight, chunk = _weight(chunk, at)
        text, feedback = _comment(chunk)
        text = _post(text).strip()
        if not text:
            raise GiftError(at, _("câu trả lời ngắn bị trống"))
        answers.append(
            {"text": text, "fraction": 1.0 if weight is None else weight, "feedback": _html(feedback, fmt)}
        )
    if not answers:
        raise GiftError(offset, _("câu trả lời ngắn không có đáp án nào"))
    return {"answers": answers, "ignore_diacritics": "ignore_diacritics" in options}


def _answers(body: str, offset: int, fmt: str, options: set[str]) -> tuple[str, dict]:
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
        wrong, right = _html(parts[1], fmt), _html(parts[2], fmt)
        return "truefalse", {
            "answer": answer,
            "feedback_true": right if answer else wrong,
            "feedback_false": wrong if answer else right,
        }
    return "short", _short(stripped, offset, fmt, options)


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


def _question(block: _Block) -> Parsed:
    text, where = block.source()
    lead = len(text) - len(text.lstrip())
    title, pos = "", lead
    if text.startswith("::", lead):
        end = text.find("::", lead + 2)
        if end < 0:
            raise GiftError(lead, _("tiêu đề ::…:: chưa đóng"))
        title, pos = " ".join(_post(text[lead + 2 : end]).split()), end + 2
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
    fmt, plain_text = _with_format(question_text, "moodle")
    tags, extra = _meta(block.meta)
    qtype, data = _answers(body, open_at + 1, fmt, extra["options"])
    if qtype == "essay":
        data = {"rubric": extra["rubric"]}
    # the title is the text before the blank: the same whether the answers sit inside the text
    # or (as export writes a missing-word question) after a text that shows "_____"
    before = _render(_with_format(text[pos:open_at], "moodle")[1], fmt).split("_____")[0]
    item = QuestionInput(
        code="",
        category=block.category,
        qtype=qtype,
        title=title_of(before, title),
        text_html=_render(plain_text, fmt),
        data=data,
        general_feedback_html=_html(general, fmt),
        points=extra["points"],
        tags=tuple(tags),
    )
    return Parsed(title, block.lines[0][0], item)


def _description(block: _Block, title: str, question_text: str) -> Parsed:
    """No answer braces: Moodle reads the item as a description (text only, no points)."""
    fmt, plain_text = _with_format(question_text, "moodle")
    tags, _extra = _meta(block.meta)
    text_html = _render(plain_text, fmt)
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
    for block in _blocks(source, path, problems):
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
