"""question attachments: the images of a question version (Moodle @@PLUGINFILE@@ files)

Revision ID: 20261203_0016
Revises: 20261203_0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_0016"
down_revision = "20261203_0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_question_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_version_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_version_id"],
            ["quiz_question_version.id"],
            name=op.f("fk_quiz_question_attachment_question_version_id_quiz_question_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_question_attachment")),
        sa.UniqueConstraint(
            "question_version_id", "name", name=op.f("uq_quiz_question_attachment_question_version_id_name")
        ),
    )
    with op.batch_alter_table("quiz_question_attachment") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quiz_question_attachment_question_version_id"), ["question_version_id"]
        )
        batch_op.create_index(batch_op.f("ix_quiz_question_attachment_sha256"), ["sha256"])


def downgrade() -> None:
    op.drop_table("quiz_question_attachment")
