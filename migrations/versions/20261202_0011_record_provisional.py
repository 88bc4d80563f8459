"""evaluation records name the components a provisional total still lacks

Revision ID: 20261202_0011
Revises: 20261123_0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0011"
down_revision = "20261123_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation_record") as batch:
        batch.add_column(sa.Column("missing_components", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("pending_components", sa.String(120), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("evaluation_record") as batch:
        batch.drop_column("pending_components")
        batch.drop_column("missing_components")
