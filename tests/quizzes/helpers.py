"""Builders shared by the quiz tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lms.quizzes import gift
from lms.quizzes.services import QuestionInput, QuizInput, save_question, save_quiz

DATA = Path(__file__).parent / "data"
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def load_sample(session):
    items, problems = gift.parse((DATA / "sample.gift").read_text("utf-8"), "sample.gift")
    assert not problems, problems
    return {item.code: save_question(session, None, item, NOW)[0] for item in items}


def single(session, code="s1", right="Đúng", category="Thử"):
    item = QuestionInput(
        code=code,
        category=category,
        qtype="single",
        title=code,
        text_html=f"<p>Câu {code}</p>",
        data={
            "choices": [
                {"id": "c1", "text": right, "fraction": 1.0, "feedback": "Chính xác"},
                {"id": "c2", "text": "Sai", "fraction": 0.0, "feedback": ""},
            ]
        },
    )
    return save_question(session, None, item, NOW)[0]


def make_quiz(session, unit, codes=(), draws=(), **settings):
    item = QuizInput(
        code=settings.pop("code", "quiz-thu"),
        title=settings.pop("title", "Kiểm tra thử"),
        purpose=settings.pop("purpose", "entrance"),
        owner_unit=unit,
        program_code=settings.pop("program_code", "ct-thu"),
        questions=[(code, 1.0) for code in codes],
        draws=list(draws),
        **settings,
    )
    return save_quiz(session, None, item, NOW)[0]
