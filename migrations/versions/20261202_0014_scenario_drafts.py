"""scenario drafts (a free-text answer is saved as it is typed); quiz question flags

Revision ID: 20261202_0014
Revises: 20261202_0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from lms.db import UTCDateTime

revision = "20261202_0014"
down_revision = "20261202_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("saved_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["scenario_run.id"],
            name=op.f("fk_scenario_draft_run_id_scenario_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_draft")),
        sa.UniqueConstraint("run_id", "node_id", name=op.f("uq_scenario_draft_run_id_node_id")),
    )
    with op.batch_alter_table("scenario_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_draft_run_id"), ["run_id"], unique=False)
    with op.batch_alter_table("quiz_attempt_slot") as batch_op:
        batch_op.add_column(sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempt_slot") as batch_op:
        batch_op.drop_column("flagged")
    with op.batch_alter_table("scenario_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_draft_run_id"))
    op.drop_table("scenario_draft")
