"""The per-field question form, for authors who do not know GIFT.

``build_input(form, qtype, question)`` turns a submitted ``QuestionForm`` into the ``QuestionInput``
the GIFT importer makes for the same question (choice ids c1..cN, weights rounded as GIFT's
``%w%``, the default penalties of multiple response), or adds Vietnamese messages to the form and
returns None. ``form_data(question)`` fills the form from a stored question. Saving still goes
through ``services.save_question``: versioning ("already used → new version"), sanitising, audit.

What the form does not show is kept on save and listed on the page (``kept_parts``): feedback of
accepted short answers, short answers with partial credit, the feedback of the right numerical
answer and further numerical answers. Matching questions stay GIFT-only.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from flask_babel import gettext as _

from lms import numerals
from lms.errors import LmsError
from lms.quizzes.forms import CHOICE_ROWS, MAX_CHOICE_ROWS, QuestionForm
from lms.quizzes.gift import title_of
from lms.quizzes.models import Question, QuestionVersion
from lms.quizzes.qtypes import REGISTRY, MultipleResponse, normalize_text, parse_number
from lms.quizzes.services import CODE_MAX, QuestionInput, check_question, fold_tags, normalize_category_path
from lms.sanitize import clean_html

FORM_TYPES = ("single", "multi", "truefalse", "short", "numerical", "essay")
CATEGORY_MAX = 400  # QuestionCategory.path
TAGS_MAX = 400  # Question.tags
POINTS_MAX = 100


def type_label(qtype: str) -> str:
    return str(REGISTRY[qtype].label)


def form_supported(version: QuestionVersion) -> bool:
    """Whether the per-field form can show everything that decides the grade of this version."""
    if version.qtype not in FORM_TYPES:
        return False
    return len(version.data.get("choices", [])) <= MAX_CHOICE_ROWS


def _text(value: Any) -> str:
    # a NUL is never meant, and PostgreSQL text cannot hold it
    return str(value or "").replace("\x00", "")


def number_text(value: float) -> str:
    """A number as an author writes it: "12", "0,5" (Vietnamese), "0.5" (English)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return numerals.with_decimal_sign(repr(float(value)))


def weight_text(fraction: float) -> str:
    return numerals.with_decimal_sign(f"{fraction * 100:.10g}")


class _Check:
    """Collects problems on the form's fields (and the choice block) and remembers any."""

    def __init__(self, form: QuestionForm):
        self.form, self.ok = form, True
        form.block_errors = []

    def __call__(self, field, message: str) -> None:
        field.errors = [*field.errors, message]
        self.ok = False

    def block(self, message: str) -> None:
        self.form.block_errors.append(message)
        self.ok = False


@dataclasses.dataclass
class _Row:
    entry: Any  # the row's FormField
    text: str
    feedback: str
    weight: str
    right: bool


def row_index(entry) -> str:
    """The number in a row's field names (choices-3-text → "3"), the value of its radio button."""
    return entry.name.rsplit("-", 1)[-1]


def _rows(check: _Check, form: QuestionForm, qtype: str) -> list[_Row]:
    """The filled choice rows; an empty row is ignored unless it is marked or has other input."""
    rows = []
    for entry in form.choices.entries:
        right = bool(entry.correct.data) if qtype == "multi" else form.right.data == row_index(entry)
        row = _Row(
            entry,
            _text(entry.text.data).strip(),
            _text(entry.feedback.data).strip(),
            _text(entry.weight.data).strip(),
            right,
        )
        if row.text:
            rows.append(row)
        elif row.right or row.weight or row.feedback:
            check(entry.text, _("Phương án này chưa có nội dung."))
    if len(rows) < 2:
        check.block(_("Cần ít nhất 2 phương án (các dòng để trống được bỏ qua)."))
    return rows


def _weight(check: _Check, row: _Row, old: dict[str, float]) -> float | None:
    """The row's weight as a fraction, None when left empty (the default applies)."""
    if not row.weight:
        return None
    value = parse_number(row.weight)
    if value is None or not -100 <= value <= 100:
        check(row.entry.weight, _("Trọng số là số phần trăm từ -100 đến 100, ví dụ 50 hoặc -33,3."))
        return None
    if row.text in old and weight_text(old[row.text]) == row.weight:
        return old[row.text]  # shown unchanged: keep the stored value exactly
    return round(value / 100, 7)  # as GIFT's %w%


def _single(check: _Check, form: QuestionForm, old: dict) -> dict:
    rows = _rows(check, form, "single")
    fractions = {c["text"]: c.get("fraction", 0) for c in old.get("choices", [])}
    choices = []
    for number, row in enumerate(rows, start=1):
        weight = _weight(check, row, fractions)
        if row.right:
            if weight is not None and weight < 1:
                check(row.entry.weight, _("Phương án đúng được 100%: để trống ô trọng số."))
            fraction = 1.0
        else:
            if weight is not None and weight >= 1:
                check(row.entry.weight, _("Chỉ phương án đúng được 100%."))
            fraction = 0.0 if weight is None else weight
        choices.append({"id": f"c{number}", "text": row.text, "fraction": fraction, "feedback": row.feedback})
    if rows and not any(row.right for row in rows):
        check.block(_("Chọn phương án đúng (nút «Đây là phương án đúng»)."))
    return {"choices": choices}


def _multi(check: _Check, form: QuestionForm, old: dict) -> dict:
    """Right choices without a weight share what the given weights leave of 100% (rounded as
    GIFT rounds); wrong ones without a weight get the default penalty -1/(number of right)."""
    rows = _rows(check, form, "multi")
    fractions = {c["text"]: c.get("fraction", 0) for c in old.get("choices", [])}
    weights = [_weight(check, row, fractions) for row in rows]
    for row, weight in zip(rows, weights, strict=True):
        if weight is not None and row.right and weight <= 0:
            check(row.entry.weight, _("Phương án đúng cần trọng số lớn hơn 0 (hoặc để trống để chia đều)."))
        elif weight is not None and not row.right and weight > 0:
            check(row.entry.weight, _("Phương án sai cần trọng số âm hoặc 0 (hoặc để trống)."))
    right = [weight for row, weight in zip(rows, weights, strict=True) if row.right]
    if rows and not right:
        check.block(_("Đánh dấu ít nhất một phương án đúng."))
    blanks = sum(1 for weight in right if weight is None)
    share = round((1 - sum(w for w in right if w and w > 0)) / blanks, 7) if blanks else 0.0
    if blanks and share <= 0:
        check.block(_("Các trọng số đã nhập đã đủ 100%: nhập trọng số cho mọi phương án đúng."))
    choices = []
    for number, (row, weight) in enumerate(zip(rows, weights, strict=True), start=1):
        fraction = weight if weight is not None else (share if row.right else None)
        choices.append({"id": f"c{number}", "text": row.text, "fraction": fraction, "feedback": row.feedback})
    total = sum(c["fraction"] for c in choices if (c["fraction"] or 0) > 0)
    if right and not (blanks and share <= 0) and abs(total - 1) > 0.01:
        check.block(
            _(
                "Tổng trọng số các phương án đúng phải là 100%% (đang là %(total)s%%).",
                total=numerals.with_decimal_sign(f"{total * 100:.4g}"),
            )
        )
    return {"choices": MultipleResponse.default_penalties(choices)}


def _truefalse(check: _Check, form: QuestionForm, old: dict) -> dict:
    answer = _text(form.answer.data)
    if answer not in ("true", "false"):
        check(form.answer, _("Chọn đáp án đúng: «Đúng» hoặc «Sai»."))
    return {
        "answer": answer == "true",
        "feedback_true": _text(form.feedback_true.data).strip(),
        "feedback_false": _text(form.feedback_false.data).strip(),
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _short(check: _Check, form: QuestionForm, old: dict) -> dict:
    accepted, keys = [], set()
    for line in _lines(_text(form.answers.data)):
        if line and normalize_text(line) not in keys:
            accepted.append(line)
            keys.add(normalize_text(line))
    if not accepted:
        check(form.answers, _("Nhập ít nhất một câu trả lời được chấp nhận (mỗi dòng một câu)."))
    before = old.get("answers", [])
    if [a["text"] for a in before if a.get("fraction", 0) >= 1] == accepted:
        answers = before  # the shown answers are unchanged: keep the stored list as it was
    else:
        feedback = {normalize_text(a["text"]): a.get("feedback", "") for a in before}
        answers = [
            {"text": text, "fraction": 1.0, "feedback": feedback.get(normalize_text(text), "")}
            for text in accepted
        ]
        answers += [a for a in before if a.get("fraction", 0) < 1 and normalize_text(a["text"]) not in keys]
    return {"answers": answers, "ignore_diacritics": bool(form.ignore_diacritics.data)}


def _numerical(check: _Check, form: QuestionForm, old: dict) -> dict:
    value = parse_number(_text(form.value.data))
    if value is None:
        check(form.value, _("Đáp số phải là một số, ví dụ 12 hoặc 0,5."))
    raw = _text(form.tolerance.data).strip()
    tolerance = parse_number(raw) if raw else 0.0
    if tolerance is None:
        check(form.tolerance, _("Sai số phải là một số, ví dụ 0,5 (hoặc để trống)."))
    elif tolerance < 0:
        check(form.tolerance, _("Sai số cho phép không được âm."))
    answer = {"value": value, "tolerance": tolerance, "fraction": 1.0, "feedback": ""}
    answers = [dict(a) for a in old.get("answers", [])]
    main = next((n for n, a in enumerate(answers) if a.get("fraction", 0) >= 1), None)
    other = {"other": dict(old["other"])} if old.get("other") is not None else {}  # the catch-all stays
    if main is None:
        return {"answers": [answer, *answers], **other}
    answers[main].update(value=value, tolerance=tolerance)  # its feedback stays
    return {"answers": answers, **other}


def _essay(check: _Check, form: QuestionForm, old: dict) -> dict:
    return {"rubric": "\n".join(_lines(_text(form.rubric.data))).strip()}


BUILDERS = {
    "single": _single,
    "multi": _multi,
    "truefalse": _truefalse,
    "short": _short,
    "numerical": _numerical,
    "essay": _essay,
}


def _category(check: _Check, form: QuestionForm, categories: list[str]) -> str:
    typed = _text(form.new_category.data).strip()
    if typed:
        try:
            path = normalize_category_path(typed)
        except LmsError:
            check(form.new_category, _("Tên nhóm mới không hợp lệ."))
            return ""
        if len(path) > CATEGORY_MAX:
            check(form.new_category, _("Tên nhóm dài quá %(n)s ký tự.", n=CATEGORY_MAX))
        return path
    chosen = _text(form.category.data).strip()
    if not chosen:
        check(form.category, _("Chọn một nhóm có sẵn hoặc nhập tên nhóm mới."))
    elif chosen not in categories:
        check(form.category, _("Nhóm này không có trong ngân hàng; hãy nhập vào ô nhóm mới."))
    return chosen


def _plain_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def build_input(
    form: QuestionForm, qtype: str, question: Question | None, categories: list[str]
) -> QuestionInput | None:
    """The question the form describes, or None after putting every problem on the form."""
    check = _Check(form)
    if question is not None:
        code = question.code  # the code names the question (save_question works by code)
    else:
        code = _text(form.code.data).strip()
        if not code:
            check(form.code, _("Nhập mã câu hỏi, ví dụ: dat-101."))
        elif len(code) > CODE_MAX:
            check(form.code, _("Mã câu hỏi dài quá %(n)s ký tự.", n=CODE_MAX))
    category = _category(check, form, categories)
    tags = tuple(_text(form.tags.data).split(","))
    if len(fold_tags(tags)) > TAGS_MAX:
        check(form.tags, _("Các nhãn dài quá %(n)s ký tự cộng lại.", n=TAGS_MAX))
    points = parse_number(_text(form.points.data))
    if points is None or not 0 < points <= POINTS_MAX:
        check(form.points, _("Điểm mặc định là một số lớn hơn 0 và không quá 100, ví dụ 1 hoặc 0,5."))
    text = _text(form.text.data).strip()
    cleaned = clean_html(text)
    if not _plain_text(cleaned) and "<img" not in cleaned:
        check(form.text, _("Nhập nội dung câu hỏi."))
    old = question.latest.data if question is not None and question.latest.qtype == qtype else {}
    data = BUILDERS[qtype](check, form, old)
    if not check.ok:
        return None
    title = title_of(text, code)
    if question is not None and cleaned == question.latest.text_html:
        title = question.latest.title  # same text, same title (GIFT cuts a missing-word text at the blank)
    item = QuestionInput(
        code=code,
        category=category,
        qtype=qtype,
        title=title,
        text_html=text,
        data=data,
        general_feedback_html=_text(form.general_feedback.data).strip(),
        points=points,
        tags=tags,
    )
    for problem in check_question(item):  # the services' own rules: a last net, normally silent
        check.block(problem[:1].upper() + problem[1:] + ".")
    return item if check.ok else None


# --- a stored question → the form ----------------------------------------------------------


def _default_fractions(qtype: str, choices: list[dict]) -> list[float]:
    """What the form would store for these marks with every weight left empty."""
    if qtype == "single":
        first = next((n for n, c in enumerate(choices) if c.get("fraction", 0) >= 1), None)
        return [1.0 if n == first else 0.0 for n in range(len(choices))]
    right = sum(1 for c in choices if c.get("fraction", 0) > 0) or 1
    return [round(1 / right, 7) if c.get("fraction", 0) > 0 else -1.0 / right for c in choices]


def _choice_rows(qtype: str, choices: list[dict]) -> tuple[list[dict], str]:
    defaults = _default_fractions(qtype, choices)
    # multiple response: weights are all shown as soon as one differs from the default, so the
    # author sees the whole scheme; single choice: only the partial credit of wrong choices
    custom = any(abs(c.get("fraction", 0) - d) > 1e-9 for c, d in zip(choices, defaults, strict=True))
    rows, right = [], ""
    for n, (choice, default) in enumerate(zip(choices, defaults, strict=True)):
        fraction = choice.get("fraction", 0)
        is_right = fraction >= 1 if qtype == "single" else fraction > 0
        if qtype == "single" and is_right and not right:
            right = str(n)
        show = custom and (qtype == "multi" or abs(fraction - default) > 1e-9)
        rows.append(
            {
                "text": choice.get("text", ""),
                "correct": is_right,
                "weight": weight_text(fraction) if show else "",
                "feedback": choice.get("feedback", ""),
            }
        )
    total = min(MAX_CHOICE_ROWS, max(CHOICE_ROWS, len(rows) + 2))
    return rows + [{} for _ in range(total - len(rows))], right


def form_data(question: Question) -> dict:
    """The values of the form for the latest version of a question."""
    version = question.latest
    data, qtype = version.data, version.qtype
    values: dict[str, Any] = {
        "category": question.category.path,
        "code": question.code,
        "tags": ", ".join(question.tag_list),
        "text": version.text_html,
        "points": number_text(version.default_points),
        "general_feedback": version.general_feedback_html,
    }
    if qtype in ("single", "multi"):
        values["choices"], values["right"] = _choice_rows(qtype, data.get("choices", []))
    elif qtype == "truefalse":
        values["answer"] = "true" if data.get("answer") else "false"
        values["feedback_true"] = data.get("feedback_true", "")
        values["feedback_false"] = data.get("feedback_false", "")
    elif qtype == "short":
        values["answers"] = "\n".join(a["text"] for a in data.get("answers", []) if a.get("fraction", 0) >= 1)
        values["ignore_diacritics"] = bool(data.get("ignore_diacritics"))
    elif qtype == "numerical":
        main = next((a for a in data.get("answers", []) if a.get("fraction", 0) >= 1), None)
        if main:
            values["value"] = number_text(main["value"])
            values["tolerance"] = number_text(main["tolerance"]) if main.get("tolerance") else ""
    elif qtype == "essay":
        values["rubric"] = data.get("rubric", "")
    return values


def kept_parts(version: QuestionVersion) -> list[str]:
    """What the form does not show but keeps on save (to be edited with GIFT), in words."""
    parts = []
    answers = version.data.get("answers", [])
    if version.qtype == "short":
        for a in answers:
            if a.get("fraction", 0) < 1:
                parts.append(
                    _("Câu trả lời «%(t)s» được %(w)s%%", t=a["text"], w=weight_text(a.get("fraction", 0)))
                )
            elif a.get("feedback"):
                parts.append(_("Phản hồi riêng của câu trả lời «%(t)s»", t=a["text"]))
    elif version.qtype == "numerical":
        main = next((a for a in answers if a.get("fraction", 0) >= 1), None)
        if main and main.get("feedback"):
            parts.append(_("Phản hồi khi trả lời đúng"))
        for a in answers:
            if a is not main:
                parts.append(
                    _(
                        "Đáp số %(v)s ± %(t)s được %(w)s%%",
                        v=number_text(a["value"]),
                        t=number_text(a.get("tolerance", 0)),
                        w=weight_text(a.get("fraction", 0)),
                    )
                )
        if version.data.get("other") is not None:
            parts.append(_("Phản hồi cho mọi đáp số khác"))
    return parts
