"""The Alembic migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from storage.tables import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(_differences)
        assert diff == []
        assert await current_revision(engine) is not None
    finally:
        await engine.dispose()


async def test_upgrade_twice_is_harmless(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        first = await current_revision(engine)
        await upgrade(engine)
        assert await current_revision(engine) == first
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_database_url: str) -> None:
    engine = create_engine(sqlite_database_url)
    try:
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
        assert (mode, keys) == ("wal", 1)
    finally:
        await engine.dispose()


async def _upgrade_over(engine: AsyncEngine, before: str, rows: Sequence[str], to: str) -> None:
    """Migrate to `before`, write `rows` as a database of then held them, migrate to `to`."""
    await upgrade(engine, before)
    async with engine.begin() as connection:
        for row in rows:
            await connection.execute(text(row))
    await upgrade(engine, to)
    assert await current_revision(engine) == to


async def test_0008_keeps_the_list_and_stops_sections_cascading_into_entries(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    rows = (
        "INSERT INTO workspaces (id, platform, external_id, name, nomination_emoji, timezone,"
        " digest_weekday, digest_time, list_title, list_style, created_at) VALUES (1, 'console',"
        " 'lab', 'Lab', 'star', 'UTC', 0, '09:00:00', 'L', 'llmsys', '2026-06-01T00:00:00+00:00')",
        "INSERT INTO list_sections (id, workspace_id, title, position) VALUES (1, 1, 'S', 0)",
        "INSERT INTO list_entries (id, workspace_id, section_id, external_url, title, position,"
        " added_at, removed_at) VALUES (1, 1, 1, 'u:a', 'A', 0, '2026-06-01T00:00:00+00:00',"
        " '2026-06-02T00:00:00+00:00')",
    )
    try:
        await _upgrade_over(engine, "0007_ranking", rows, "0008_section_removal")
        async with engine.connect() as connection:
            kept = await connection.execute(
                text(
                    "SELECT s.title, s.removed_at, e.title FROM list_sections s"
                    " JOIN list_entries e ON e.section_id = s.id"
                )
            )
            assert kept.all() == [("S", None, "A")]
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("DELETE FROM list_sections WHERE id = 1"))
    finally:
        await engine.dispose()


async def test_0009_derives_each_channels_shown_papers_from_the_digests_stored(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    at = "'2026-06-01T00:00:00+00:00'"
    digest = (
        "INSERT INTO digests (id, workspace_id, channel_id, window_end, subscription_ids,"
        " topic_names, more_matched, left_out_on_list, left_out_already_shown, created_at)"
        f" VALUES ({{}}, 1, '{{}}', {at}, '[]', '[]', 0, 0, 0, {at})"
    )
    item = (
        "INSERT INTO digest_items (digest_id, paper_id, topic_name, rank, score, terms, overflow)"
        " VALUES ({}, '{}', 't', 0, 1.0, '[]', {})"
    )
    rows = (
        "INSERT INTO workspaces (id, platform, external_id, name, nomination_emoji, timezone,"
        " digest_weekday, digest_time, list_title, list_style, created_at) VALUES (1, 'console',"
        f" 'lab', 'Lab', 'star', 'UTC', 0, '09:00:00', 'L', 'llmsys', {at})",
        *(
            "INSERT INTO papers (arxiv_id, version, title, abstract, authors, categories,"
            " primary_category, submitted, updated, links, stored_at)"
            f" VALUES ('{paper}', 1, 'T', 'A', '[]', '[]', 'cs.DC', {at}, {at}, '[]', {at})"
            for paper in ("p1", "p2", "p3")
        ),
        digest.format(1, "C1"),
        digest.format(2, "C1"),
        digest.format(3, "C2"),
        item.format(1, "p1", "false"),
        item.format(1, "p2", "true"),  # overflow: not shown
        item.format(2, "p1", "false"),  # shown twice: the first digest is kept
        item.format(2, "p3", "false"),
        item.format(3, "p2", "false"),
    )
    try:
        await _upgrade_over(engine, "0008_section_removal", rows, "0009_shown_papers")
        async with engine.connect() as connection:
            shown = await connection.execute(
                text("SELECT channel_id, paper_id, digest_id FROM shown_papers ORDER BY 1, 2")
            )
            assert shown.all() == [("C1", "p1", 1), ("C1", "p3", 2), ("C2", "p2", 3)]
    finally:
        await engine.dispose()
