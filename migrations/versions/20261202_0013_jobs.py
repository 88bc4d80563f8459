"""job queue: the job table (owner, unit, progress, attempts, result file)

Revision ID: 20261202_0013
Revises: 20261202_0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from lms.db import UTCDateTime

revision = "20261202_0013"
down_revision = "20261202_0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                "expired",
                name="jobstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result_file", sa.String(200), nullable=True),
        sa.Column("result_name", sa.String(200), nullable=True),
        sa.Column("result_mime", sa.String(120), nullable=True),
        sa.Column("result_size", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("enqueued_at", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name=op.f("ck_job_progress_range")),
        sa.CheckConstraint(
            "attempts >= 0 AND attempts <= max_attempts", name=op.f("ck_job_attempts_bounded")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name=op.f("fk_job_owner_id_user_account")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_job_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("public_id", name=op.f("uq_job_public_id")),
    )
    op.create_index("ix_job_kind", "job", ["kind"])
    op.create_index("ix_job_owner_id", "job", ["owner_id"])
    op.create_index("ix_job_status", "job", ["status"])
    op.create_index("ix_job_created_at", "job", ["created_at"])
    op.create_index("ix_job_status_heartbeat", "job", ["status", "heartbeat_at"])


def downgrade() -> None:
    op.drop_index("ix_job_status_heartbeat", table_name="job")
    op.drop_index("ix_job_created_at", table_name="job")
    op.drop_index("ix_job_status", table_name="job")
    op.drop_index("ix_job_owner_id", table_name="job")
    op.drop_index("ix_job_kind", table_name="job")
    op.drop_table("job")
