"""`paperbot list import --fetch` and `paperbot list enrich` against a local arXiv server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.__main__ import main
from digest.clock import SystemClock
from digest.models import OutboxMessage, Paper, Platform
from storage.engine import create_engine
from storage.store import SqlStore
from tests.digest.arxiv_server import ApiServer, IdIndex, Reply
from tests.digest.atom import Entry

LIST = """# Our reading list

## Serving
- [vLLM](https://arxiv.org/abs/2309.06180): PagedAttention | SOSP' 23
- [Orca](https://example.org/orca): Iteration-level scheduling | OSDI 22
- [Missing](https://arxiv.org/abs/2401.00002)
"""


@pytest.fixture
def api() -> Iterator[ApiServer]:
    """vLLM's record, whose comment names another venue than the list."""
    entry = Entry("2309.06180", version=1, title="Efficient Memory Management", comment="OSDI 2023")
    server = ApiServer(IdIndex([entry])).start()
    yield server
    server.stop()


@pytest.fixture
async def cli_env(
    sqlite_store: SqlStore,
    sqlite_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    api: ApiServer,
) -> Path:
    async with sqlite_store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        settings = replace(workspace.settings, review_channel="c-review")
        await unit.workspaces.update_settings(workspace.id, settings)
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", sqlite_database_url)
    monkeypatch.setenv("PAPERBOT_ARXIV_API_URL", api.url)
    monkeypatch.setenv("PAPERBOT_ARXIV_DELAY_SECONDS", "0")
    return Path("/dev/null")


async def stored(url: str) -> tuple[Paper | None, list[OutboxMessage]]:
    """vLLM's paper and the messages waiting in the outbox, read from a fresh store."""
    store = SqlStore(create_engine(url), SystemClock())
    try:
        async with store.unit() as unit:
            return await unit.papers.get("2309.06180"), await unit.outbox.due(SystemClock().now())
    finally:
        await store.close()


def test_import_fetch_enriches_and_tells_the_admins(
    cli_env: Path,
    tmp_path: Path,
    api: ApiServer,
    sqlite_database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "list.md"
    source.write_text(LIST, encoding="utf-8")
    assert main(["--env-file", str(cli_env), "list", "import", str(source), "--fetch"]) == 0
    out = capsys.readouterr().out
    assert "added 3 entries" in out
    assert "asked arXiv for 2 papers in 1 request: stored 1 records" in out
    assert "1 not found on arXiv" in out and "not on arXiv: 2401.00002" in out
    assert "the list says SOSP'23, arXiv's comment OSDI'23 (the list's is kept)" in out
    assert "told the admins in c-review of 1 difference" in out
    assert api.requests[0]["id_list"] == "2309.06180,2401.00002"
    paper, due = asyncio.run(stored(sqlite_database_url))
    assert paper is not None and paper.title == "Efficient Memory Management"
    assert paper.venue == "SOSP'23"
    [notice] = due
    assert notice.channel_id == "c-review" and notice.kind == "notice"
    assert "the list says SOSP'23, arXiv OSDI'23" in str(notice.payload)

    # Only the stub arXiv lacks is asked again.
    assert main(["--env-file", str(cli_env), "list", "enrich"]) == 0
    assert "asked arXiv for 1 paper in 1 request" in capsys.readouterr().out
    assert api.requests[1]["id_list"] == "2401.00002"


def test_an_unreachable_arxiv_stops_with_a_short_message(
    cli_env: Path, tmp_path: Path, api: ApiServer, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.md"
    source.write_text(LIST, encoding="utf-8")
    assert main(["--env-file", str(cli_env), "list", "import", str(source)]) == 0
    api.faults = [Reply(b"no", status=400)]
    assert main(["--env-file", str(cli_env), "list", "enrich", "--refresh"]) == 1
    out = capsys.readouterr().out
    assert "stopped: HTTP 400" in out and "2 papers not asked yet" in out
