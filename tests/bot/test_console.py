"""The console as a test platform: several users and channels, menus, ids unique across runs over
one database, logs kept out of the chat, and the README documenting its help as it is."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.app import open_store
from bot.console.platform import ConsoleChat, ConsolePlatform
from bot.console.repl import CONSOLE_HELP, ConsoleSession
from bot.delivery import Delivery
from bot.handlers import Handlers
from config import Settings
from digest.clock import FixedClock
from digest.ingest import store_papers
from digest.models import DeliveryStatus, Platform
from storage.engine import sqlite_url
from storage.store import SqlStore
from storage.tables import OutboxRow
from tests.factories import make_paper

README = Path(__file__).resolve().parents[2] / "README.md"
STARTED = datetime(2026, 6, 28, 18, 0, tzinfo=UTC)


async def _session(store: SqlStore, clock: FixedClock) -> tuple[ConsoleSession, io.StringIO]:
    out = io.StringIO()
    platform = ConsolePlatform(out)
    delivery = Delivery(store, clock, {Platform.CONSOLE: platform})
    handlers = Handlers(store, clock, on_outbox_changed=delivery.deliver_due)
    return ConsoleSession(ConsoleChat(platform, handlers), platform), out


async def test_users_and_channels_are_switched_by_meta_commands(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    session, out = await _session(sqlite_store, clock)
    assert session.prompt == "ada in #general> "
    await session.handle("/users")
    assert "ada: platform admin\nbo: member\ncy: role reviewers" in out.getvalue()

    await session.handle("/as bo")
    assert session.prompt == "bo in #general> "
    await session.handle("/paper topic-add kv ti:kv")
    assert "Only admins can use `/paper topic-add`" in out.getvalue()

    await session.handle("/as ada")
    await session.handle("/paper settings admin-role reviewers")
    await session.handle("/as @cy")
    await session.handle("/in #review")
    assert session.prompt == "cy in #review> "
    await session.handle("/paper topic-add kv ti:kv")
    assert "@cy in #review: /paper topic-add kv ti:kv" in out.getvalue()
    assert "Created topic kv" in out.getvalue()

    await session.handle("/as dee")  # anyone else joins as a member
    assert "You are dee: member." in out.getvalue()
    assert await session.handle("nonsense") and CONSOLE_HELP in out.getvalue()
    await session.handle("press 99 Approve")
    assert "! no message 99" in out.getvalue()
    assert not await session.handle("quit")


async def test_buttons_and_menus_are_used_by_number_and_label(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    await store_papers(sqlite_store, [make_paper("2606.00001", "Paged attention")])
    session, out = await _session(sqlite_store, clock)
    platform = session.platform
    await session.handle("/as bo")
    await session.handle("/paper nominate 2606.00001")
    (review,) = [p for p in platform.posted if p.message.title == "Nomination to review"]
    assert review.ref.channel.id == "general"
    await session.handle(f"press {review.number} approve")
    assert "Only admins can approve or reject nominations." in out.getvalue()
    await session.handle("/as ada")
    await session.handle(f"press {review.number} reject")
    assert "was not added to the list." in out.getvalue()
    await session.handle(f"choose {review.number} 9")
    assert "no menu option '9'" in out.getvalue()


def test_the_readme_documents_the_console_help_as_it_is() -> None:
    readme = README.read_text(encoding="utf-8")
    for line in CONSOLE_HELP.splitlines():
        assert line in readme, line


async def _stored_papers(url: str) -> None:
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    store = await open_store(settings, FixedClock(STARTED))
    try:
        await store_papers(store, [make_paper(f"2606.{n:05d}") for n in range(1, 4)])
    finally:
        await store.close()


async def _statuses(url: str) -> list[DeliveryStatus]:
    """The status of every outbox row of the database."""
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    store = await open_store(settings, FixedClock(STARTED))
    try:
        async with store.unit() as unit:
            found = await unit.session.scalars(select(OutboxRow.status).order_by(OutboxRow.id))
            return [DeliveryStatus(status) for status in found]
    finally:
        await store.close()


def test_two_console_runs_over_one_database_neither_crash_nor_leave_posts_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path / "paperbot.db")
    asyncio.run(_stored_papers(url))
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    for paper in ("2606.00001", "2606.00002"):
        typed = f"/paper settings review-channel review\n/as bo\n/paper nominate {paper}\nquit\n"
        monkeypatch.setattr("sys.stdin", io.StringIO(typed))
        assert main(["--env-file", "/dev/null", "run", "--console"]) == 0
        out = capsys.readouterr().out
        assert "#review · message 1" in out  # each run numbers its own messages
        assert "INFO" not in out and "console session" not in out
    assert asyncio.run(_statuses(url)) == [DeliveryStatus.POSTED] * 2
    log = (tmp_path / "paperbot-console.log").read_text(encoding="utf-8")
    assert log.count("console session") == 2


def test_the_demo_runs_twice_over_one_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    assert main(["demo", "--keep", str(folder)]) == 0
    first = capsys.readouterr().out
    assert "was approved and added to the list" in first
    assert main(["demo", "--keep", str(folder)]) == 0
    second = capsys.readouterr().out
    assert "already had this week's digest" in second
    assert "## LLM Systems" in second  # the list of the first run, exported again
    statuses = asyncio.run(_statuses(sqlite_url(folder / "demo.db")))
    assert statuses and set(statuses) == {DeliveryStatus.POSTED}
