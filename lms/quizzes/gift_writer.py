"""Writing Moodle GIFT: questions with their latest versions as one file (always ``[html]``,
the stored form), read back by ``gift_reader`` and by Moodle."""

from __future__ import annotations

SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r", "").replace("\n", "\\n")


def _pct(fraction: float) -> str:
    return f"%{fraction * 100:.10g}%"


def _fb(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def export_question(code: str, category_tags: list[str], version) -> str:
    """One question as GIFT (always [html], the stored form)."""
    data, qtype = version.data, version.qtype
    lines = [f"// [tag:{tag}]" for tag in category_tags]
    if version.default_points != 1 and qtype != "description":
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
        other = data.get("other")
        if other is not None:
            weight = _pct(other["fraction"]) if other.get("fraction") else ""
            body.append(f"~{weight}#{escape(other.get('feedback', ''))}")
    elif qtype == "matching":
        for pair in data["pairs"]:
            body.append(f"={escape(pair['left'])} -> {escape(pair['right'])}")
    if qtype == "description":  # no answer braces: Moodle reads it back as a description
        lines.append(f"::{escape(code)}::[html]{escape(version.text_html)}")
        return "\n".join(lines)
    if version.general_feedback_html:
        body.append(f"####{escape(version.general_feedback_html)}")
    lines.append(f"::{escape(code)}::[html]{escape(version.text_html)}{{")
    lines += [f"\t{item}" for item in body]
    lines.append("}")
    return "\n".join(lines)


def image_warning(questions) -> str:
    """GIFT has no way to carry a file: the line naming the questions whose images are lost
    (empty when none has one)."""
    codes = sorted(q.code for q in questions if q.latest.attachments)
    if not codes:
        return ""
    return "Cảnh báo: GIFT không mang được ảnh; xuất Moodle XML để giữ ảnh của: " + ", ".join(codes)


def export(questions) -> str:
    """Questions (with their latest versions) as one GIFT file, grouped by category. The file
    starts with a comment naming the questions whose images GIFT cannot carry, if any."""
    warning = image_warning(questions)
    out: list[str] = [f"// {warning}\n"] if warning else []
    category = None
    for question in sorted(questions, key=lambda q: (q.category.path, q.code)):
        if question.category.path != category:
            category = question.category.path
            out.append(f"$CATEGORY: {category}\n")
        out.append(export_question(question.code, question.tag_list, question.latest) + "\n")
    return "\n".join(out)
