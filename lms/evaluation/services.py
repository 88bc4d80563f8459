"""Evaluation rules: schemes, record computation, finalization, corrections, assessments,
planning decisions. Plain functions over a session; they flush, the caller commits.

The system recommends, the board decides: nothing here changes a planning status except
``decide``, which a board member calls with a written reason.

This module is a facade kept so that every ``from lms.evaluation.services import …`` keeps
working; the code lives by concern in numbers, schemes, records, finalization, assessments,
planning, survey and subscriptions (the lms/events.py receivers, connected by importing it).
"""

from __future__ import annotations

# inputs: tests patch ``services.inputs``; subscriptions: importing it connects the receivers
from lms.evaluation import inputs, subscriptions  # noqa: F401
from lms.evaluation.assessments import (  # noqa: F401
    save_assessment,
)
from lms.evaluation.finalization import (  # noqa: F401
    MIN_CORRECTION_REASON,
    correct,
    finalize,
    latest_snapshot,
    snapshot_data,
)
from lms.evaluation.numbers import (  # noqa: F401
    TWO,
    D,
    _number,
    q2,
)
from lms.evaluation.planning import (  # noqa: F401
    MIN_DECISION_REASON,
    decide,
    decisions_for,
    limit_warning,
    planning_limit,
    pool_count,
)
from lms.evaluation.records import (  # noqa: F401
    _best_per_key,
    _certificate,
    _gains,
    _inputs,
    _source,
    band_for,
    compute,
    pairs_to_evaluate,
    recommend,
    recompute,
    recompute_all,
    recompute_for_result,
    recompute_program,
)
from lms.evaluation.schemes import (  # noqa: F401
    DEFAULT_BANDS,
    DEFAULT_RULES,
    DEFAULT_WEIGHTS,
    FAIL_BAND,
    RULE_CONDITIONS,
    _check_rule,
    _program_records,
    ensure_scheme,
    latest_scheme,
    normalize_scheme,
    scheme_content,
    scheme_for,
)
from lms.evaluation.survey import (  # noqa: F401
    may_answer_survey,
    submit_survey,
)

__all__ = [
    "D",
    "TWO",
    "q2",
    "_number",
    "DEFAULT_WEIGHTS",
    "DEFAULT_BANDS",
    "FAIL_BAND",
    "RULE_CONDITIONS",
    "DEFAULT_RULES",
    "normalize_scheme",
    "_check_rule",
    "scheme_content",
    "latest_scheme",
    "ensure_scheme",
    "scheme_for",
    "_program_records",
    "_source",
    "_best_per_key",
    "band_for",
    "compute",
    "_certificate",
    "_gains",
    "recommend",
    "_inputs",
    "recompute",
    "recompute_for_result",
    "pairs_to_evaluate",
    "recompute_all",
    "recompute_program",
    "MIN_CORRECTION_REASON",
    "snapshot_data",
    "latest_snapshot",
    "finalize",
    "correct",
    "save_assessment",
    "MIN_DECISION_REASON",
    "planning_limit",
    "pool_count",
    "limit_warning",
    "decide",
    "decisions_for",
    "may_answer_survey",
    "submit_survey",
]
