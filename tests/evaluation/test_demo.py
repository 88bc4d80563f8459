from sqlalchemy import func, select

from lms.evaluation.demo import load_content
from lms.evaluation.models import EvaluationScheme


def test_demo_step_is_idempotent(session):
    first = load_content(session)
    count = session.scalar(select(func.count(EvaluationScheme.id)))
    assert load_content(session) == first
    assert session.scalar(select(func.count(EvaluationScheme.id))) == count
    assert "program schemes" in first
