"""List layout: what an exact round trip of an imported list needs

Each entry keeps its lines as written (and the fingerprint of the fields they were read as), the
lines under it (children), the venue tag and arXiv link as written; each section its heading and
what followed; each workspace what its list held before the first section, and in which style.

Revision ID: 0006_list_layout
Revises: 0005_publish
Create Date: 2026-12-02 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_list_layout"
down_revision: str | None = "0005_publish"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "list_layouts",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("style", sa.String(length=32), nullable=False),
        sa.Column("preamble", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_list_layouts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_list_layouts")),
    )
    with op.batch_alter_table("list_sections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("layout", sa.JSON(), nullable=True))
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("venue_tag", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("arxiv_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("children", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("layout", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.drop_column("layout")
        batch_op.drop_column("children")
        batch_op.drop_column("arxiv_url")
        batch_op.drop_column("venue_tag")
    with op.batch_alter_table("list_sections", schema=None) as batch_op:
        batch_op.drop_column("layout")
    op.drop_table("list_layouts")
