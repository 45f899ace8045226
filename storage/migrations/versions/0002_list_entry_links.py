"""List entries: further links, and entries without any link (title-only items of a list)

Hand-kept lists have entries with only a title ("[MLSys'22] Plumber: ..."); importing them must
keep them, so the check that every entry has a paper or a link goes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 05:58:39.181933
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links", sa.JSON(), nullable=True))
        batch_op.drop_constraint(op.f("ck_list_entries_paper_or_link"), type_="check")


def downgrade() -> None:
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_list_entries_paper_or_link"),
            "paper_id IS NOT NULL OR external_url IS NOT NULL",
        )
        batch_op.drop_column("links")
