"""Aiken: Moodle's simple multiple-choice format.

    Câu hỏi (one or more lines)
    A. phương án
    B) phương án
    ANSWER: B

Questions are separated by blank lines (or simply follow an ``ANSWER:`` line). Each becomes a
single-choice question (plain text, escaped) in the category "Mặc định", with a generated code
(Aiken has no titles; the GIFT rule: category + text hash). Refused, as ``file:line: message``:
choices before any question text, fewer than 2 choices, a question without ``ANSWER:``, an
``ANSWER:`` letter that is not one of the choices, a repeated choice letter, text after the
choices that is neither a choice nor ``ANSWER:``.
"""

from __future__ import annotations

import html
import re

from lms.errors import FileProblem
from lms.quizzes import gift
from lms.quizzes.services import QuestionInput, check_question

CHOICE = re.compile(r"^([A-Z])[.)][ \t]+(.*)$")
ANSWER = re.compile(r"^ANSWER:\s*(.*)$")


def read(text: str, path: str) -> tuple[list[QuestionInput], list[FileProblem], list[FileProblem]]:
    problems: list[FileProblem] = []
    parsed: list[gift.Parsed] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    question: list[str] = []
    choices: list[tuple[str, str]] = []
    start = 0

    def reset() -> None:
        nonlocal question, choices, start
        question, choices, start = [], [], 0

    def bad(number: int, message: str) -> None:
        problems.append(FileProblem(path, number, message))

    skipping = False  # after a problem, skip to the end of that question
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            if question or choices:
                if not skipping:
                    bad(start, "câu hỏi Aiken thiếu dòng ANSWER: (chữ cái của phương án đúng)")
            reset()
            skipping = False
            continue
        if skipping:
            continue
        answer, choice = ANSWER.match(line), CHOICE.match(line)
        if answer:
            if not question:
                bad(number, "dòng ANSWER: không thuộc câu hỏi nào")
            elif len(choices) < 2:
                bad(number, "câu hỏi Aiken cần ít nhất 2 phương án (A. …, B. …)")
            else:
                letter = answer.group(1).strip()
                letters = [c for c, _ in choices]
                if letter not in letters:
                    bad(
                        number,
                        f"ANSWER: {letter} không phải chữ cái của một phương án ({', '.join(letters)})",
                    )
                else:
                    parsed.append(_question(start, question, choices, letter))
            reset()
            continue
        if choice:
            if not question:
                bad(number, "phương án đứng trước nội dung câu hỏi")
                skipping = True
                continue
            if choice.group(1) in {c for c, _ in choices}:
                bad(number, f"phương án {choice.group(1)} lặp lại")
                skipping = True
                continue
            choices.append((choice.group(1), choice.group(2).strip()))
            continue
        if choices:
            bad(number, "sau các phương án chỉ được có phương án (A. …) hoặc dòng ANSWER:")
            skipping = True
            continue
        if not question:
            start = number
        question.append(line)
    if (question or choices) and not skipping:
        bad(start, "câu hỏi Aiken thiếu dòng ANSWER: (chữ cái của phương án đúng)")
    gift.assign_codes(parsed)
    for entry in parsed:
        for message in check_question(entry.item):
            problems.append(FileProblem(path, entry.line, f"{entry.item.code}: {message}"))
    return [entry.item for entry in parsed], problems, []


def _question(line: int, question: list[str], choices: list[tuple[str, str]], right: str) -> gift.Parsed:
    text_html = "<br>".join(html.escape(part) for part in question)
    item = QuestionInput(
        code="",
        category="Mặc định",
        qtype="single",
        title=gift.title_of(text_html, ""),
        text_html=text_html,
        data={
            "choices": [
                {
                    "id": f"c{n}",
                    "text": html.escape(text),
                    "fraction": 1.0 if letter == right else 0.0,
                    "feedback": "",
                }
                for n, (letter, text) in enumerate(choices, start=1)
            ]
        },
    )
    return gift.Parsed("", line, item)
