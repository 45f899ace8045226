"""`paperbot digest preview`: what the next digest would hold, or a given week's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import build_parser, main
from bot.cli import digest as digest_cli
from bot.messages import likeness_text
from bot.rich_text import plain_text
from config import Settings
from digest import weekly
from digest.clock import FixedClock
from digest.relevance import Relevance, training_set
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
from tests.relevance_world import CHOSEN_ID
from tests.relevance_world import world as relevance_world

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


async def test_preview_shows_the_learned_order_and_its_reasons_as_the_digest_has_them(
    tmp_path: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path / "learned.db")
    engine = create_engine(url)
    await upgrade(engine)
    store = SqlStore(engine, clock)
    workspace, sub, _ = await relevance_world(store)
    assert await _preview(url, "--topic", "broad") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "15 papers (cap 15)"
    # The paper the group would keep comes first, with the reason its card gives.
    assert out[2].split()[:3] == ["1.", "2.0", CHOSEN_ID]
    assert out[3].strip().startswith("Like 1 paper in your list, e.g. CacheGen: KV Cache")
    assert out[-1].startswith("Order: learned, by what the list keeps (24 entries)")
    # The same order and reasons as the digest the bot would build (its model trained alike).
    relevance = Relevance()
    now = MON - timedelta(hours=3)
    async with store.unit() as unit:
        await relevance.train(workspace.id, await training_set(unit, workspace.id))
        digest = await weekly.build_digest(unit, workspace.id, "c-1", [sub], now, relevance)
    shown = [line.split()[2] for line in out[2:] if line.split()[0][:-1].isdigit()][:15]
    assert shown == [item.paper.arxiv_id for item in digest.items]
    reasons = [line.strip() for line in out[2:] if line.startswith(" " * 20)]
    assert reasons == [plain_text(likeness_text(i.likeness)) for i in digest.items if i.likeness]
    # In the rule's order the preview leaves it over the cap, and says so.
    async with store.unit() as unit:
        await unit.workspaces.update_settings(
            workspace.id, replace(workspace.settings, ranking="rule")
        )
    await store.close()
    assert await _preview(url, "--topic", "broad") == 0
    out = capsys.readouterr().out.splitlines()
    assert CHOSEN_ID not in " ".join(out[2:17]) and CHOSEN_ID in out[18]
    assert out[-1] == "Order: rule (match score, then votes, then date)."
