"""Question bank (categories, questions, immutable-once-used versions), quizzes with slots and
per-learner overrides, attempts with their slots (the question version shown) and answers."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import Base, UTCDateTime, utcnow
from lms.errors import Conflict
from lms.org.models import CadreProfile, Unit, new_public_id


class Purpose(enum.StrEnum):
    practice = "practice"
    entrance = "entrance"
    exit = "exit"
    final = "final"


class GradingMethod(enum.StrEnum):
    highest = "highest"
    last = "last"
    first = "first"
    average = "average"


class Navigation(enum.StrEnum):
    one_page = "one_page"
    paged = "paged"


class AttemptState(enum.StrEnum):
    open = "open"
    finished = "finished"


GRADING_LABELS = {
    GradingMethod.highest: _l("Lần cao nhất"),
    GradingMethod.last: _l("Lần cuối"),
    GradingMethod.first: _l("Lần đầu"),
    GradingMethod.average: _l("Trung bình các lần"),
}


def _json_load(value: str | None, default: Any) -> Any:
    return json.loads(value) if value else default


def _json_dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class QuestionCategory(Base):
    """A category of the bank, named by its full path ("Xây dựng Đảng/Kiểm tra giám sát")."""

    __tablename__ = "quiz_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class Question(Base):
    """A bank question; its content lives in versions. ``code`` is the GIFT ``::title::``."""

    __tablename__ = "quiz_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("quiz_category.id"), index=True)
    tags: Mapped[str] = mapped_column(String(400), default="")  # comma-separated, folded
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[QuestionCategory] = relationship(lazy="joined")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.version", cascade="all, delete-orphan"
    )

    @property
    def latest(self) -> QuestionVersion:
        return self.versions[-1]

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class QuestionVersion(Base):
    """The content of a question as learners saw it. Once an attempt shows a version it is
    never edited again (only a key correction, audited, followed by a regrade)."""

    __tablename__ = "quiz_question_version"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    qtype: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    text_html: Mapped[str] = mapped_column(Text)  # sanitized
    general_feedback_html: Mapped[str] = mapped_column(Text, default="")  # sanitized
    data_json: Mapped[str] = mapped_column("data", Text)  # type-specific, holds the key
    default_points: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")
    attachments: Mapped[list[QuestionAttachment]] = relationship(
        back_populates="version", order_by="QuestionAttachment.name", cascade="all, delete-orphan"
    )

    @property
    def data(self) -> dict:
        return _json_load(self.data_json, {})

    @data.setter
    def data(self, value: dict) -> None:
        self.data_json = _json_dump(value)


class QuestionAttachment(Base):
    """An image a question version shows (a Moodle ``@@PLUGINFILE@@`` file). The bytes live in
    the database: one backup holds everything and every web host serves the same file. Only
    checked raster images (PNG, JPEG, GIF, WebP) are stored; see ``lms.quizzes.attachments``."""

    __tablename__ = "quiz_question_attachment"
    __table_args__ = (UniqueConstraint("question_version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_question_version.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    version: Mapped[QuestionVersion] = relationship(back_populates="attachments")


class Quiz(Base):
    __tablename__ = "quiz"
    __table_args__ = (
        CheckConstraint("attempts_allowed >= 0", name="attempts_allowed_positive"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 10", name="pass_mark_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    purpose: Mapped[Purpose] = mapped_column(Enum(Purpose, native_enum=False, length=20), index=True)
    program_code: Mapped[str | None] = mapped_column(String(80), index=True)  # no FK: programs are elsewhere
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)  # 0 = unlimited
    grading_method: Mapped[GradingMethod] = mapped_column(
        Enum(GradingMethod, native_enum=False, length=20), default=GradingMethod.highest
    )
    pass_mark: Mapped[decimal.Decimal] = mapped_column(Numeric(4, 2), default=decimal.Decimal("5.00"))
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_choices: Mapped[bool] = mapped_column(Boolean, default=True)
    navigation: Mapped[Navigation] = mapped_column(
        Enum(Navigation, native_enum=False, length=20), default=Navigation.one_page
    )
    # when the learner may see each part of the review: a mask of lms.quizzes.review_options times
    review_score_when: Mapped[int] = mapped_column(Integer, default=7)
    review_right_answers_when: Mapped[int] = mapped_column(Integer, default=0)
    review_feedback_when: Mapped[int] = mapped_column(Integer, default=7)
    settings_digest: Mapped[str] = mapped_column(String(64), default="")  # change detection on import
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner_unit: Mapped[Unit] = relationship(lazy="joined")
    slots: Mapped[list[QuizSlot]] = relationship(
        back_populates="quiz", order_by="QuizSlot.position", cascade="all, delete-orphan"
    )

    def is_open(self, now: dt.datetime) -> bool:
        return (self.opens_at is None or self.opens_at <= now) and (
            self.closes_at is None or now < self.closes_at
        )


class QuizSlot(Base):
    """A place in the quiz: a fixed question, or one random draw from a category (subcategories
    included). A draw of N questions is N slots."""

    __tablename__ = "quiz_slot"
    __table_args__ = (
        UniqueConstraint("quiz_id", "position"),
        CheckConstraint("(question_id IS NULL) <> (category_id IS NULL)", name="question_or_category"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_question.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_category.id"), index=True)
    points: Mapped[float] = mapped_column(Float, default=1.0)

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question | None] = relationship()
    category: Mapped[QuestionCategory | None] = relationship()


class QuizOverride(Base):
    """More time, more attempts or a later close date for one learner."""

    __tablename__ = "quiz_override"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Attempt(Base):
    """One learner's attempt. At most one open attempt per learner and quiz (partial unique
    index), so a second tab or a double click resumes instead of forking."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        Index(
            "uq_quiz_attempt_one_open",
            "quiz_id",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    quiz_version: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre_profile.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[AttemptState] = mapped_column(
        Enum(AttemptState, native_enum=False, length=20), default=AttemptState.open, index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))  # submitted | timeout
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[decimal.Decimal | None] = mapped_column(Numeric(5, 2))  # on 10
    pending: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped[Quiz] = relationship(lazy="joined")
    user: Mapped[User] = relationship()
    cadre: Mapped[CadreProfile | None] = relationship()
    slots: Mapped[list[AttemptSlot]] = relationship(
        back_populates="attempt", order_by="AttemptSlot.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state is AttemptState.open

    def finish(self, now: dt.datetime, outcome: str) -> None:
        if self.state is not AttemptState.open:
            raise Conflict(_("Bài làm này đã được nộp."))
        self.state, self.finished_at, self.outcome = AttemptState.finished, now, outcome


class AttemptSlot(Base):
    """The question version shown at one position of an attempt, its stored choice order,
    and its grade (automatic fraction, or manual points for essays)."""

    __tablename__ = "quiz_attempt_slot"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_question_version.id"), index=True)
    points: Mapped[float] = mapped_column(Float)
    order_json: Mapped[str] = mapped_column("choice_order", Text, default="[]")
    fraction: Mapped[float | None] = mapped_column(Float)  # None = not graded (yet)
    awarded: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # "xem lại"

    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    version: Mapped[QuestionVersion] = relationship(lazy="joined")

    @property
    def order(self) -> list:
        return _json_load(self.order_json, [])


class AttemptAnswer(Base):
    """The saved response for (attempt, position). Written only by an upsert that keeps the
    newest client sequence number, so a late, older save never overwrites a newer one."""

    __tablename__ = "quiz_attempt_answer"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_json: Mapped[str] = mapped_column("response", Text)
    seq: Mapped[int] = mapped_column(BigInteger)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    @property
    def response(self) -> dict:
        return _json_load(self.response_json, {})
