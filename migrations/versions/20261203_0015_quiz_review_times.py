"""quiz review options by time: score, right answers and feedback each get a mask of
immediately (1) / later (2) / after close (4) in place of a boolean

Revision ID: 20261203_0015
Revises: 20261203_0016
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_0015"
down_revision = "20261203_0016"  # chained after the other migrations of 2026-12-03 at merge
branch_labels = None
depends_on = None

PARTS = ("score", "right_answers", "feedback")


def upgrade() -> None:
    with op.batch_alter_table("quiz") as batch:
        for part in PARTS:
            batch.add_column(
                sa.Column(f"review_{part}_when", sa.Integer(), nullable=False, server_default="0")
            )
    # the old True meant "every time" (all three bits), False "never"
    for part in PARTS:
        op.execute(f"UPDATE quiz SET review_{part}_when = CASE WHEN review_{part} THEN 7 ELSE 0 END")
    with op.batch_alter_table("quiz") as batch:
        for part in PARTS:
            batch.drop_column(f"review_{part}")


def downgrade() -> None:
    with op.batch_alter_table("quiz") as batch:
        for part in PARTS:
            batch.add_column(
                sa.Column(f"review_{part}", sa.Boolean(), nullable=False, server_default=sa.false())
            )
    # any time at all becomes True: the old page showed the part whenever the attempt was closed
    for part in PARTS:
        op.execute(f"UPDATE quiz SET review_{part} = (review_{part}_when <> 0)")
    with op.batch_alter_table("quiz") as batch:
        for part in PARTS:
            batch.drop_column(f"review_{part}_when")
