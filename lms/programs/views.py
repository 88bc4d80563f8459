"""Programs, topics (authoring and approval), my training, cohorts and training needs.

Each view: load → authorize → validate → act (service) → commit once → respond.

The routes live by concern in content_views (staff lists, programs), topic_views (authoring,
approval), attachment_views, learner_views (my training), cohort_views and need_views, all on
the blueprint of ``lms.programs.blueprint``; importing them here registers them. This module is
what create_app imports.
"""

from __future__ import annotations

from lms.programs import (  # noqa: F401  (register the rules, the learner's programs and the routes)
    attachment_views,
    cohort_views,
    content_views,
    learner,
    learner_views,
    need_views,
    permissions,
    topic_views,
)
from lms.programs.blueprint import bp

__all__ = ["bp"]
