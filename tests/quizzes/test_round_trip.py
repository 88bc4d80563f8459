"""Export to GIFT and to Moodle XML, import again: the same questions (type, text, answers,
weights, feedback, categories, tags, points), for every question in content/quizzes/ and for
files holding every type."""

import json
from pathlib import Path

import pytest

from lms.quizzes import attachments, gift, moodle_xml
from lms.quizzes.formats import parse_text
from lms.quizzes.services import clean_question_data, save_question
from lms.sanitize import clean_html
from tests.quizzes.helpers import DATA, NOW

CONTENT = Path(__file__).parents[2] / "content" / "quizzes"
SOURCES = {
    "content": [(p, "gift") for p in sorted(CONTENT.glob("*.gift"))],
    "every-type": [
        (DATA / "sample.gift", "gift"),
        (DATA / "moodle_style.gift", "gift"),
        (DATA / "moodle.xml", "xml"),
        (DATA / "sample.aiken", "aiken"),
    ],
}


def _load(session, files):
    questions = {}
    for path, fmt in files:
        items, problems, _ = parse_text(path.read_text("utf-8"), str(path), fmt, skip_unsupported=True)
        assert not problems, problems
        for item in items:
            questions[item.code] = save_question(session, None, item, NOW)[0]
    session.flush()
    return questions


def _stored(question):
    v = question.latest
    return {
        "category": question.category.path,
        "tags": sorted(question.tag_list),
        "qtype": v.qtype,
        "title": v.title,
        "text": v.text_html,
        "general": v.general_feedback_html,
        "data": json.loads(v.data_json),
        "points": v.default_points,
    }


def _as_saved(item, question):
    urls = {a.name: attachments.served_url(question.public_id, a.sha256, a.name) for a in item.attachments}
    item.text_html = attachments.rewrite(item.text_html, urls)
    item.general_feedback_html = attachments.rewrite(item.general_feedback_html, urls)
    item.data = attachments.rewrite(item.data, urls)
    return {
        "category": item.category,
        "tags": sorted({t.strip().lower() for t in item.tags}),
        "qtype": item.qtype,
        "title": item.title.strip()[:300],
        "text": clean_html(item.text_html),
        "general": clean_html(item.general_feedback_html),
        "data": clean_question_data(item.qtype, item.data),
        "points": float(item.points),
    }


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("fmt, writer", [("gift", gift.export), ("xml", moodle_xml.export)])
def test_export_then_import_gives_the_same_questions(session, source, fmt, writer):
    questions = _load(session, SOURCES[source])
    assert len(questions) > 10
    text = writer(list(questions.values()))
    items, problems, skipped = parse_text(text, f"out.{fmt}", fmt)
    assert not problems and not skipped, problems[:5]
    again = {item.code: item for item in items}
    assert set(again) == set(questions)
    for code, question in questions.items():
        before, after = _stored(question), _as_saved(again[code], question)
        assert after == before, code
