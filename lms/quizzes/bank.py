"""The question bank: categories, questions and their versions, tags. Plain functions: session,
actor and clock come in; they flush, never commit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, literal, select
from sqlalchemy.orm import Session, selectinload

from lms import audit
from lms.errors import LmsError
from lms.org.models import new_public_id
from lms.quizzes import attachments
from lms.quizzes.models import (
    AttemptSlot,
    Question,
    QuestionCategory,
    QuestionVersion,
)
from lms.quizzes.qtypes import REGISTRY, get_type
from lms.sanitize import clean_html

# --- question bank -------------------------------------------------------------------------


def normalize_category_path(path: str) -> str:
    parts = [" ".join(p.split()) for p in (path or "").replace("\\", "/").split("/")]
    parts = [p for p in parts if p]
    if not parts:
        raise LmsError(_("Tên nhóm câu hỏi không được để trống."))
    return "/".join(parts)


def get_category(session: Session, path: str, create: bool = False) -> QuestionCategory | None:
    path = normalize_category_path(path)
    category = session.scalar(select(QuestionCategory).where(QuestionCategory.path == path))
    if category is None and create:
        category = QuestionCategory(path=path)
        session.add(category)
        session.flush()
    return category


def _clean_keys(items: list[dict], keys: Iterable[str]) -> list[dict]:
    for item in items:
        for key in keys:
            if item.get(key):
                item[key] = clean_html(item[key])
    return items


def clean_question_data(qtype: str, data: dict) -> dict:
    """Sanitize the HTML parts of a question's data (plain-text parts stay as written)."""
    data = json.loads(json.dumps(data))  # a private copy
    if qtype in ("single", "multi"):
        _clean_keys(data.get("choices", []), ("text", "feedback"))
    elif qtype in ("short", "numerical"):
        _clean_keys(data.get("answers", []), ("feedback",))
    elif qtype == "matching":
        _clean_keys(data.get("pairs", []), ("left",))
    elif qtype == "truefalse":
        _clean_keys([data], ("feedback_true", "feedback_false"))
    return data


def version_used(session: Session, version: QuestionVersion) -> bool:
    return bool(session.scalar(select(exists().where(AttemptSlot.question_version_id == version.id))))


def fold_tag(tag: str) -> str:
    """A tag as stored and searched: trimmed, lower case."""
    return tag.strip().lower()


def fold_tags(tags: Iterable[str]) -> str:
    return ",".join(sorted({fold_tag(t) for t in tags if t and t.strip()}))


CODE_MAX = 120  # Question.code


@dataclasses.dataclass
class QuestionInput:
    code: str
    category: str
    qtype: str
    title: str
    text_html: str
    data: dict
    general_feedback_html: str = ""
    points: float = 1.0
    tags: tuple[str, ...] = ()
    attachments: tuple = ()  # lms.quizzes.attachments.Attachment, referred to as @@PLUGINFILE@@/name


def check_question(item: QuestionInput) -> list[str]:
    problems = []
    if item.qtype not in REGISTRY:
        return [f"loại câu hỏi không hỗ trợ: {item.qtype}"]
    if not item.code:
        problems.append("thiếu mã câu hỏi (::tiêu đề::)")
    elif len(item.code) > CODE_MAX:
        problems.append(f"mã câu hỏi dài quá {CODE_MAX} ký tự")
    if not (item.text_html or "").strip():
        problems.append("thiếu nội dung câu hỏi")
    problems += get_type(item.qtype, item.data).validate()
    return problems


def save_question(
    session: Session, actor: Any, item: QuestionInput, now: dt.datetime
) -> tuple[Question, str]:
    """Create or update a question by code. Returns (question, "created" | "updated" |
    "new_version" | "unchanged"). A version already shown in an attempt is never edited: a
    change then makes a new version, and attempts keep the one they showed."""
    problems = check_question(item)
    if problems:
        raise LmsError(f"Câu hỏi {item.code}: " + "; ".join(problems))
    category = get_category(session, item.category, create=True)
    question = session.scalar(
        select(Question).where(Question.code == item.code).options(selectinload(Question.versions))
    )
    public_id = question.public_id if question is not None else new_public_id()
    # @@PLUGINFILE@@/name -> the served URL (keyed by the file's hash), before the sanitizer
    urls = {a.name: attachments.served_url(public_id, a.sha256, a.name) for a in item.attachments}
    content = {
        "qtype": item.qtype,
        "title": item.title.strip()[:300],
        "text_html": clean_html(attachments.rewrite(item.text_html, urls)),
        "general_feedback_html": clean_html(attachments.rewrite(item.general_feedback_html or "", urls)),
        "data_json": json.dumps(
            clean_question_data(item.qtype, attachments.rewrite(item.data, urls)),
            ensure_ascii=False,
            sort_keys=True,
        ),
        "default_points": float(item.points),
    }
    tags = fold_tags(item.tags)
    if question is None:
        question = Question(public_id=public_id, code=item.code, category=category, tags=tags)
        question.versions.append(QuestionVersion(version=1, created_at=now, **content))
        attachments.store(question.versions[0], item.attachments)
        session.add(question)
        session.flush()
        audit.record(
            session, actor, "question.create", "question", question.id, after={"code": item.code}, now=now
        )
        return question, "created"
    latest = question.latest
    same = all(getattr(latest, key) == value for key, value in content.items())
    status = "unchanged"
    if question.category_id != category.id or question.tags != tags:
        question.category, question.tags, status = category, tags, "updated"
    if not same:
        if version_used(session, latest):
            version = QuestionVersion(version=latest.version + 1, created_at=now, **content)
            question.versions.append(version)
            attachments.store(version, attachments.carried(latest))  # a new version keeps its images
            attachments.store(version, item.attachments)
            status = "new_version"
        else:
            for key, value in content.items():
                setattr(latest, key, value)
            attachments.store(latest, item.attachments)
            status = "updated"
    session.flush()
    if status != "unchanged":
        audit.record(
            session,
            actor,
            f"question.{status}",
            "question",
            question.id,
            after={"code": item.code, "version": question.latest.version},
            now=now,
        )
    return question, status


def questions_in_category(session: Session, path: str, with_children: bool = True) -> list[Question]:
    path = normalize_category_path(path)
    condition = QuestionCategory.path == path
    if with_children:
        condition = condition | QuestionCategory.path.startswith(path + "/", autoescape=True)
    return list(
        session.scalars(
            select(Question)
            .join(Question.category)
            .where(condition)
            .options(selectinload(Question.versions))
            .order_by(QuestionCategory.path, Question.code)
        )
    )


def question_by_code(session: Session, code: str) -> Question | None:
    return session.scalar(select(Question).where(Question.code == code))


def bank_questions(session: Session, category: str = "", tag: str = "") -> list[Question]:
    """The bank page's list: the questions of one category (not its subcategories), of one tag,
    or both. Tags are stored folded and comma-separated, so a tag is matched between commas."""
    query = (
        select(Question)
        .join(Question.category)
        .options(selectinload(Question.versions))
        .order_by(QuestionCategory.path, Question.code)
    )
    if category:
        query = query.where(QuestionCategory.path == normalize_category_path(category))
    if tag:
        wrapped = literal(",") + Question.tags + literal(",")
        query = query.where(wrapped.contains(f",{fold_tag(tag)},", autoescape=True))
    return list(session.scalars(query))


def bank_tags(session: Session) -> list[str]:
    """Every tag used in the bank, sorted (for the bank page's filter)."""
    rows = session.scalars(select(Question.tags).where(Question.tags != "").distinct())
    return sorted({tag for tags in rows for tag in tags.split(",") if tag})
