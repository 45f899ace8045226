"""`/paper settings publish ...` in chat, publishing after an approval and by the leader's
job, `paperbot list publish`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.console.platform import ConsolePlatform
from bot.delivery import Delivery
from bot.handlers import Handlers
from bot.ports import ChannelRef, Invocation, UserRef
from bot.publisher import Publisher
from bot.scheduler import BotScheduler, DigestRunner
from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import read_list
from digest.models import Platform
from digest.publish_state import PublishTarget
from storage.store import SqlStore
from tests.bot.test_publisher import LIST, NEW, bare, bot_config, in_bare

__all__ = ["bare"]  # the fixture, used here too

CHANNEL = ChannelRef(Platform.CONSOLE, "lab", "papers", workspace_name="Lab")
ADA = UserRef("ada", "Ada")
ADMIN = UserRef("root", "Root", platform_admin=True)


def _settings(user: UserRef, value: str) -> Invocation:
    return Invocation(CHANNEL, user, "settings", {"key": "publish", "value": value})


async def test_admins_set_publishing_in_chat_and_members_cannot(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = Handlers(sqlite_store, clock)
    refused = await handlers.command(_settings(ADA, "repo https://github.com/lab/papers.git"))
    assert "Only admins" in refused.text
    nowhere = await handlers.command(_settings(ADMIN, ""))
    assert "publish: nowhere" in nowhere.text
    early = await handlers.command(_settings(ADMIN, "branch main"))
    assert "Set the repository first" in early.text
    local = await handlers.command(_settings(ADMIN, "repo /srv/lists/papers.git"))
    assert "paperbot list publish --repo PATH" in local.text
    secret = "https://bot:tok3n@github.com/lab/papers.git"
    made = await handlers.command(_settings(ADMIN, f"repo {secret}"))
    assert "https://***@github.com/lab/papers.git branch main, file README.md (md)" in made.text
    assert "tok3n" not in made.text
    for value, shown in (
        ("path docs/papers.md", "file docs/papers.md"),
        ("format bibtex", "(bibtex)"),
        ("when daily 06:30", "when: daily 06:30"),
        ("github lab/papers", "pull requests on lab/papers"),
        ("style bracket-venue", "bibtex, bracket-venue style"),
    ):
        reply = await handlers.command(_settings(ADMIN, value))
        assert shown in reply.text, value
    for bad, said in (
        ("path ../../etc/passwd", "not a file path inside the repository"),
        ("format pdf", "format takes md, json, bibtex"),
        ("when hourly", "when takes approval, daily, manual"),
        ("when daily 25:00", "daily takes a time of day"),
        ("github not a repo", "owner/name"),
        ("colour blue", "Use "),
    ):
        reply = await handlers.command(_settings(ADMIN, bad))
        assert said in reply.text, bad
    now = await handlers.command(_settings(ADMIN, "now"))
    assert "next publish: 2026-06-28 18:00 UTC" in now.text
    off = await handlers.command(_settings(ADMIN, "off"))
    assert "publish: nowhere" in off.text


async def test_an_approval_publishes_when_the_workspace_publishes_after_each(
    sqlite_store: SqlStore, clock: FixedClock, bare: Path
) -> None:
    async with sqlite_store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await import_list(unit, workspace.id, read_list(LIST), clock.now())
        await unit.papers.upsert_many([NEW])
        await unit.publishing.save_target(PublishTarget(workspace.id, repository=str(bare)))
    publisher = Publisher(sqlite_store, clock, bot_config())
    handlers = Handlers(sqlite_store, clock, on_list_changed=publisher.request)
    await handlers.command(Invocation(CHANNEL, ADA, "nominate", {"paper": NEW.arxiv_id}))
    reply = await handlers.command(
        Invocation(CHANNEL, ADMIN, "approve", {"paper": NEW.arxiv_id, "section": "Serving"})
    )
    assert "was approved" in reply.text
    await publisher.wait()
    await handlers.settle()
    assert "4 added" in in_bare(bare, "log", "-1", "--format=%s", "main")


@pytest.fixture
async def cli_env(
    sqlite_store: SqlStore, sqlite_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    async with sqlite_store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await import_list(unit, workspace.id, read_list(LIST), sqlite_store._clock.now())
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", sqlite_database_url)
    monkeypatch.setenv("PAPERBOT_PUBLISH_AUTHOR_EMAIL", "bot@lab.example")
    return Path("/dev/null")


def test_list_publish_saves_the_target_and_publishes(
    cli_env: Path, bare: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = ["--env-file", str(cli_env)]
    assert main([*env, "list", "publish"]) == 1
    assert "give --repo PATH-OR-URL" in capsys.readouterr().err
    assert main([*env, "list", "publish", "--repo", str(bare), "--path", "../x"]) == 1
    assert "not a file path inside the repository" in capsys.readouterr().err
    args = [*env, "list", "publish", "--repo", str(bare), "--format", "json", "--path", "l.json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "published l.json: commit " in out and "(3 added, 0 moved, 0 removed)" in out
    assert '"arxiv_id": "2309.06180"' in in_bare(bare, "show", "main:l.json")
    assert in_bare(bare, "log", "-1", "--format=%ae", "main") == "bot@lab.example"
    assert main([*env, "list", "publish"]) == 0
    assert "l.json was up to date: nothing to commit" in capsys.readouterr().out
    assert main([*env, "list", "publish", "--show"]) == 0
    assert f"publish: {bare} branch main, file l.json (json)" in capsys.readouterr().out

    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the branch is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    assert main([*env, "list", "publish", "--format", "md"]) == 1
    out = capsys.readouterr().out
    assert "not published: git push failed: remote: the branch is protected" in out
    assert "the bot tries again later" in out


async def test_the_leader_runs_due_publishes_and_stepping_down_stops_it(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    delivery = Delivery(sqlite_store, clock, {Platform.CONSOLE: ConsolePlatform(io.StringIO())})
    runner = DigestRunner(sqlite_store, clock, delivery)
    publisher = Publisher(sqlite_store, clock, bot_config())
    scheduler = BotScheduler(
        sqlite_store, runner, delivery, publish=publisher.run_due, publish_seconds=30
    )
    await scheduler.start(leading=True)
    try:
        job = scheduler.scheduler.get_job("publish")
        assert job is not None and job.trigger.interval.total_seconds() == 30
        scheduler.step_down()
        assert scheduler.scheduler.get_job("publish") is None
    finally:
        await scheduler.stop()
