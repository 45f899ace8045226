"""digest overflow and outbox claims

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 05:56:09.940055
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("overflow", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("in_doubt", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("in_doubt")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claim_token")

    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.drop_column("overflow")
