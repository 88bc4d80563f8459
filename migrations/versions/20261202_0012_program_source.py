"""programs say where their frame comes from (source, source titles) and how they are delivered

Revision ID: 20261202_0012
Revises: 20261202_0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0012"
down_revision = "20261202_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program") as batch:
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source_titles", sa.Text(), nullable=True))
        batch.add_column(sa.Column("delivery", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("program") as batch:
        batch.drop_column("delivery")
        batch.drop_column("source_titles")
        batch.drop_column("source")
