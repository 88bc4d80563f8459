"""Moodle GIFT import and export.

Supported: every type we grade (single, multiple response, true/false, short answer,
numerical, matching, essay), ``$CATEGORY:``, ``::titles::``, answer feedback ``#``, general
feedback ``####``, weights ``%50%``, escapes ``\\~ \\= \\# \\{ \\} \\:`` (and ``\\n``), ``//``
comments, ``[html]`` / ``[markdown]`` / ``[plain]`` / ``[moodle]`` format markers, and the
missing-word form ("text {=a ~b} more text").

Extensions written as comments (so Moodle ignores them) in the comment lines just above a
question: ``// [tag:name]`` (Moodle's own tag syntax), ``// [points:2]``,
``// [option:ignore_diacritics]`` (short answer) and ``// rubric: text`` (essay).

Which type a block is: ``{}`` essay; ``{T}``/``{F}`` true/false; ``{#...}`` numerical;
only ``=`` answers with ``->`` matching; only ``=`` answers short answer; ``~`` answers with
no ``=`` but a positive weight multiple response; otherwise single choice. A wrong choice of
a multiple-response question without a weight gets -1/(number of right choices).

Errors come back as ``FileProblem(path, line, message)``; a caller imports nothing when any.
"""

from __future__ import annotations

import dataclasses
import html
import re

from lms.errors import FileProblem
from lms.quizzes.qtypes import MultipleResponse
from lms.quizzes.services import QuestionInput, check_question, normalize_category_path
from lms.sanitize import markdown_to_html

SPECIAL = "~=#{}:"
FORMATS = ("html", "markdown", "plain", "moodle")


@dataclasses.dataclass
class _Block:
    lines: list[tuple[int, str]]
    category: str
    meta: list[str]

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)

    def line_at(self, offset: int) -> int:
        position = 0
        for number, text in self.lines:
            position += len(text) + 1
            if offset < position:
                return number
        return self.lines[-1][0]


class GiftError(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset, self.message = offset, message


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped ``target`` at or after ``start`` (-1 if none)."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _split(text: str, separators: str) -> list[tuple[int, str, str]]:
    """Split at unescaped separator characters: [(offset, separator, chunk)]."""
    parts, i, start, sep = [], 0, 0, ""
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in separators:
            parts.append((start, sep, text[start:i]))
            sep, start = text[i], i + 1
        i += 1
    parts.append((start, sep, text[start:]))
    return parts


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


# --- reading -------------------------------------------------------------------------------


def _blocks(source: str, path: str, problems: list[FileProblem]) -> list[_Block]:
    blocks: list[_Block] = []
    category = "Mặc định"
    current: list[tuple[int, str]] = []
    meta: list[str] = []
    depth = 0

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
        if depth == 0 and stripped.startswith("//"):
            if not current:
                meta.append(stripped[2:].strip())
            continue
        if depth == 0 and not current and stripped.startswith("$CATEGORY:"):
            value = stripped[len("$CATEGORY:") :].strip()
            value = re.sub(r"^\$(course|system|cat\d*|module)\$/", "", value)
            value = re.sub(r"^top(/|$)", "", value)
            try:
                category = normalize_category_path(value)
            except Exception:
                problems.append(FileProblem(path, number, "tên nhóm câu hỏi ($CATEGORY) bị trống"))
            meta = []
            continue
        if not stripped and depth == 0:
            close()
            continue
        if depth > 0 and stripped.startswith("//"):
            continue
        current.append((number, line))
        depth = max(0, depth + _brace_delta(line))
    close()
    return blocks


def _brace_delta(line: str) -> int:
    delta, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        delta += {"{": 1, "}": -1}.get(line[i], 0)
        i += 1
    return delta


def _weight(chunk: str, offset: int) -> tuple[float | None, str]:
    match = re.match(r"\s*%(-?\d+(?:[.,]\d+)?)%", chunk)
    if not match:
        return None, chunk
    value = float(match.group(1).replace(",", ".")) / 100
    if not -1 <= value <= 1:
        raise GiftError(offset, f"trọng số {match.group(1)}% phải nằm trong khoảng -100% đến 100%")
    return round(value, 7), chunk[match.end() :]


def _text_and_feedback(chunk: str) -> tuple[str, str]:
    cut = _find(chunk, "#")
    if cut < 0:
        return unescape(chunk).strip(), ""
    return unescape(chunk[:cut]).strip(), unescape(chunk[cut + 1 :]).strip()


def _render(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return markdown_to_html(text)
    if fmt == "plain":
        return html.escape(text).replace("\n", "<br>")
    return text  # html / moodle: sanitized by save_question


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def title_of(text: str, code: str) -> str:
    """A version's title: the question's text without tags, cut to 120 characters (else its code).
    The per-field form uses it too, so both ways of authoring give the same title."""
    return _plain(text)[:120] or code


def _number(text: str, offset: int) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise GiftError(offset, f"không đọc được số {text.strip()!r}") from None


def _numerical(body: str, offset: int, fmt: str) -> dict:
    answers = []
    chunks = _split(body, "=") if _find(body, "=") >= 0 else [(0, "=", body)]
    for start, sep, chunk in chunks:
        if not chunk.strip() and not sep:
            continue
        weight, chunk = _weight(chunk, offset + start)
        value_text, feedback = _text_and_feedback(chunk)
        if not value_text:
            raise GiftError(offset + start, "thiếu đáp số")
        if ".." in value_text:
            low, high = (_number(part, offset + start) for part in value_text.split("..", 1))
            value, tolerance = (low + high) / 2, abs(high - low) / 2
        elif ":" in value_text:
            value_part, tol_part = value_text.split(":", 1)
            value, tolerance = _number(value_part, offset + start), abs(_number(tol_part, offset + start))
        else:
            value, tolerance = _number(value_text, offset + start), 0.0
        answers.append(
            {
                "value": value,
                "tolerance": tolerance,
                "fraction": 1.0 if weight is None else weight,
                "feedback": _render(feedback, fmt),
            }
        )
    return {"answers": answers}


def _answers(body: str, offset: int, fmt: str, options: set[str]) -> tuple[str, dict]:
    stripped = body.strip()
    if not stripped:
        return "essay", {}
    if stripped.startswith("#"):
        return "numerical", _numerical(stripped[1:], offset + body.index("#") + 1, fmt)
    tf = re.fullmatch(r"(TRUE|FALSE|T|F)\s*(.*)", stripped, re.S)
    if tf and (not tf.group(2) or tf.group(2).startswith("#")):
        answer = tf.group(1).startswith("T")
        feedbacks = [unescape(p).strip() for _, _, p in _split(tf.group(2), "#")][1:] + ["", ""]
        wrong, right = _render(feedbacks[0], fmt), _render(feedbacks[1], fmt)
        return "truefalse", {
            "answer": answer,
            "feedback_true": right if answer else wrong,
            "feedback_false": wrong if answer else right,
        }
    parts = _split(body, "=~")
    if parts[0][2].strip():
        raise GiftError(offset, "mỗi phương án phải bắt đầu bằng = (đúng) hoặc ~ (sai)")
    items = []
    for start, sep, chunk in parts[1:]:
        weight, chunk = _weight(chunk, offset + start)
        items.append((offset + start, sep, weight, chunk))
    if not items:
        raise GiftError(offset, "khối đáp án không có phương án nào")
    seps = {sep for _, sep, _, _ in items}
    if seps == {"="} and any(_find(chunk, "->") >= 0 for _, _, _, chunk in items):
        pairs = []
        for index, (at, _sep, _w, chunk) in enumerate(items, start=1):
            cut = _find(chunk, "->")
            if cut < 0:
                raise GiftError(at, "câu ghép đôi: mỗi dòng cần dạng =vế trái -> vế phải")
            left, right = unescape(chunk[:cut]).strip(), unescape(chunk[cut + 2 :]).strip()
            if not right:
                raise GiftError(at, "câu ghép đôi: thiếu vế phải sau ->")
            pairs.append({"id": f"p{index}", "left": _render(left, fmt) if left else "", "right": right})
        return "matching", {"pairs": pairs}
    if seps == {"="}:
        answers = []
        for at, _sep, weight, chunk in items:
            text, feedback = _text_and_feedback(chunk)
            if not text:
                raise GiftError(at, "câu trả lời ngắn bị trống")
            answers.append(
                {
                    "text": text,
                    "fraction": 1.0 if weight is None else weight,
                    "feedback": _render(feedback, fmt),
                }
            )
        return "short", {"answers": answers, "ignore_diacritics": "ignore_diacritics" in options}
    multi = "=" not in seps and any((w or 0) > 0 for _, _, w, _ in items)
    choices = []
    for index, (at, sep, weight, chunk) in enumerate(items, start=1):
        text, feedback = _text_and_feedback(chunk)
        if not text:
            raise GiftError(at, "phương án bị trống")
        if weight is None:
            weight = 1.0 if sep == "=" else (None if multi else 0.0)
        choices.append(
            {
                "id": f"c{index}",
                "text": _render(text, fmt),
                "fraction": weight,
                "feedback": _render(feedback, fmt),
            }
        )
    if multi:
        return "multi", {"choices": MultipleResponse.default_penalties(choices)}
    return "single", {"choices": choices}


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


def _question(block: _Block) -> QuestionInput:
    text = block.text
    code, pos = "", 0
    lead = len(text) - len(text.lstrip())
    if text.startswith("::", lead):
        end = _find(text, "::", lead + 2)
        if end < 0:
            raise GiftError(lead, "tiêu đề ::…:: chưa đóng")
        code, pos = unescape(text[lead + 2 : end]).strip(), end + 2
    fmt = "moodle"
    marker = re.match(r"\s*\[(\w+)\]", text[pos:])
    if marker:
        if marker.group(1) not in FORMATS:
            raise GiftError(pos, f"định dạng không hỗ trợ [{marker.group(1)}] (dùng html, markdown, plain)")
        fmt, pos = marker.group(1), pos + marker.end()
    open_at = _find(text, "{", pos)
    if open_at < 0:
        raise GiftError(pos, "thiếu khối đáp án {…}")
    close_at = _find(text, "}", open_at + 1)
    if close_at < 0:
        raise GiftError(open_at, "khối đáp án chưa đóng: thiếu }")
    if _find(text, "{", close_at + 1) >= 0:
        raise GiftError(close_at + 1, "một câu hỏi chỉ có một khối đáp án; hãy tách câu bằng một dòng trống")
    if not code:
        raise GiftError(lead, "câu hỏi cần mã dạng ::ma-cau-hoi:: ở đầu")
    before, after = text[pos:open_at].strip(), text[close_at + 1 :].strip()
    body = text[open_at + 1 : close_at]
    general = ""
    general_at = _find(body, "####")
    if general_at >= 0:
        general, body = unescape(body[general_at + 4 :]).strip(), body[:general_at]
    tags, extra = _meta(block.meta)
    qtype, data = _answers(body, open_at + 1, fmt, extra["options"])
    if qtype == "essay":
        data = {"rubric": extra["rubric"]}
    question_text = unescape(before) + (" _____ " + unescape(after) if after else "")
    return QuestionInput(
        code=code,
        category=block.category,
        qtype=qtype,
        title=title_of(unescape(before), code),
        text_html=_render(question_text.strip(), fmt),
        data=data,
        general_feedback_html=_render(general, fmt) if general else "",
        points=extra["points"],
        tags=tuple(tags),
    )


def parse(source: str, path: str = "<gift>") -> tuple[list[QuestionInput], list[FileProblem]]:
    """Parse GIFT text into question inputs, and every problem found."""
    problems: list[FileProblem] = []
    if source.startswith("\ufeff"):
        source = source[1:]
    questions: list[QuestionInput] = []
    seen: dict[str, int] = {}
    for block in _blocks(source, path, problems):
        try:
            item = _question(block)
        except GiftError as exc:
            problems.append(FileProblem(path, block.line_at(exc.offset), exc.message))
            continue
        line = block.lines[0][0]
        if item.code in seen:
            problems.append(
                FileProblem(path, line, f"mã câu hỏi {item.code!r} trùng với câu ở dòng {seen[item.code]}")
            )
            continue
        seen[item.code] = line
        for message in check_question(item):
            problems.append(FileProblem(path, line, f"{item.code}: {message}"))
        questions.append(item)
    return questions, problems


# --- writing -------------------------------------------------------------------------------


def _pct(fraction: float) -> str:
    return f"%{fraction * 100:.10g}%"


def _fb(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def export_question(code: str, category_tags: list[str], version) -> str:
    """One question as GIFT (always [html], the stored form)."""
    data, qtype = version.data, version.qtype
    lines = [f"// [tag:{tag}]" for tag in category_tags]
    if version.default_points != 1:
        lines.append(f"// [points:{version.default_points:g}]")
    if qtype == "short" and data.get("ignore_diacritics"):
        lines.append("// [option:ignore_diacritics]")
    if qtype == "essay" and data.get("rubric"):
        lines += [f"// rubric: {line}" for line in data["rubric"].splitlines() if line.strip()]
    body: list[str] = []
    if qtype in ("single", "multi"):
        for choice in data["choices"]:
            fraction = choice.get("fraction", 0)
            if qtype == "single" and fraction >= 1:
                body.append(f"={escape(choice['text'])}{_fb(choice.get('feedback', ''))}")
            else:
                body.append(f"~{_pct(fraction)}{escape(choice['text'])}{_fb(choice.get('feedback', ''))}")
    elif qtype == "truefalse":
        answer = data["answer"]
        right = data.get("feedback_true" if answer else "feedback_false", "")
        wrong = data.get("feedback_false" if answer else "feedback_true", "")
        tail = f"#{escape(wrong)}#{escape(right)}" if (right or wrong) else ""
        body.append(("TRUE" if answer else "FALSE") + tail)
    elif qtype == "short":
        for answer in data["answers"]:
            body.append(
                f"={_pct(answer['fraction'])}{escape(answer['text'])}{_fb(answer.get('feedback', ''))}"
            )
    elif qtype == "numerical":
        body.append("#")
        for answer in data["answers"]:
            body.append(
                f"={_pct(answer['fraction'])}{answer['value']!r}:{answer.get('tolerance', 0)!r}"
                f"{_fb(answer.get('feedback', ''))}"
            )
    elif qtype == "matching":
        for pair in data["pairs"]:
            body.append(f"={escape(pair['left'])} -> {escape(pair['right'])}")
    if version.general_feedback_html:
        body.append(f"####{escape(version.general_feedback_html)}")
    lines.append(f"::{escape(code)}::[html]{escape(version.text_html)}{{")
    lines += [f"\t{item}" for item in body]
    lines.append("}")
    return "\n".join(lines)


def export(questions) -> str:
    """Questions (with their latest versions) as one GIFT file, grouped by category."""
    out: list[str] = []
    category = None
    for question in sorted(questions, key=lambda q: (q.category.path, q.code)):
        if question.category.path != category:
            category = question.category.path
            out.append(f"$CATEGORY: {category}\n")
        out.append(export_question(question.code, question.tag_list, question.latest) + "\n")
    return "\n".join(out)
