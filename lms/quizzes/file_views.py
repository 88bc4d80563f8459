"""A question's images, served only to who may see the question: its authors (the bank), a
learner whose attempt showed it, staff who may view such an attempt. The URL holds the file's
hash, so the answer may be cached for a year; it is sent as the stored image type with
``nosniff`` (a browser never guesses another type) and stays private to that browser."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from lms.auth.permissions import can, requires
from lms.db import db
from lms.quizzes.blueprint import bp
from lms.quizzes.models import Attempt, AttemptSlot, Question, QuestionAttachment, QuestionVersion

YEAR = 365 * 24 * 3600
STAFF_CHECK_LIMIT = 50  # attempts looked at for a staff viewer (one in scope is enough)


def may_see(user, question: Question) -> bool:
    if can(user, "quizzes.author", None):
        return True
    showed = (
        select(AttemptSlot.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(QuestionVersion.question_id == question.id)
    )
    if db.session.scalar(select(exists().where(Attempt.id.in_(showed), Attempt.user_id == user.id))):
        return True
    attempts = db.session.scalars(select(Attempt).where(Attempt.id.in_(showed)).limit(STAFF_CHECK_LIMIT))
    return any(can(user, "attempt.view", attempt) for attempt in attempts)


@bp.get("/quizzes/questions/<public_id>/files/<sha256>/<path:name>")
@requires("attempt.view")
def question_file(public_id: str, sha256: str, name: str):
    question = db.session.scalar(select(Question).where(Question.public_id == public_id))
    if question is None:
        abort(404)
    if not may_see(current_user, question):
        abort(403)
    file = db.session.scalar(
        select(QuestionAttachment)
        .join(QuestionVersion, QuestionVersion.id == QuestionAttachment.question_version_id)
        .where(QuestionVersion.question_id == question.id, QuestionAttachment.sha256 == sha256)
        .limit(1)
    )
    if file is None:
        abort(404)
    return (
        file.content,
        200,
        {
            "Content-Type": file.media_type,
            "Content-Length": str(file.size),
            "Cache-Control": f"private, max-age={YEAR}, immutable",
            "ETag": f'"{file.sha256}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
