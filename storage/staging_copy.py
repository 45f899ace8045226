"""PostgreSQL bulk writes: COPY rows into a temporary table shaped like the target, so one
`INSERT ... SELECT ... ON CONFLICT` takes them all (executemany costs a round trip a row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection


async def copy_to_staging(
    connection: AsyncConnection,
    staging: str,
    like: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    """Create the temporary table `staging` like table `like` (with its defaults) for this
    transaction and COPY `rows`, in `columns` order, into it. The caller inserts from it and
    then drops it, so a second write in the same transaction can stage again."""
    await connection.exec_driver_sql(
        f"CREATE TEMP TABLE {staging} (LIKE {like} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None  # the psycopg connection under the session's transaction
    async with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {staging} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            await copy.write_row(row)
