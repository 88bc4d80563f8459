"""stored quiz statistics (computed by the quiz_stats job when an exam closes)

Revision ID: 20261203_0017
Revises: 20261202_0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from lms.db import UTCDateTime

revision = "20261203_0017"
down_revision = "20261202_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=24), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quiz.id"], name=op.f("fk_quiz_stats_quiz_id_quiz"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_stats")),
        sa.UniqueConstraint("quiz_id", name=op.f("uq_quiz_stats_quiz_id")),
    )


def downgrade() -> None:
    op.drop_table("quiz_stats")
