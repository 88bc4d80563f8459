"""Domain rules for programs, topics, cohorts, progress and training needs.

Plain functions over a session, the acting user and the clock; they flush, never commit.

This module is a facade kept so that every ``from lms.programs.services import …`` (and
``services as svc``) keeps working; the code lives by concern in topics, attachments,
curriculum (programs), cohorts, attendance, study_progress (a learner's courses) and needs.
"""

from __future__ import annotations

from lms.programs.attachments import (  # noqa: F401
    ATTACHMENT_TYPES,
    add_attachment,
    remove_attachment,
    sniff_type,
)
from lms.programs.attendance import (  # noqa: F401
    attendance_map,
    attendance_summary,
    record_all_present,
    record_attendance,
)
from lms.programs.cohorts import (  # noqa: F401
    cohort_csv,
    cohort_for_result,
    cohorts_for,
    create_cohort,
    enroll,
    get_cohort,
    progress_map,
    roster,
)
from lms.programs.curriculum import (  # noqa: F401
    get_program,
    save_program,
)

# names the old module imported that callers reach through it (svc.TopicProgress)
from lms.programs.models import (  # noqa: F401
    ATTENDANCE_LABELS,
    FIELDS,
    Attachment,
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortSession,
    Enrollment,
    Lesson,
    Program,
    ProgramTopic,
    Topic,
    TopicKind,
    TopicProgress,
    TopicVersion,
    TrainingNeed,
    VersionStatus,
)
from lms.programs.needs import (  # noqa: F401
    file_need,
    needs_summary,
)
from lms.programs.study_progress import (  # noqa: F401
    BEACON_CAP_SECONDS,
    NextStep,
    add_time,
    learner_enrollment_for,
    mark_studied,
    my_enrollments,
    next_step,
    profile_of,
    progress_for,
    require_learner_access,
)
from lms.programs.topics import (  # noqa: F401
    _check_topic_fields,
    _fill,
    _transition,
    approve_version,
    changes_since_published,
    create_topic,
    edit_topic,
    get_topic,
    get_version,
    new_draft,
    publish_version,
    return_version,
    submit_version,
)

__all__ = [
    "get_topic",
    "get_version",
    "_check_topic_fields",
    "_fill",
    "create_topic",
    "edit_topic",
    "new_draft",
    "_transition",
    "submit_version",
    "approve_version",
    "return_version",
    "publish_version",
    "changes_since_published",
    "ATTACHMENT_TYPES",
    "sniff_type",
    "add_attachment",
    "remove_attachment",
    "get_program",
    "save_program",
    "get_cohort",
    "create_cohort",
    "enroll",
    "roster",
    "cohort_for_result",
    "progress_map",
    "cohort_csv",
    "cohorts_for",
    "attendance_map",
    "record_attendance",
    "record_all_present",
    "attendance_summary",
    "BEACON_CAP_SECONDS",
    "profile_of",
    "my_enrollments",
    "learner_enrollment_for",
    "progress_for",
    "mark_studied",
    "add_time",
    "NextStep",
    "next_step",
    "require_learner_access",
    "file_need",
    "needs_summary",
]
