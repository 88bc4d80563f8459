"""Moodle XML question files (Moodle's default question-bank export): read and write.

Read with the standard library's expat parser, set up so that no DTD is accepted at all: a
``<!DOCTYPE`` or ``<!ENTITY`` is refused before anything is expanded, so neither external
entities (file or network reads) nor entity bombs are possible. Moodle never writes a DTD, so
nothing real is lost; this is why we do not need defusedxml (which would do the same job as one
more dependency).

Types: category (nested paths), multichoice (single / multiple), truefalse, shortanswer,
numerical (units are ignored: the number alone is graded), matching, essay, description (text
only, no points). Any other type (calculated, cloze, drag and drop...) is reported by type and
line as unsupported, and skipped only when the caller asks. HTML goes through ``clean_html`` on
save. Embedded images (``@@PLUGINFILE@@/name`` and base64 ``<file>`` elements) become question
attachments (``lms.quizzes.attachments``: checked raster images only, size-capped); export
writes them back the same way.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import threading
import xml.etree.ElementTree as ET
from xml.parsers import expat

from flask_babel import gettext as _

from lms.errors import FileProblem
from lms.quizzes import attachments, gift
from lms.quizzes.services import QuestionInput, check_question
from lms.sanitize import markdown_to_html

SUPPORTED = {"multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay", "description"}
TYPE_NAMES = {
    "calculated": "câu tính toán (calculated)",
    "calculatedsimple": "câu tính toán đơn giản (calculatedsimple)",
    "calculatedmulti": "câu tính toán nhiều lựa chọn (calculatedmulti)",
    "cloze": "câu điền khuyết nhúng (cloze)",
    "multianswer": "câu điền khuyết nhúng (multianswer)",
    "randomsamatch": "câu ghép đôi ngẫu nhiên (randomsamatch)",
    "ddwtos": "kéo thả vào văn bản (ddwtos)",
    "gapselect": "chọn từ điền khuyết (gapselect)",
}


class Node:
    """An XML element with the line it starts on (ElementTree does not keep lines)."""

    def __init__(self, tag: str, attrib: dict, line: int):
        self.tag, self.attrib, self.line = tag, attrib, line
        self.children: list[Node] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """The text of child ``tag``: ``<tag>x</tag>`` or ``<tag><text>x</text></tag>``."""
        child = self.find(tag)
        if child is None:
            return default
        inner = child.find("text")
        return (inner.text if inner is not None else child.text).strip()


class XmlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def parse_tree(text: str) -> Node:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Node] = []
    root: list[Node] = []

    def refuse(*_args):
        raise XmlError(
            parser.CurrentLineNumber,
            _(
                "tệp XML không được có DOCTYPE/ENTITY (Moodle không dùng)",
            ),
        )

    def start(tag, attrib):
        node = Node(tag, attrib, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def chars(data):
        if stack:
            stack[-1].parts.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as exc:
        raise XmlError(
            exc.lineno,
            _(
                "XML không hợp lệ: %(value)s",
                value=expat.ErrorString(exc.code),
            ),
        ) from None
    if not root or root[0].tag != "quiz":
        raise XmlError(1, _("tệp Moodle XML phải có phần tử gốc <quiz>"))
    return root[0]


def _category(path: str) -> str:
    return gift.category_path(path)


def _html(node: Node | None) -> str:
    """The HTML of a text-with-format element (questiontext, feedback, answer...)."""
    if node is None:
        return ""
    inner = node.find("text")
    text = (inner.text if inner is not None else "").strip()
    fmt = node.attrib.get("format", "html")
    if fmt == "markdown":
        return markdown_to_html(text)
    if fmt == "plain_text":
        return html.escape(text).replace("\n", "<br>")
    if fmt == "moodle_auto_format":
        return text.replace("\n", "<br>") if "<" not in text else text
    return text


def _plain(value: str) -> str:
    text = re.sub(r"<br\s*/?>|</p>", "\n", value, flags=re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _fraction(node: Node) -> float:
    raw = node.attrib.get("fraction", "0")
    try:
        value = float(raw) / 100
    except ValueError:
        raise XmlError(node.line, _("trọng số fraction=%(raw)s không phải là số", raw=repr(raw))) from None
    if not -1 <= value <= 1:
        raise XmlError(node.line, _("trọng số %(raw)s%% phải nằm trong khoảng -100%% đến 100%%", raw=raw))
    return round(value, 7)


def _number(raw: str, line: int) -> float:
    value = gift.read_number(raw)
    if value is None:
        raise XmlError(line, _("không đọc được số %(value)s", value=repr(raw.strip())))
    return value


def _data(qtype: str, q: Node) -> tuple[str, dict]:
    answers = q.findall("answer")
    if qtype == "description":
        return "description", {}
    if qtype == "multichoice":
        single = q.value("single", "true").lower() in ("true", "1")
        choices = [
            {"id": f"c{n}", "text": _html(a), "fraction": _fraction(a), "feedback": _html(a.find("feedback"))}
            for n, a in enumerate(answers, start=1)
        ]
        return ("single" if single else "multi"), {"choices": choices}
    if qtype == "truefalse":
        by_text = {a.value("text").lower(): a for a in answers}
        if set(by_text) != {"true", "false"}:
            raise XmlError(q.line, _("câu đúng/sai cần hai đáp án <text>true</text> và <text>false</text>"))
        return "truefalse", {
            "answer": _fraction(by_text["true"]) >= 1,
            "feedback_true": _html(by_text["true"].find("feedback")),
            "feedback_false": _html(by_text["false"].find("feedback")),
        }
    if qtype == "shortanswer":
        return "short", {
            "answers": [
                {
                    "text": _plain(a.value("text")),
                    "fraction": _fraction(a),
                    "feedback": _html(a.find("feedback")),
                }
                for a in answers
                if a.value("text")
            ],
            "ignore_diacritics": q.value("ignore_diacritics") == "1",  # ours; Moodle ignores it
        }
    if qtype == "numerical":
        data: dict = {"answers": []}
        for a in answers:
            value = a.value("text")
            feedback = _html(a.find("feedback"))
            if value == "*":
                data["other"] = {"fraction": _fraction(a), "feedback": feedback}
                continue
            data["answers"].append(
                {
                    "value": _number(value, a.line),
                    "tolerance": abs(_number(a.value("tolerance", "0") or "0", a.line)),
                    "fraction": _fraction(a),
                    "feedback": feedback,
                }
            )
        return "numerical", data
    if qtype == "matching":
        pairs = []
        for sub in q.findall("subquestion"):
            answer = sub.find("answer")
            right = _plain(answer.value("text") if answer is not None else "")
            if not right:
                raise XmlError(sub.line, _("câu ghép đôi: thiếu vế phải (<answer>)"))
            pairs.append({"id": f"p{len(pairs) + 1}", "left": _html(sub), "right": right})
        return "matching", {"pairs": pairs}
    return "essay", {"rubric": _plain(_html(q.find("graderinfo")))}


def read(text: str, path: str) -> tuple[list[QuestionInput], list[FileProblem], list[FileProblem]]:
    try:
        root = parse_tree(text)
    except XmlError as exc:
        return [], [FileProblem(path, exc.line, exc.message)], []
    problems: list[FileProblem] = []
    unsupported: list[FileProblem] = []
    parsed: list[gift.Parsed] = []
    category = "Mặc định"
    total_bytes = 0
    for q in root.findall("question"):
        qtype = q.attrib.get("type", "")
        if qtype == "category":
            try:
                category = _category(q.value("category"))
            except Exception:
                problems.append(FileProblem(path, q.line, _("tên nhóm câu hỏi (category) bị trống")))
            continue
        name = " ".join(q.value("name").split())
        label = f"câu {name!r}" if name else "câu hỏi"
        if qtype not in SUPPORTED:
            kind = TYPE_NAMES.get(qtype, f"loại {qtype!r}")
            unsupported.append(
                FileProblem(
                    path,
                    q.line,
                    _(
                        "%(label)s: %(kind)s chưa được hỗ trợ",
                        label=label,
                        kind=kind,
                    ),
                )
            )
            continue
        try:
            files = _files(q)
            total_bytes += sum(len(f.content) for f in files)
            if total_bytes > attachments.MAX_IMPORT_BYTES:
                raise XmlError(
                    q.line,
                    _(
                        "các ảnh của tệp lớn quá %(value)s MB",
                        value=attachments.MAX_IMPORT_BYTES // 2**20,
                    ),
                )
            kind, data = _data(qtype, q)
        except XmlError as exc:
            problems.append(FileProblem(path, exc.line, f"{label}: {exc.message}"))
            continue
        text_html = _html(q.find("questiontext"))
        points = q.value("defaultgrade", "1") or "1"
        try:
            points_value = float(points)
        except ValueError:
            problems.append(
                FileProblem(
                    path,
                    q.line,
                    _(
                        "%(label)s: defaultgrade %(points)s không phải là số",
                        label=label,
                        points=repr(points),
                    ),
                )
            )
            continue
        tags = tuple(t.value("text") for t in (q.find("tags").findall("tag") if q.find("tags") else []))
        item = QuestionInput(
            code="",
            category=category,
            qtype=kind,
            title=gift.title_of(text_html.split("_____")[0], name),
            text_html=text_html,
            data=data,
            general_feedback_html=_html(q.find("generalfeedback")),
            points=points_value if points_value > 0 else 1.0,
            tags=tuple(t for t in tags if t),
        )
        item.attachments = tuple(files)
        if kind == "description":
            item.points = 0.0
        parsed.append(gift.Parsed(name, q.line, item))
    gift.assign_codes(parsed)
    for entry in parsed:
        for message in check_question(entry.item):
            problems.append(FileProblem(path, entry.line, f"{entry.item.code}: {message}"))
    return [entry.item for entry in parsed], problems, unsupported


def _files(q: Node) -> list[attachments.Attachment]:
    """The question's embedded files, checked, and every @@PLUGINFILE@@ reference resolved."""
    found: dict[str, attachments.Attachment] = {}
    for node in _walk(q):
        for element in node.findall("file"):
            name = element.attrib.get("name", "")
            if element.attrib.get("encoding", "base64") != "base64":
                raise XmlError(element.line, _('tệp %(name)s: chỉ đọc được encoding="base64"', name=name))
            try:
                content = base64.b64decode("".join(element.text.split()), validate=True)
            except (binascii.Error, ValueError):
                raise XmlError(
                    element.line,
                    _(
                        "tệp %(name)s: nội dung base64 không hợp lệ",
                        name=name,
                    ),
                ) from None
            if len(content) > attachments.MAX_FILE_BYTES:  # before sniffing a huge blob
                raise XmlError(
                    element.line,
                    _(
                        "ảnh %(name)s lớn quá %(value)s KB",
                        name=name,
                        value=attachments.MAX_FILE_BYTES // 1024,
                    ),
                )
            try:
                found[name] = attachments.check(name, content)
            except ValueError as exc:
                raise XmlError(element.line, str(exc)) from None
    missing = sorted(attachments.referenced_names(_all_text(q)) - set(found))
    if missing:
        raise XmlError(
            q.line,
            _(
                "ảnh %(value)s được nhắc đến (@@PLUGINFILE@@) nhưng không có trong tệp",
                value=", ".join(missing),
            ),
        )
    return list(found.values())


def _walk(node: Node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _all_text(node: Node) -> str:
    return " ".join(n.text for n in _walk(node))


# --- writing -------------------------------------------------------------------------------


# the files of the question being written, by hash (set by export_question); per thread, so
# two exports served at once never mix their files
_WRITING = threading.local()


def _with_files(element: ET.Element, value: str) -> str:
    """``value`` with our image URLs back as @@PLUGINFILE@@/name, and the files it shows
    written into ``element`` (Moodle reads a text's files from the element that holds it)."""
    value, hashes = attachments.to_pluginfile(value or "")
    for sha in sorted(hashes):
        stored = getattr(_WRITING, "files", {}).get(sha)
        if stored is not None:
            file = ET.SubElement(element, "file", {"name": stored.name, "path": "/", "encoding": "base64"})
            file.text = base64.b64encode(stored.content).decode("ascii")
    return value


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    text = ET.SubElement(element, "text")
    text.text = _with_files(element, value) if fmt == "html" else (value or "")
    element.remove(text)
    element.insert(0, text)  # <text> first, then the <file>s, as Moodle writes them
    return element


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.10g}"


def _answer(
    parent: ET.Element, text: str, fraction: float, feedback: str, fmt: str | None = "html"
) -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": _pct(fraction), **({"format": fmt} if fmt else {})})
    element = ET.SubElement(answer, "text")
    element.text = _with_files(answer, text) if fmt == "html" else text
    _text(answer, "feedback", feedback)
    return answer


def export_question(parent: ET.Element, code: str, tags: list[str], version) -> None:
    data, qtype = version.data, version.qtype
    _WRITING.files = {a.sha256: a for a in version.attachments}
    xml_type = {"single": "multichoice", "multi": "multichoice", "short": "shortanswer"}.get(qtype, qtype)
    q = ET.SubElement(parent, "question", {"type": xml_type})
    _text(q, "name", code, None)
    _text(q, "questiontext", version.text_html)
    _text(q, "generalfeedback", version.general_feedback_html or "")
    points = 0.0 if qtype == "description" else version.default_points
    ET.SubElement(q, "defaultgrade").text = f"{points:.7f}"
    if qtype in ("single", "multi"):
        ET.SubElement(q, "single").text = "true" if qtype == "single" else "false"
        ET.SubElement(q, "shuffleanswers").text = "true"
        for choice in data["choices"]:
            _answer(q, choice["text"], choice.get("fraction", 0), choice.get("feedback", ""))
    elif qtype == "truefalse":
        for value in ("true", "false"):
            right = data["answer"] == (value == "true")
            _answer(q, value, 1.0 if right else 0.0, data.get(f"feedback_{value}", ""), "moodle_auto_format")
    elif qtype == "short":
        ET.SubElement(q, "usecase").text = "0"
        if data.get("ignore_diacritics"):
            ET.SubElement(q, "ignore_diacritics").text = "1"
        for answer in data["answers"]:
            _answer(
                q,
                html.escape(answer["text"], quote=False),
                answer["fraction"],
                answer.get("feedback", ""),
                "moodle_auto_format",
            )
    elif qtype == "numerical":
        for answer in data["answers"]:
            element = _answer(
                q, repr(answer["value"]), answer["fraction"], answer.get("feedback", ""), "moodle_auto_format"
            )
            ET.SubElement(element, "tolerance").text = repr(answer.get("tolerance", 0))
        if data.get("other") is not None:
            element = _answer(
                q,
                "*",
                data["other"].get("fraction", 0),
                data["other"].get("feedback", ""),
                "moodle_auto_format",
            )
            ET.SubElement(element, "tolerance").text = "0"
    elif qtype == "matching":
        ET.SubElement(q, "shuffleanswers").text = "true"
        for pair in data["pairs"]:
            sub = _text(q, "subquestion", pair.get("left", ""))
            answer = ET.SubElement(sub, "answer")
            ET.SubElement(answer, "text").text = html.escape(pair["right"], quote=False)
    elif qtype == "essay":
        ET.SubElement(q, "responseformat").text = "editor"
        rubric = html.escape(data.get("rubric", ""), quote=False).replace("\n", "<br>")
        _text(q, "graderinfo", rubric)
    if tags:
        holder = ET.SubElement(q, "tags")
        for tag in tags:
            ET.SubElement(ET.SubElement(holder, "tag"), "text").text = tag


def export(questions) -> str:
    """Questions (with their latest versions) as one Moodle XML file, grouped by category."""
    root = ET.Element("quiz")
    category = None
    for question in sorted(questions, key=lambda q: (q.category.path, q.code)):
        if question.category.path != category:
            category = question.category.path
            holder = ET.SubElement(root, "question", {"type": "category"})
            _text(holder, "category", f"$course$/top/{category}", None)
        export_question(root, question.code, question.tag_list, question.latest)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
