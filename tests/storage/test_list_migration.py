"""The migrations build exactly the schema the table classes describe (revision 0006 included)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.store import SqlStore
from storage.tables import Base


async def test_models_and_migrations_agree(store: SqlStore) -> None:
    async with store.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []
