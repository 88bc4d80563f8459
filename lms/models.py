"""Imports every feature's models so that Base.metadata is complete (Alembic, tests)."""

from lms.audit import AuditEntry  # noqa: F401
from lms.auth.models import LoginFailure, User  # noqa: F401
from lms.db import Base  # noqa: F401
from lms.evaluation.models import (  # noqa: F401
    Assessment,
    EvaluationRecord,
    EvaluationScheme,
    EvaluationSnapshot,
    PlanningDecision,
    PlanningLimit,
    SurveyResponse,
)
from lms.jobs.models import Job  # noqa: F401
from lms.org.models import (  # noqa: F401
    CadreProfile,
    CadreQualification,
    QualificationLevel,
    TargetGroup,
    Title,
    TitleStandard,
    Unit,
)
from lms.programs.models import (  # noqa: F401
    Attachment,
    Attendance,
    Cohort,
    CohortSession,
    Enrollment,
    Lesson,
    Program,
    ProgramTopic,
    Topic,
    TopicProgress,
    TopicVersion,
    TrainingNeed,
)
from lms.quizzes.models import (  # noqa: F401
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    Question,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizOverride,
    QuizSlot,
)
from lms.quizzes.stored_stats import StoredStats  # noqa: F401
from lms.results.models import Result  # noqa: F401
from lms.scenarios.models import Scenario, ScenarioResponse, ScenarioRun, ScenarioStep  # noqa: F401
