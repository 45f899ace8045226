"""`paperbot ingest`: loading a dump, harvesting a local API server, showing watermarks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import Bot
from config import load_settings
from digest.clock import FixedClock
from digest.models import Platform
from storage.store import SqlStore
from tests.digest.arxiv_server import ApiServer, FakeArxiv
from tests.digest.atom import Entry


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings for a scratch SQLite database, with no .env file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PAPERBOT_ARXIV_DELAY_SECONDS", "0")
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.DC")
    return tmp_path


@pytest.fixture
def api() -> Iterator[ApiServer]:
    """A local server with a fake arXiv index of three papers announced last week."""
    now = datetime.now(UTC)
    entries = [Entry(f"2606.9000{i}", published=now - timedelta(days=8, hours=i)) for i in range(3)]
    server = ApiServer(FakeArxiv(FixedClock(now + timedelta(days=1)), entries)).start()
    yield server
    server.stop()


def test_from_file_loads_papers_and_skips_bad_lines(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = env / "dump.jsonl"
    good = {
        "id": "2606.00001",
        "daily_file_date": "2026-06-22",
        "categories": ["cs.DC"],
        "authors": ["Ada Lovelace"],
        "title": "Serving",
        "comment": "Accepted at OSDI 2026",
        "summary": "Code: https://github.com/a/b",
    }
    lines = [json.dumps(good), "{not json", json.dumps({**good, "id": "2606.00002"}), ""]
    dump.write_text("\n".join(lines), encoding="utf-8")
    assert main(["ingest", "--from-file", str(dump)]) == 0
    assert "stored 2 new and 0 newer papers" in capsys.readouterr().out
    assert main(["ingest", "--from-file", str(dump)]) == 0
    assert "(2 already known)" in capsys.readouterr().out


def test_from_file_errors_are_short(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--from-file", str(env / "missing.jsonl")]) == 1
    assert "no such file" in capsys.readouterr().err
    broken = env / "broken.jsonl.gz"
    broken.write_bytes(b"this is not gzip")
    assert main(["ingest", "--from-file", str(broken)]) == 1
    assert "cannot read it as JSON lines" in capsys.readouterr().err


def test_since_harvests_the_api_and_status_shows_the_watermark(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    api: ApiServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = api
    now = datetime.now(UTC)
    monkeypatch.setenv("PAPERBOT_ARXIV_API_URL", server.url)
    since = (now - timedelta(days=14)).date().isoformat()
    assert main(["ingest", "--since", since, "--categories", "cs.dc"]) == 0
    out = capsys.readouterr().out
    assert "harvesting cs.dc since" in out and "stored 3 new" in out
    assert all("cat:cs.DC" in r["search_query"] for r in server.requests)

    assert main(["ingest", "--status"]) == 0
    status = capsys.readouterr().out
    assert "cs.DC" in status and "UTC" in status


async def test_the_daily_job_harvests_the_topics_categories(
    sqlite_store: SqlStore, clock: FixedClock, api: ApiServer
) -> None:
    settings = load_settings(
        None,
        arxiv_api_url=api.url,
        arxiv_delay_seconds=0,
        arxiv_categories="cs.LG",
        arxiv_backfill_days=14,
    )
    async with sqlite_store.unit() as unit:
        ws = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await unit.topics.create(ws.id, "systems", "cat:cs.DC AND ti:paper", "", None)
    clock.set(datetime.now(UTC))
    bot = Bot(settings, sqlite_store, clock, {})
    report = await bot.ingest_recent()
    assert bot.arxiv is not None
    bot.arxiv.close()
    queried = {r["search_query"].split(")")[0] for r in api.requests}
    # the configured category and the topic's, together in one query a window
    assert queried == {"(cat:cs.DC OR cat:cs.LG"}
    assert report.stored.inserted == 3 and report.matches == 3 and report.failures == ()


def test_a_bad_category_is_refused(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "--categories", "cs DC;drop"])
    assert "is not an arXiv category" in capsys.readouterr().err


def test_from_file_reports_each_refused_line_and_a_truncated_gzip(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gzip

    good = {"id": "2606.00001", "title": "Serving", "categories": ["cs.DC"], "authors": ["Ada"]}
    lines = [
        "\ufeff" + json.dumps(good),
        json.dumps({**good, "id": "2606.00002", "categories": "cs.LG"}),
        json.dumps({**good, "id": "2606.00003", "title": "NUL\u0000 byte"}),
        '{"id": 2606.10000, "title": "Float id"}',
    ]
    dump = env / "dump.jsonl"
    dump.write_text("\n".join(lines), encoding="utf-8")
    assert main(["ingest", "--from-file", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "  line 2: refused: categories must be a list, not the string 'cs.LG'\n" in out
    assert "  line 4: refused: id is the number 2606.1, not a string" in out
    assert "stored 2 new and 0 newer papers (0 already known); refused 2 lines;" in out

    many = "\n".join(json.dumps({**good, "id": f"2606.{n:05d}"}) for n in range(1, 3_001))
    packed = gzip.compress(many.encode())
    cut = env / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    assert main(["ingest", "--from-file", str(cut)]) == 1
    out = capsys.readouterr().out
    assert f"{cut} ends early after line " in out
    assert "the papers before it are kept" in out
    assert "refused 0 lines" in out
