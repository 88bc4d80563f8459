"""Question bank, quizzes, attempts, grading: the feature's service layer in one import.

The code lives by concern in ``bank``, ``quiz_rules``, ``attempts``, ``auto_grading`` and
``grading``; this module re-exports their public names so callers keep writing
``services.start_attempt(...)``. Plain functions: session, actor and clock come in; they flush, never commit.
"""

from lms.quizzes.attempts import (  # noqa: F401
    GRACE,
    MAX_POSITION,
    answers_of,
    close_overdue,
    draw_questions,
    finish_attempt,
    is_overdue,
    open_attempt,
    profile_of,
    record,
    refresh_state,
    remaining_seconds,
    save_answers,
    start_attempt,
    submit_attempt,
    user_attempts,
)
from lms.quizzes.auto_grading import auto_grade, rescore  # noqa: F401
from lms.quizzes.autosave import (  # noqa: F401
    PaperCache,
    SaveTarget,
    autosave_target,
    save_guarded,
    save_to_target,
)
from lms.quizzes.bank import (  # noqa: F401
    CODE_MAX,
    QuestionInput,
    bank_questions,
    bank_tags,
    check_question,
    clean_question_data,
    fold_tag,
    fold_tags,
    get_category,
    normalize_category_path,
    question_by_code,
    questions_in_category,
    save_question,
    version_used,
)
from lms.quizzes.grading import (  # noqa: F401
    correct_key,
    finished_attempts,
    grade_manually,
    grading_queue,
    quiz_grade,
    regrade_version,
)
from lms.quizzes.quiz_rules import (  # noqa: F401
    TWO,
    QuizInput,
    Rules,
    attempt_by_public_id,
    close_now,
    quiz_by_public_id,
    quizzes_for_learner,
    rules_for,
    save_quiz,
    set_override,
)
