"""export-all / import-all: a lived-in database (the demo's week, a rejected nomination, a list
entry removed, a paused channel, harvest watermarks) moves SQLite -> PostgreSQL -> SQLite with
every row of every table as it was, ids included; bad files and non-empty targets change nothing."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.demo.script import run_demo
from digest.clock import FixedClock
from digest.models import NominationStatus, Platform
from storage.backup import (
    FORMAT,
    BackupError,
    encode_row,
    export_all,
    import_all,
    read_export,
    tables,
)
from storage.engine import create_engine, sqlite_url
from storage.migrate import upgrade
from storage.store import SqlStore
from tests.conftest import _postgres_or_skip, _reset_postgres

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
DAY = date(2000, 1, 1)


async def _lived_in(folder: Path) -> str:
    """The demo's database, with what the demo does not make besides."""
    await run_demo(io.StringIO(), folder)
    url = sqlite_url(folder / "demo.db")
    store = SqlStore(create_engine(url), FixedClock(NOW))
    try:
        async with store.unit() as unit:
            [workspace] = await unit.workspaces.all()
            papers = [p.arxiv_id for p in await unit.papers.announced_between(DAY, DAY.max)]
            rejected = await unit.nominations.create(workspace.id, papers[-1], NOW)
            await unit.nominations.add_vote(rejected.id, "cy", "command", NOW)
            await unit.nominations.decide(
                rejected.id, NominationStatus.REJECTED, "ada", "off topic — ünïcode", NOW
            )
            parent = await unit.lists.add_section(workspace.id, "Training", None)
            child = await unit.lists.add_section(workspace.id, "Kernels", parent.id)
            gone = await unit.lists.add_entry(
                workspace.id, child.id, "An old entry", NOW, external_url="https://example.org/x"
            )
            await unit.lists.remove_entry(gone.id, "ada", NOW + timedelta(minutes=1))
            [subscription, *_] = await unit.subscriptions.all_active()
            await unit.subscriptions.set_paused(subscription.id, True, "channel gone")
            await unit.harvest.set_watermark("cs.DC", NOW - timedelta(days=1))
    finally:
        await store.close()
    return url


async def _table_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, read plainly, in primary-key order."""
    engine = create_engine(url)
    found = {}
    try:
        async with engine.connect() as connection:
            for table in tables():
                order = list(table.primary_key.columns)
                result = await connection.execute(select(table).order_by(*order))
                found[table.name] = [encode_row(table, row) for row in result.mappings()]
    finally:
        await engine.dispose()
    return found


async def _export(url: str) -> str:
    engine = create_engine(url)
    out = io.StringIO()
    try:
        await export_all(engine, out, NOW)
    finally:
        await engine.dispose()
    return out.getvalue()


async def _import(url: str, text: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        return await import_all(engine, read_export(io.StringIO(text)))
    finally:
        await engine.dispose()


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> str:
    """An empty PostgreSQL database (its schema dropped and made again)."""
    _postgres_or_skip()
    url: str = request.getfixturevalue("pg_database")
    _reset_postgres(url)
    return url


async def test_sqlite_to_postgresql_and_back_keeps_every_row_of_every_table(
    tmp_path: Path, postgres_url: str
) -> None:
    source = await _lived_in(tmp_path / "source")
    before = await _table_rows(source)
    for name in ("workspaces", "topics", "subscriptions", "digests", "digest_items", "outbox"):
        assert before[name], f"the demo made no {name}"
    for name in ("posted_messages", "nominations", "nomination_votes", "list_sections"):
        assert before[name], f"the demo made no {name}"
    assert any(row["removed_at"] for row in before["list_entries"])
    assert {row["status"] for row in before["nominations"]} >= {"approved", "rejected"}

    exported = await _export(source)
    document = json.loads(exported)
    assert (document["format"], document["version"]) == (FORMAT, 1)
    assert document["schema"]
    counts = await _import(postgres_url, exported)
    assert counts == {name: len(rows) for name, rows in before.items()}
    assert await _table_rows(postgres_url) == before

    # And back to a new SQLite file; the export of either is the same document.
    again = await _export(postgres_url)
    assert json.loads(again) == document
    target = sqlite_url(tmp_path / "target.db")
    await _import(target, again)
    assert await _table_rows(target) == before


async def test_an_export_made_before_shown_papers_existed_gets_them_from_its_digests(
    tmp_path: Path,
) -> None:
    source = await _lived_in(tmp_path / "source")
    before = await _table_rows(source)
    assert before["shown_papers"], "the demo's digests showed no papers"
    document = json.loads(await _export(source))
    del document["tables"]["shown_papers"]
    document["schema"] = "0008_section_removal"
    target = sqlite_url(tmp_path / "target.db")
    counts = await _import(target, json.dumps(document))
    assert counts["shown_papers"] == len(before["shown_papers"])
    assert await _table_rows(target) == before


async def test_new_rows_after_an_import_into_postgresql_get_new_ids(
    tmp_path: Path, postgres_url: str
) -> None:
    exported = await _export(await _lived_in(tmp_path / "source"))
    await _import(postgres_url, exported)
    store = SqlStore(create_engine(postgres_url), FixedClock(NOW))
    try:
        async with store.unit() as unit:
            [workspace] = await unit.workspaces.all()
            topic = await unit.topics.create(workspace.id, "new-one", "ti:llm", "", "ada")
            section = await unit.lists.add_section(workspace.id, "New", None)
        highest = json.loads(exported)["tables"]
        assert topic.id > max(row["id"] for row in highest["topics"])
        assert section.id > max(row["id"] for row in highest["list_sections"])
    finally:
        await store.close()


async def test_an_import_refuses_a_database_with_rows_and_bad_files_and_writes_nothing(
    tmp_path: Path,
) -> None:
    source = await _lived_in(tmp_path / "source")
    exported = await _export(source)
    with pytest.raises(BackupError, match="not empty"):
        await _import(source, exported)

    target = sqlite_url(tmp_path / "target.db")
    document = json.loads(exported)
    bad = [
        ("{", "broken JSON"),
        (json.dumps({"format": "other"}), "not a paperbot export"),
        (json.dumps({**document, "version": 2}), "format version 2"),
        (json.dumps({**document, "schema": "9999_future"}), "does not know"),
        (json.dumps({**document, "tables": {"mystery": []}}), "does not"),
    ]
    broken_row = json.loads(exported)
    broken_row["tables"]["topics"][0]["colour"] = "red"
    bad.append((json.dumps(broken_row), "has no column colour"))
    # A row whose parent is missing fails the whole import (foreign keys), rolled back.
    orphan = json.loads(exported)
    orphan["tables"]["workspaces"] = []
    bad.append((json.dumps(orphan), "does not hold together"))
    for text, message in bad:
        with pytest.raises(BackupError, match=message):
            await _import(target, text)
    assert all(rows == [] for rows in (await _table_rows(target)).values())


def test_the_commands_move_a_database_and_say_what_they_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = asyncio.run(_lived_in(tmp_path / "source"))
    backup = tmp_path / "backup.json"
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", source)
    assert main(["--env-file", "/dev/null", "export-all", "-o", str(backup)]) == 0
    said = capsys.readouterr().err
    assert said.startswith("exported ") and "1 workspaces" in said and str(backup) in said
    assert not (tmp_path / "backup.json.partial").exists()
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", sqlite_url(tmp_path / "moved.db"))
    assert main(["--env-file", "/dev/null", "import-all", str(backup)]) == 0
    assert capsys.readouterr().err.startswith("imported ")
    assert main(["--env-file", "/dev/null", "import-all", str(backup)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert main(["--env-file", "/dev/null", "import-all", str(tmp_path / "none.json")]) == 1
    assert "cannot read" in capsys.readouterr().err
    moved = asyncio.run(_table_rows(sqlite_url(tmp_path / "moved.db")))
    assert moved == asyncio.run(_table_rows(source))
    assert Platform.CONSOLE.value in {row["platform"] for row in moved["workspaces"]}
