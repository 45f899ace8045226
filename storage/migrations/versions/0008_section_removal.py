"""list sections can be removed, and removing one never takes history with it

A removed section keeps its row, with who removed it and when (`removed_at`, `removed_by`), as a
removed entry does: the entries taken off the list while in it, and the nominations approved
into it, still say where they were. And the database itself refuses to delete a section any
entry (live or removed) still names: `list_entries.section_id` no longer cascades.

Revision ID: 0008_section_removal
Revises: 0007_ranking
Create Date: 2026-12-02 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_section_removal"
down_revision: str | None = "0007_ranking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTRY_SECTION = "fk_list_entries_section_id_list_sections"


def upgrade() -> None:
    with op.batch_alter_table("list_sections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.drop_constraint(ENTRY_SECTION, type_="foreignkey")
        batch_op.create_foreign_key(ENTRY_SECTION, "list_sections", ["section_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.drop_constraint(ENTRY_SECTION, type_="foreignkey")
        batch_op.create_foreign_key(
            ENTRY_SECTION, "list_sections", ["section_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("list_sections", schema=None) as batch_op:
        batch_op.drop_column("removed_by")
        batch_op.drop_column("removed_at")
