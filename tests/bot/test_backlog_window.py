"""topic-add, topic-check, /paper preview and `paperbot topic check` count one window: the
recent weeks, or the weeks to the newest stored announcement when nothing recent is stored."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.__main__ import main
from bot.handlers import Handlers
from bot.ports import ChannelRef, Invocation, UserRef
from digest.clock import FixedClock
from digest.ingest import store_papers
from digest.models import Platform
from storage.store import SqlStore
from tests.factories import make_paper

CHANNEL = ChannelRef(Platform.CONSOLE, "guild-1", "papers", "papers", "Lab")
ADMIN = UserRef("admin", "Ada", platform_admin=True)
OLD_WINDOW = (
    "the 4 weeks to 2026-05-02, the newest stored announcement (nothing is stored for the last "
    "4 weeks)"
)


def _invoke(command: str, **options: str) -> Invocation:
    return Invocation(CHANNEL, ADMIN, command, options)


async def _old_dump(store: SqlStore) -> None:
    """Three papers announced in early May; the clock says 28 June."""
    await store_papers(
        store,
        [
            make_paper("2605.00001", "Serving LLMs Fast", announced=date(2026, 5, 1)),
            make_paper("2605.00002", "Serving MoE Models", announced=date(2026, 5, 2)),
            make_paper("2605.00003", "A Vision Dataset", announced=date(2026, 5, 2)),
        ],
    )


async def test_chat_and_cli_count_the_newest_stored_weeks_and_say_so(
    sqlite_store: SqlStore,
    sqlite_database_url: str,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _old_dump(sqlite_store)
    handlers = Handlers(sqlite_store, clock)
    check = await handlers.command(_invoke("topic-check", rule="ti:serving"))
    assert f"Matches 2 of 3 papers of {OLD_WINDOW}." in check.text
    added = await handlers.command(_invoke("topic-add", name="serving", rule="ti:serving"))
    assert f"It matches 2 papers of {OLD_WINDOW}." in added.text
    edited = await handlers.command(_invoke("topic-edit", topic="serving", rule="ti:moe"))
    assert f"matches 1 paper of {OLD_WINDOW}." in edited.text

    monkeypatch.setenv("PAPERBOT_DATABASE_URL", sqlite_database_url)
    capsys.readouterr()
    argv = ["--env-file", "/dev/null", "topic", "check", "ti:serving"]
    assert await asyncio.to_thread(main, argv) == 0
    assert f"matches 2 of 3 papers in {OLD_WINDOW}" in capsys.readouterr().out
    argv = ["--env-file", "/dev/null", "digest", "preview", "--topic", "serving"]
    assert await asyncio.to_thread(main, argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "serving (no channel subscribes it): papers of the week to 2026-05-02, the newest stored "
        "announcement (nothing is stored for the last week)"
    )
    assert out[1] == "1 paper (cap 15)"  # the topic reads ti:moe by now


async def test_topics_made_on_an_old_dump_go_into_the_next_digest(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    await _old_dump(sqlite_store)
    handlers = Handlers(sqlite_store, clock)
    await handlers.command(_invoke("topic-add", name="serving", rule="ti:serving"))
    await handlers.command(_invoke("subscribe", topic="serving"))
    reply = await handlers.command(_invoke("preview"))
    assert reply.title == "Next digest so far (Mon 29 Jun 09:00 UTC)"
    assert "Serving LLMs Fast" in reply.text


async def test_recent_papers_are_counted_over_the_last_weeks(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    await store_papers(sqlite_store, [make_paper(title="Serving MoE models")])  # 23 June
    handlers = Handlers(sqlite_store, clock)
    check = await handlers.command(_invoke("topic-check", rule="ti:serving"))
    assert "Matches 1 of 1 papers of the last 4 weeks (to 2026-06-28)." in check.text
    await handlers.command(_invoke("topic-add", name="old", rule="ti:nothing"))
    await handlers.command(_invoke("subscribe", topic="old"))
    reply = await handlers.command(_invoke("preview"))
    assert "Nothing new so far for the next digest." in reply.text
