"""merge the feature branches (programs, quizzes, scenarios, evaluation) into one head

Revision ID: 20261123_0010
Revises: 20261123_0002, 20261123_0003, 20261123_0004, 20261123_0005
Create Date: 2026-11-23
"""

revision = "20261123_0010"
down_revision = ("20261123_0002", "20261123_0003", "20261123_0004", "20261123_0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
