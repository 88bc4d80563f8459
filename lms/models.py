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
from lms.org.models import (  # noqa: F401
    CadreProfile,
    CadreQualification,
    QualificationLevel,
    TargetGroup,
    Title,
    TitleStandard,
    Unit,
)
from lms.results.models import Result  # noqa: F401
