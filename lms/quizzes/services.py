"""Question bank, quizzes, attempts, grading. Plain functions: session, actor and clock come in;
they flush, never commit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import hashlib
import json
import random
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import case, exists, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lms import audit
from lms.auth.models import User
from lms.errors import Conflict, LmsError, NotFound
from lms.org.models import CadreProfile, Unit
from lms.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    AttemptState,
    GradingMethod,
    Navigation,
    Purpose,
    Question,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizOverride,
    QuizSlot,
    _json_load,
)
from lms.quizzes.qtypes import REGISTRY, get_type
from lms.sanitize import clean_html

# A save that left the browser in the last seconds may arrive a little after the deadline;
# it is still accepted so nothing typed before the timer ran out is lost.
GRACE = dt.timedelta(seconds=20)
TWO = decimal.Decimal("0.01")

# --- question bank -------------------------------------------------------------------------


def normalize_category_path(path: str) -> str:
    parts = [" ".join(p.split()) for p in (path or "").replace("\\", "/").split("/")]
    parts = [p for p in parts if p]
    if not parts:
        raise LmsError("Tên nhóm câu hỏi không được để trống.")
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
    content = {
        "qtype": item.qtype,
        "title": item.title.strip()[:300],
        "text_html": clean_html(item.text_html),
        "general_feedback_html": clean_html(item.general_feedback_html or ""),
        "data_json": json.dumps(
            clean_question_data(item.qtype, item.data), ensure_ascii=False, sort_keys=True
        ),
        "default_points": float(item.points),
    }
    tags = fold_tags(item.tags)
    question = session.scalar(
        select(Question).where(Question.code == item.code).options(selectinload(Question.versions))
    )
    if question is None:
        question = Question(code=item.code, category=category, tags=tags)
        question.versions.append(QuestionVersion(version=1, created_at=now, **content))
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
            question.versions.append(QuestionVersion(version=latest.version + 1, created_at=now, **content))
            status = "new_version"
        else:
            for key, value in content.items():
                setattr(latest, key, value)
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


# --- quizzes -------------------------------------------------------------------------------


@dataclasses.dataclass
class QuizInput:
    code: str
    title: str
    purpose: str
    owner_unit: Unit
    program_code: str | None = None
    time_limit_minutes: int | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    attempts_allowed: int = 1
    grading_method: str = "highest"
    pass_mark: float = 5.0
    shuffle_questions: bool = False
    shuffle_choices: bool = True
    navigation: str = "one_page"
    review: dict = dataclasses.field(
        default_factory=lambda: {"score": True, "right_answers": False, "feedback": True}
    )
    questions: list[tuple[str, float]] = dataclasses.field(default_factory=list)  # (code, points)
    draws: list[tuple[str, int, float]] = dataclasses.field(default_factory=list)  # (category, count, points)


def _digest(item: QuizInput) -> str:
    raw = {field.name: getattr(item, field.name) for field in dataclasses.fields(item)}
    raw["owner_unit"] = item.owner_unit.id  # not asdict(): it would deep-copy the ORM object
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


def save_quiz(session: Session, actor: Any, item: QuizInput, now: dt.datetime) -> tuple[Quiz, str]:
    """Create or update a quiz by code. A quiz that already has attempts gets a new version
    number (attempts keep their own copy of the questions, so nothing they saw changes)."""
    if item.closes_at and item.opens_at and item.closes_at <= item.opens_at:
        raise LmsError("Thời điểm đóng phải sau thời điểm mở.")
    slots = []
    for code, points in item.questions:
        question = session.scalar(select(Question).where(Question.code == code))
        if question is None:
            raise NotFound(f"Không có câu hỏi mã {code!r} trong ngân hàng.")
        slots.append(QuizSlot(question=question, points=points))
    for path, count, points in item.draws:
        available = len(questions_in_category(session, path))
        if available < count:
            raise LmsError(f"Nhóm {path!r} có {available} câu hỏi, không đủ để rút {count} câu.")
        category = get_category(session, path, create=True)  # a parent path may have no row yet
        slots += [QuizSlot(category=category, points=points) for _ in range(count)]
    if not slots:
        raise LmsError("Đề kiểm tra cần ít nhất một câu hỏi.")
    digest = _digest(item)
    quiz = session.scalar(select(Quiz).where(Quiz.code == item.code))
    status = "created"
    if quiz is not None:
        if quiz.settings_digest == digest:
            return quiz, "unchanged"
        has_attempts = session.scalar(select(exists().where(Attempt.quiz_id == quiz.id)))
        quiz.version += 1 if has_attempts else 0
        quiz.slots.clear()
        session.flush()
        status = "updated"
    else:
        quiz = Quiz(code=item.code, version=1)
        session.add(quiz)
    quiz.title, quiz.purpose, quiz.program_code = item.title, Purpose(item.purpose), item.program_code
    quiz.owner_unit = item.owner_unit
    quiz.time_limit_minutes, quiz.opens_at, quiz.closes_at = (
        item.time_limit_minutes,
        item.opens_at,
        item.closes_at,
    )
    quiz.attempts_allowed, quiz.grading_method = item.attempts_allowed, GradingMethod(item.grading_method)
    quiz.pass_mark = decimal.Decimal(str(item.pass_mark)).quantize(TWO)
    quiz.shuffle_questions, quiz.shuffle_choices = item.shuffle_questions, item.shuffle_choices
    quiz.navigation = Navigation(item.navigation)
    quiz.review_score = bool(item.review.get("score", True))
    quiz.review_right_answers = bool(item.review.get("right_answers", False))
    quiz.review_feedback = bool(item.review.get("feedback", True))
    quiz.settings_digest = digest
    for position, slot in enumerate(slots, start=1):
        slot.position = position
        quiz.slots.append(slot)
    session.flush()
    audit.record(
        session,
        actor,
        f"quiz.{status}",
        "quiz",
        quiz.id,
        after={"code": quiz.code, "version": quiz.version},
        now=now,
    )
    return quiz, status


def set_override(
    session: Session,
    actor: Any,
    quiz: Quiz,
    user: User,
    *,
    time_limit_minutes: int | None,
    attempts_allowed: int | None,
    closes_at: dt.datetime | None,
    now: dt.datetime,
) -> QuizOverride:
    override = session.scalar(
        select(QuizOverride).where(QuizOverride.quiz_id == quiz.id, QuizOverride.user_id == user.id)
    ) or QuizOverride(quiz_id=quiz.id, user_id=user.id)
    override.time_limit_minutes, override.attempts_allowed = time_limit_minutes, attempts_allowed
    override.closes_at = closes_at
    session.add(override)
    session.flush()
    audit.record(
        session,
        actor,
        "quiz.override",
        "quiz",
        quiz.id,
        now=now,
        after={
            "user": user.username,
            "time_limit": time_limit_minutes,
            "attempts": attempts_allowed,
            "closes_at": closes_at,
        },
    )
    return override


@dataclasses.dataclass
class Rules:
    """The settings that apply to one learner (quiz settings with their override)."""

    time_limit_minutes: int | None
    attempts_allowed: int
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None

    def is_open(self, now: dt.datetime) -> bool:
        return (self.opens_at is None or self.opens_at <= now) and (
            self.closes_at is None or now < self.closes_at
        )


def rules_for(session: Session, quiz: Quiz, user: User) -> Rules:
    override = session.scalar(
        select(QuizOverride).where(QuizOverride.quiz_id == quiz.id, QuizOverride.user_id == user.id)
    )
    rules = Rules(quiz.time_limit_minutes, quiz.attempts_allowed, quiz.opens_at, quiz.closes_at)
    if override:
        if override.time_limit_minutes is not None:
            rules.time_limit_minutes = override.time_limit_minutes or None
        if override.attempts_allowed is not None:
            rules.attempts_allowed = override.attempts_allowed
        if override.closes_at is not None:
            rules.closes_at = override.closes_at
    return rules


def quizzes_for_learner(session: Session, user: User) -> list[Quiz]:
    """Quizzes owned by the learner's unit or any unit above it."""
    return list(
        session.scalars(
            select(Quiz)
            .join(Quiz.owner_unit)
            .where(literal(user.unit.path).startswith(Unit.path))
            .order_by(Quiz.closes_at.is_(None), Quiz.closes_at, Quiz.title)
        )
    )


def quiz_by_public_id(session: Session, public_id: str) -> Quiz:
    quiz = session.scalar(select(Quiz).where(Quiz.public_id == public_id))
    if quiz is None:
        raise NotFound("Không tìm thấy bài kiểm tra.")
    return quiz


def attempt_by_public_id(session: Session, public_id: str) -> Attempt:
    attempt = session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    if attempt is None:
        raise NotFound("Không tìm thấy bài làm.")
    return attempt


# --- attempts ------------------------------------------------------------------------------


def profile_of(session: Session, user: User) -> CadreProfile | None:
    return session.scalar(select(CadreProfile).where(CadreProfile.user_id == user.id))


def open_attempt(session: Session, quiz: Quiz, user: User) -> Attempt | None:
    return session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.state == AttemptState.open
        )
    )


def user_attempts(session: Session, quiz: Quiz, user: User) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
            .order_by(Attempt.number)
        )
    )


def is_overdue(attempt: Attempt, now: dt.datetime) -> bool:
    return attempt.is_open and attempt.deadline is not None and now > attempt.deadline + GRACE


def remaining_seconds(attempt: Attempt, now: dt.datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def refresh_state(session: Session, attempt: Attempt, now: dt.datetime) -> Attempt:
    """Lazily close an attempt whose time is up, with what was saved."""
    if is_overdue(attempt, now):
        finish_attempt(session, attempt, now, outcome="timeout")
    return attempt


def start_attempt(session: Session, user: User, quiz: Quiz, now: dt.datetime) -> Attempt:
    """Start an attempt, or resume the open one (a second tab or a double click never forks)."""
    # the highest number and the open attempt's id in one statement (a start is once per exam,
    # but a whole province presses "Bắt đầu" within a minute)
    done, open_id = session.execute(
        select(
            func.max(Attempt.number),
            func.max(case((Attempt.state == AttemptState.open, Attempt.id))),
        ).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
    ).one()
    if open_id is not None:
        current = session.get(Attempt, open_id)
        refresh_state(session, current, now)
        if current.is_open:
            return current
    rules = rules_for(session, quiz, user)
    if not rules.is_open(now):
        raise Conflict("Bài kiểm tra này hiện không mở. Vui lòng xem thời gian mở và đóng.")
    cadre = profile_of(session, user)
    if cadre is None and quiz.purpose is not Purpose.practice:
        raise Conflict(
            "Tài khoản của bạn chưa gắn với hồ sơ cán bộ nên chưa thể làm bài kiểm tra tính điểm. "
            "Vui lòng liên hệ Ban Tổ chức để được gắn hồ sơ."
        )
    done = done or 0
    if rules.attempts_allowed and done >= rules.attempts_allowed:
        raise Conflict(f"Bạn đã làm hết {rules.attempts_allowed} lần được phép của bài kiểm tra này.")
    deadline = None
    quiz_slots = _quiz_slots(session, quiz)  # the paper's source, loaded before the INSERT
    if rules.time_limit_minutes:
        deadline = now + dt.timedelta(minutes=rules.time_limit_minutes)
    if rules.closes_at is not None:
        deadline = min(deadline, rules.closes_at) if deadline else rules.closes_at
    attempt = Attempt(
        quiz=quiz,
        quiz_version=quiz.version,
        user_id=user.id,
        cadre_id=cadre.id if cadre else None,
        number=done + 1,
        state=AttemptState.open,
        started_at=now,
        deadline=deadline,
        max_points=sum(slot.points for slot in quiz_slots),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:
        # another request started one a moment ago: resume that one
        session.expunge(attempt) if attempt in session else None
        current = open_attempt(session, quiz, user)
        if current is None:
            raise Conflict("Không thể bắt đầu bài làm lúc này. Vui lòng thử lại.") from None
        return current
    _build_slots(session, attempt, quiz, quiz_slots)
    return attempt


def _quiz_slots(session: Session, quiz: Quiz) -> list[QuizSlot]:
    """The quiz's slots with their questions and versions in three queries, not 2 per slot
    (a synchronized start of a whole province runs this once per learner)."""
    return list(
        session.scalars(
            select(QuizSlot)
            .where(QuizSlot.quiz_id == quiz.id)
            .options(selectinload(QuizSlot.question).selectinload(Question.versions))
            .order_by(QuizSlot.position)
        )
    )


def draw_questions(
    session: Session, attempt_id: int, quiz: Quiz, quiz_slots: list[QuizSlot] | None = None
) -> list[tuple[QuestionVersion, float, list]]:
    """The questions (random draws included), their order and choice orders for an attempt,
    seeded by the attempt id: the same attempt always gets the same paper."""
    rng = random.Random(attempt_id)
    if quiz_slots is None:
        quiz_slots = _quiz_slots(session, quiz)
    used: set[int] = {slot.question_id for slot in quiz_slots if slot.question_id}
    chosen: list[tuple[Question, float]] = []
    for slot in quiz_slots:
        if slot.question is not None:
            chosen.append((slot.question, slot.points))
            continue
        pool = [q for q in questions_in_category(session, slot.category.path) if q.id not in used]
        if not pool:
            raise LmsError(f"Nhóm câu hỏi {slot.category.path!r} không còn câu hỏi để rút.")
        question = pool[rng.randrange(len(pool))]
        used.add(question.id)
        chosen.append((question, slot.points))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    paper = []
    for question, points in chosen:
        version = question.latest
        order = get_type(version.qtype, version.data).initial_order(rng, quiz.shuffle_choices)
        paper.append((version, points, order))
    return paper


def _build_slots(session: Session, attempt: Attempt, quiz: Quiz, quiz_slots: list[QuizSlot]) -> None:
    """Store the paper: a reload or a later regrade sees exactly what was shown."""
    paper = draw_questions(session, attempt.id, quiz, quiz_slots)
    # one multi-row INSERT (the ORM would send one INSERT ... RETURNING per slot)
    session.execute(
        insert(AttemptSlot),
        [
            {
                "attempt_id": attempt.id,
                "position": position,
                "question_version_id": version.id,
                "points": points,
                "order_json": json.dumps(order),
            }
            for position, (version, points, order) in enumerate(paper, start=1)
        ],
    )
    session.expire(attempt, ["slots"])  # loaded from the rows above when someone reads them


def answers_of(session: Session, attempt: Attempt) -> dict[int, AttemptAnswer]:
    rows = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    return {row.position: row for row in rows}


_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str):
    """INSERT ... ON CONFLICT (attempt_id, position) DO UPDATE ... WHERE seq < excluded.seq,
    built once per dialect: the hot path of an exam only binds new values (building the
    statement anew cost as much as running it)."""
    if dialect not in _UPSERTS:
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        table = AttemptAnswer.__table__
        stmt = insert_(table)
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["attempt_id", "position"],
            set_={
                "response": stmt.excluded.response,
                "seq": stmt.excluded.seq,
                "saved_at": stmt.excluded.saved_at,
            },
            where=table.c.seq < stmt.excluded.seq,
        )
    return _UPSERTS[dialect]


def _upsert_answer(
    session: Session, attempt_id: int, position: int, response: dict, seq: int, now: dt.datetime
) -> None:
    session.execute(
        _upsert_statement(session.get_bind().dialect.name),
        {
            "attempt_id": attempt_id,
            "position": position,
            "response": json.dumps(response, ensure_ascii=False, sort_keys=True),
            "seq": seq,
            "saved_at": now,
        },
    )


MAX_POSITION = 10_000  # far above any quiz; keeps hostile numbers inside the INTEGER column


def save_answers(
    session: Session,
    attempt: Attempt,
    items: Iterable[tuple[int, Mapping[str, list[str]], int]],
    now: dt.datetime,
) -> dict:
    """Save answers given as (position, form-like fields name -> values, client sequence number).
    Idempotent; a save older than the stored one (lower seq) leaves the stored answer alone."""
    refresh_state(session, attempt, now)
    if not attempt.is_open:
        raise Conflict("Bài làm đã kết thúc; câu trả lời mới không được lưu nữa.")
    items = list(items)
    if not items:
        return {"state": "open", "saved": [], "remaining": remaining_seconds(attempt, now)}
    _check_positions(items)
    slots = {
        position: (slot.version.qtype, slot.version.data_json, slot.order_json)
        for position, slot in _slots_at(session, attempt, {position for position, _, _ in items}).items()
    }
    saved = _upsert_items(session, attempt.id, slots, items, now)
    # the upsert bypassed the ORM: answers already loaded in this session are stale
    for obj in list(session.identity_map.values()):
        if isinstance(obj, AttemptAnswer):
            session.expire(obj)
    return {"state": "open", "saved": saved, "remaining": remaining_seconds(attempt, now)}


def _check_positions(items: list) -> None:
    for position, _, _ in items:  # a position no attempt can have never reaches the database
        if not isinstance(position, int) or not 0 <= position < MAX_POSITION:
            raise LmsError(f"Bài làm không có câu {position}.")


def _upsert_items(
    session: Session, attempt_id: int, slots: dict[int, tuple[str, str, str]], items: list, now: dt.datetime
) -> list[int]:
    """The upserts of a save; ``slots``: position -> (qtype, data_json, order_json)."""
    saved = []
    for position, fields, seq in items:
        slot = slots.get(position)
        if slot is None:
            raise LmsError(f"Bài làm không có câu {position}.")
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 2**62:
            raise LmsError("Số thứ tự lưu không hợp lệ.")
        qtype, data_json, order_json = slot
        parsed = get_type(qtype, _json_load(data_json, {})).parse_form(
            fields, f"q{position}", _json_load(order_json, [])
        )
        _upsert_answer(session, attempt_id, position, parsed, seq, now)
        saved.append(position)
    return saved


@dataclasses.dataclass
class SaveTarget:
    """What an autosave needs of its attempt, read in one statement (see autosave_target)."""

    id: int
    user_id: int
    state: AttemptState
    deadline: dt.datetime | None
    slots: dict[int, tuple[str, str, str]]  # position -> (qtype, data_json, order_json)

    @property
    def is_open(self) -> bool:
        return self.state is AttemptState.open

    def overdue(self, now: dt.datetime) -> bool:
        return self.is_open and self.deadline is not None and now > self.deadline + GRACE


def autosave_target(session: Session, public_id: str, positions: set[int]) -> SaveTarget:
    """The attempt's owner, state, deadline and the slots at ``positions`` with their question
    versions: one statement and no ORM objects, instead of the attempt (with its quiz and unit)
    and the slots loaded one query each. An autosave is 20 of the ~24 requests of an exam."""
    positions = {p for p in positions if isinstance(p, int) and 0 <= p < MAX_POSITION}
    slot_join = AttemptSlot.attempt_id == Attempt.id
    slot_join = slot_join & (AttemptSlot.position.in_(positions) if positions else literal(False))
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.state,
            Attempt.deadline,
            AttemptSlot.position,
            QuestionVersion.qtype,
            QuestionVersion.data_json,
            AttemptSlot.order_json,
        )  # fmt: skip
        .select_from(Attempt)
        .outerjoin(AttemptSlot, slot_join)
        .outerjoin(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(Attempt.public_id == public_id)
    ).all()
    if not rows:
        raise NotFound("Không tìm thấy bài làm.")
    first = rows[0]
    slots = {row[4]: (row[5], row[6], row[7]) for row in rows if row[4] is not None}
    return SaveTarget(first[0], first[1], first[2], first[3], slots)


def save_to_target(
    session: Session,
    target: SaveTarget,
    items: Iterable[tuple[int, Mapping[str, list[str]], int]],
    now: dt.datetime,
) -> dict:
    """save_answers for an open attempt that is not overdue (the caller checked it, and falls
    back to save_answers, which closes it, otherwise)."""
    if not target.is_open or target.overdue(now):
        raise Conflict("Bài làm đã kết thúc; câu trả lời mới không được lưu nữa.")
    items = list(items)
    _check_positions(items)
    saved = _upsert_items(session, target.id, target.slots, items, now)
    remaining = None if target.deadline is None else max(0, int((target.deadline - now).total_seconds()))
    return {"state": "open", "saved": saved, "remaining": remaining}


def _slots_at(session: Session, attempt: Attempt, positions: set[int]) -> dict[int, AttemptSlot]:
    """The attempt's slots at these positions (an autosave sends one or a few), with their
    versions, in one query; the slots already loaded when the attempt's list is."""
    if "slots" in attempt.__dict__:
        return {slot.position: slot for slot in attempt.slots if slot.position in positions}
    rows = session.scalars(
        select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id, AttemptSlot.position.in_(positions))
    )
    return {slot.position: slot for slot in rows}


def submit_attempt(session: Session, attempt: Attempt, now: dt.datetime, actor: Any = None) -> Attempt:
    """Finish the attempt. A repeated submit returns the first outcome unchanged."""
    # lock the row and re-read it in one statement (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    # serializes writers): a submit racing the clock or a second tab sees the other's outcome
    session.execute(
        select(Attempt)
        .where(Attempt.id == attempt.id)
        .with_for_update(of=Attempt.__table__)
        .execution_options(populate_existing=True)
    ).scalar_one()
    if not attempt.is_open:
        return attempt
    # at or past the deadline (the page's timer submits at 0:00, within the grace) it is a time-up:
    # the review then says time ran out
    ended = attempt.deadline is not None and now >= attempt.deadline
    outcome = "timeout" if ended else "submitted"
    finish_attempt(session, attempt, now, outcome=outcome, actor=actor)
    return attempt


def finish_attempt(
    session: Session, attempt: Attempt, now: dt.datetime, outcome: str, actor: Any = None
) -> None:
    # an attempt closed by the clock finishes at its deadline, not when someone noticed
    finished_at = min(now, attempt.deadline) if outcome == "timeout" and attempt.deadline else now
    # read the answers and slots before finish(): their autoflush would UPDATE the attempt twice
    answers = answers_of(session, attempt)
    slots = attempt.slots
    attempt.finish(finished_at, outcome)
    for slot in slots:
        _auto_grade(slot, answers.get(slot.position))
    rescore(attempt)
    session.flush()
    record(session, attempt, actor)


def _auto_grade(slot: AttemptSlot, answer: AttemptAnswer | None) -> None:
    qtype = get_type(slot.version.qtype, slot.version.data)
    response = answer.response if answer else {}
    if qtype.manual:
        if not qtype.is_answered(response):  # nothing written: 0 points, no need to wait for a grader
            slot.fraction, slot.awarded = 0.0, 0.0
        return
    slot.fraction = qtype.grade(response)
    slot.awarded = round(slot.fraction * slot.points, 4)


def rescore(attempt: Attempt) -> None:
    attempt.pending = any(slot.awarded is None for slot in attempt.slots)
    attempt.points = round(sum(slot.awarded or 0 for slot in attempt.slots), 4)
    attempt.max_points = sum(slot.points for slot in attempt.slots)
    ratio = attempt.points / attempt.max_points if attempt.max_points else 0
    attempt.score = decimal.Decimal(str(10 * ratio)).quantize(TWO, rounding=decimal.ROUND_HALF_UP)


def record(session: Session, attempt: Attempt, actor: Any = None):
    """Write the attempt's Result (only for learners with a cadre profile)."""
    if attempt.cadre_id is None or attempt.is_open:
        return None
    from lms.results.services import record_result

    quiz = attempt.quiz
    return record_result(
        session,
        cadre=session.get(CadreProfile, attempt.cadre_id),
        kind="quiz",
        origin_id=attempt.id,
        source_id=quiz.id,
        source_version=attempt.quiz_version,
        source_title=quiz.title,
        purpose=quiz.purpose.value,
        score=attempt.score,
        passed=(not attempt.pending) and attempt.score >= quiz.pass_mark,
        pending=attempt.pending,
        finished_at=attempt.finished_at,
        program_code=quiz.program_code,
        details={
            "attempt": attempt.public_id,
            "number": attempt.number,
            "outcome": attempt.outcome,
            "points": attempt.points,
            "max_points": attempt.max_points,
        },
        actor=actor,
    )


def close_overdue(session: Session, now: dt.datetime) -> int:
    overdue = session.scalars(
        select(Attempt)
        .where(Attempt.state == AttemptState.open, Attempt.deadline < now - GRACE)
        .order_by(Attempt.id)
    ).all()
    for attempt in overdue:
        finish_attempt(session, attempt, now, outcome="timeout")
    return len(overdue)


# --- grading -------------------------------------------------------------------------------


def grading_queue(session: Session, quiz_ids_condition) -> list[AttemptSlot]:
    """Essay answers waiting for a grader, oldest first."""
    return list(
        session.scalars(
            select(AttemptSlot)
            .join(AttemptSlot.attempt)
            .where(Attempt.state == AttemptState.finished, AttemptSlot.awarded.is_(None))
            .where(quiz_ids_condition)
            .options(selectinload(AttemptSlot.attempt).selectinload(Attempt.user))
            .order_by(Attempt.finished_at, AttemptSlot.position)
        )
    )


def grade_manually(
    session: Session, actor: Any, slot: AttemptSlot, points: float, comment: str | None, now: dt.datetime
) -> AttemptSlot:
    attempt = slot.attempt
    if attempt.is_open:
        raise Conflict("Bài làm chưa nộp; chưa thể chấm.")
    if not 0 <= points <= slot.points:
        raise LmsError(f"Điểm phải từ 0 đến {slot.points:g}.")
    before = {"awarded": slot.awarded, "comment": slot.comment, "score": str(attempt.score)}
    slot.awarded, slot.fraction = float(points), float(points) / slot.points
    slot.comment = (comment or "").strip()[:5000] or None
    slot.graded_by_id, slot.graded_at = getattr(actor, "id", None), now
    rescore(attempt)
    session.flush()
    audit.record(
        session,
        actor,
        "attempt.grade",
        "quiz_attempt",
        attempt.public_id,
        now=now,
        before=before,
        after={
            "awarded": slot.awarded,
            "comment": slot.comment,
            "score": str(attempt.score),
            "position": slot.position,
        },
    )
    record(session, attempt, actor)
    return slot


def correct_key(
    session: Session, actor: Any, version: QuestionVersion, data: dict, now: dt.datetime
) -> list[dict]:
    """Correct the key of a version in place (the one allowed edit of a used version, audited),
    then regrade every finished attempt that showed it. Returns what changed."""
    problems = get_type(version.qtype, data).validate()
    if problems:
        raise LmsError("; ".join(problems))
    data = clean_question_data(version.qtype, data)
    before = version.data
    # stored responses point at choice/pair ids: the choices themselves must stay as they were
    if version.qtype in ("single", "multi") and _texts(before, "choices", "text") != _texts(
        data, "choices", "text"
    ):
        raise LmsError(
            "Sửa đáp án chỉ được đổi trọng số và phản hồi; giữ nguyên các phương án và thứ tự của chúng."
        )
    if version.qtype == "matching" and _texts(before, "pairs", "left") != _texts(data, "pairs", "left"):
        raise LmsError("Sửa đáp án câu ghép đôi phải giữ nguyên các vế trái và thứ tự của chúng.")
    version.data = data
    session.flush()
    audit.record(
        session,
        actor,
        "question.key_correction",
        "question_version",
        version.id,
        before=before,
        after=version.data,
        now=now,
    )
    return regrade_version(session, actor, version, now)


def _texts(data: dict, key: str, field: str) -> list[str]:
    return [item.get(field, "") for item in data.get(key, [])]


def regrade_version(session: Session, actor: Any, version: QuestionVersion, now: dt.datetime) -> list[dict]:
    qtype = get_type(version.qtype, version.data)
    if qtype.manual:
        return []
    slots = session.scalars(
        select(AttemptSlot)
        .join(AttemptSlot.attempt)
        .where(AttemptSlot.question_version_id == version.id, Attempt.state == AttemptState.finished)
        .order_by(Attempt.id)
    ).all()
    changes = []
    for slot in slots:
        attempt = slot.attempt
        answer = session.get(AttemptAnswer, (attempt.id, slot.position))
        old_score = attempt.score
        _auto_grade(slot, answer)
        rescore(attempt)
        if attempt.score != old_score:
            session.flush()
            change = {
                "attempt": attempt.public_id,
                "user": attempt.user.display_name,
                "before": str(old_score),
                "after": str(attempt.score),
            }
            audit.record(
                session,
                actor,
                "attempt.regrade",
                "quiz_attempt",
                attempt.public_id,
                now=now,
                before={"score": str(old_score)},
                after={"score": str(attempt.score)},
                note=f"question version {version.id}",
            )
            record(session, attempt, actor)
            changes.append(change)
    session.flush()
    return changes


def quiz_grade(scores: list[decimal.Decimal], method: GradingMethod) -> decimal.Decimal | None:
    """The learner's grade for a quiz from the scores of finished attempts (in order)."""
    if not scores:
        return None
    if method is GradingMethod.highest:
        return max(scores)
    if method is GradingMethod.first:
        return scores[0]
    if method is GradingMethod.last:
        return scores[-1]
    return (sum(scores) / len(scores)).quantize(TWO, rounding=decimal.ROUND_HALF_UP)


def finished_attempts(session: Session, quiz: Quiz) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.finished)
            .options(selectinload(Attempt.user), selectinload(Attempt.cadre))
            .order_by(Attempt.user_id, Attempt.number)
        )
    )
