"""`paperbot demo`: the whole loop, offline, as a script of chat events on the console platform.

Every step is an event through the same handlers, scheduler and outbox the chat platforms use;
nothing here prints a result it did not get from them.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path
from typing import TextIO

from bot.app import Bot, open_store
from bot.console.platform import ConsoleChat, ConsolePlatform
from bot.messages import APPROVE, NOMINATE
from bot.ports import UserRef
from config import Settings
from digest.clock import FixedClock
from digest.ingest import read_corpus, store_papers
from digest.lists import export_markdown, load_list
from digest.models import Platform
from storage.engine import sqlite_url
from storage.store import SqlStore

SAMPLE = "sample-2026-06-22.jsonl"
# Sunday evening after the sample week; the digest is due Monday 09:00 in Berlin.
SETUP_TIME = datetime(2026, 6, 28, 18, 0, tzinfo=UTC)
DIGEST_TIME = datetime(2026, 6, 29, 7, 0, tzinfo=UTC)

ADA = UserRef("ada", "ada", platform_admin=True)
BO = UserRef("bo", "bo")


def _say(out: TextIO, text: str) -> None:
    print(f"\n=== {text}", file=out, flush=True)


async def run_demo(out: TextIO, workdir: Path | None = None, base: Settings | None = None) -> str:
    """Run the demo, printing every message; returns the exported Markdown list.

    `base` is the configured settings (their logging, tokens and all); the demo always uses its
    own SQLite database.
    """
    with tempfile.TemporaryDirectory(prefix="paperbot-demo-") as scratch:
        folder = workdir or Path(scratch)
        fields = base.model_dump() if base is not None else {}
        fields["database_url"] = sqlite_url(folder / "demo.db")
        settings = Settings(_env_file=None, **fields)  # type: ignore[call-arg]
        clock = FixedClock(SETUP_TIME)
        store = await open_store(settings, clock)
        try:
            return await _script(out, settings, store, clock)
        finally:
            await store.close()


async def _script(out: TextIO, settings: Settings, store: SqlStore, clock: FixedClock) -> str:
    console = ConsolePlatform(out)
    bot = Bot(settings, store, clock, {Platform.CONSOLE: console}, ingest_enabled=False)
    chat = ConsoleChat(console, bot.handlers)
    papers = console.channel("c-papers", "papers")
    review = console.channel("c-review", "paper-review")

    _say(out, f"Loading the sample week of real arXiv metadata ({SAMPLE})")
    with as_file(files("bot.demo").joinpath(SAMPLE)) as sample:
        report = await store_papers(store, read_corpus(sample))
    print(f"stored {report.stored.inserted} papers", file=out)

    _say(out, "An admin sets up two topics and subscribes #papers")
    await chat.say(ADA, papers, "/paper settings review-channel c-review")
    await chat.say(
        ADA,
        papers,
        "/paper topic-add llm-inference "
        'ti:"kv cache" OR (ti:inference AND (ti:llm OR ti:language))',
    )
    await chat.say(ADA, papers, '/paper topic-add moe ti:moe OR ti:"mixture of experts"')
    await chat.say(ADA, papers, "/paper subscribe llm-inference mon 09:00 Europe/Berlin")
    await chat.say(ADA, papers, "/paper subscribe moe")

    _say(out, "Monday 09:00 in Berlin: the weekly digest comes due")
    clock.set(DIGEST_TIME)
    digest = await bot.runner.run_channel(*await _channel_key(bot, papers.id))
    if digest is None or not digest.items:
        _say(out, "This database already had this week's digest (from an earlier demo run)")
        return await _export(out, store)

    _say(out, "A member nominates the first paper by reacting with the nomination emoji")
    first = digest.items[0].paper
    await chat.react(BO, console.find(first.arxiv_id, papers.id), "⭐")

    _say(out, "The member presses Approve on the review message too: only admins decide")
    to_review = console.find(first.arxiv_id, review.id)
    approve = next(b for p in console.posted if p.ref == to_review for b in p.message.buttons)
    assert approve.action == APPROVE
    await chat.press(BO, to_review, approve.action, approve.value)

    _say(out, "An admin approves it into a section of the list")
    await chat.say(ADA, review, f"/paper approve {first.arxiv_id} LLM Systems / Inference")

    if len(digest.items) > 1:
        _say(out, "Another member presses Nominate on a second paper; it waits for review")
        second = digest.items[1].paper
        await chat.press(BO, console.find(second.arxiv_id, papers.id), NOMINATE, second.arxiv_id)
        await chat.say(ADA, review, "/paper nominations")

    return await _export(out, store)


async def _export(out: TextIO, store: SqlStore) -> str:
    _say(out, "The list, exported as Markdown")
    async with store.unit() as unit:
        workspace = (await unit.workspaces.all())[0]
        view = await load_list(unit, workspace.id, workspace.settings.list_title)
    markdown = export_markdown(view)
    print(markdown, file=out, flush=True)
    return markdown


async def _channel_key(bot: Bot, channel_id: str) -> tuple[int, str]:
    async with bot.store.unit() as unit:
        workspace = (await unit.workspaces.all())[0]
    return workspace.id, channel_id
