"""`paperbot digest preview`: what the next digest would hold, or a given week's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import build_parser, main
from bot.cli import digest as digest_cli
from config import Settings
from digest.clock import FixedClock
from storage.engine import create_engine, sqlite_url
from storage.migrate import upgrade
from storage.store import SqlStore
from tests.digest_world import (
    add_matches,
    add_papers,
    make_subscription,
    make_topic,
    make_workspace,
    put_on_list,
)

MON = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path, clock: FixedClock) -> str:
    """A database with a topic subscribed in one channel, cap 2, and four matched papers."""
    url = sqlite_url(tmp_path / "cli.db")
    engine = create_engine(url)
    await upgrade(engine)
    store = SqlStore(engine, clock)
    ws = await make_workspace(store)
    topic = await make_topic(store, ws, "llm", rule="ti:paper")
    await make_subscription(
        store, ws, "c-papers", topic, zone="Europe/Berlin", cap=2, watermark=MON - timedelta(7)
    )
    ids = ["2606.00001", "2606.00002", "2606.00003", "2606.00004"]
    await add_papers(store, ids, announced=date(2026, 6, 23))
    await add_matches(store, topic, {p: 4.0 - n for n, p in enumerate(ids)}, MON - timedelta(2))
    await put_on_list(store, ws, "2606.00004", MON)
    await store.close()
    return url


async def _preview(url: str, *argv: str) -> int:
    args = build_parser().parse_args(["digest", "preview", *argv])
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    return await digest_cli.run(args, settings, FixedClock(MON - timedelta(hours=3)))


async def test_preview_prints_the_next_digest_ranked_and_capped(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _preview(database, "--topic", "llm") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("llm in c-papers: next digest Mon 29 Jun 09:00 Europe/Berlin")
    assert out[1] == "2 papers (cap 2)"
    assert out[2].split()[:3] == ["1.", "4.0", "2606.00001"]
    assert out[3].split()[:3] == ["2.", "3.0", "2606.00002"]
    assert out[4].startswith("1 more over the cap")
    assert "2606.00003" in out[5]
    assert out[6] == "Left out: 1 already on the list."


def test_preview_of_a_week_rematches_that_weeks_papers(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", database)
    assert main(["--env-file", "/dev/null", "digest", "preview", "--topic", "llm",
                 "--week", "2026-06-25"]) == 0  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "llm: the digest of the week of Mon 22 Jun 2026"
    assert out[1] == "2 papers (cap 2)"


def test_preview_of_an_unknown_topic_says_which_exist(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", database)
    assert main(["--env-file", "/dev/null", "digest", "preview", "--topic", "nope"]) == 1
    assert "no topic 'nope' in lab (topics: llm)" in capsys.readouterr().err
