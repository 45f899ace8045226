"""shown_papers: each paper a channel has been shown, keyed by channel, derived from digest items

"Shown here before" was looked up among the channel's digests, each probed for the paper: a cost
per candidate that grows with the channel's history. Keyed (workspace, channel, paper), it is one
probe, and PostgreSQL can plan it as a join over the channel's rows. Filled here from the digests
already stored (their items, not their overflow; the first digest that showed each paper).

Revision ID: 0009_shown_papers
Revises: 0008_section_removal
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_shown_papers"
down_revision: str | None = "0008_section_removal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shown_papers",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("paper_id", sa.String(length=40), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["digests.id"],
            name=op.f("fk_shown_papers_digest_id_digests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.arxiv_id"],
            name=op.f("fk_shown_papers_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_shown_papers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "channel_id", "paper_id", name=op.f("pk_shown_papers")
        ),
    )
    op.create_index(op.f("ix_shown_papers_digest_id"), "shown_papers", ["digest_id"], unique=False)
    op.execute(
        "INSERT INTO shown_papers (workspace_id, channel_id, paper_id, digest_id)"
        " SELECT d.workspace_id, d.channel_id, i.paper_id, MIN(d.id)"
        " FROM digests d JOIN digest_items i ON i.digest_id = d.id"
        " WHERE NOT i.overflow GROUP BY d.workspace_id, d.channel_id, i.paper_id"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shown_papers_digest_id"), table_name="shown_papers")
    op.drop_table("shown_papers")
