"""Publishing the list into real git repositories (local bare ones) and a local GitHub API."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.git_repo import GitIdentity
from bot.publisher import PublishConfig, Publisher
from config import child_environment
from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import read_list
from digest.lists import add_paper, export_markdown, load_list, move_entry, remove_entry
from digest.models import Platform
from digest.publish_state import PublishTarget
from digest.publishing import PULL_BRANCH, PublishError
from storage.store import SqlStore
from tests.bot.github_api import FakeGitHub, GitHubServer
from tests.factories import make_paper

LIST = """# Lab list
## Serving
- [vLLM](https://arxiv.org/abs/2309.06180): Paged KV cache memory for LLM serving
- [Orca](https://example.org/orca): Iteration-level scheduling for serving LLM inference
## Training
- [ZeRO](https://arxiv.org/abs/1910.02054): Memory optimizations for data parallel training
"""
VLLM = "vLLM: Paged KV cache memory for LLM serving"
ORCA = "Orca: Iteration-level scheduling for serving LLM inference"
ZERO = "ZeRO: Memory optimizations for data parallel training"
NEW = make_paper("2606.00001", title="Serving LLMs Faster with a Paged KV Cache")
TOKEN = "ghp_s3cretTokenValue0123456789"
IDENTITY = GitIdentity("paperbot", "paperbot@example.org")


def bot_config(**options: Any) -> PublishConfig:
    """The bot's publishing settings in these tests: its identity, this environment."""
    return PublishConfig(IDENTITY, environment=child_environment(), **options)


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git as a person would (not as the bot), for setting up and reading repositories."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {
        "GIT_AUTHOR_NAME": "Maintainer",
        "GIT_AUTHOR_EMAIL": "m@example.org",
        "GIT_COMMITTER_NAME": "Maintainer",
        "GIT_COMMITTER_EMAIL": "m@example.org",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """An empty bare repository, the kind a remote is."""
    path = tmp_path / "list.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    return path


def seed(bare: Path, tmp_path: Path) -> None:
    """Give the repository a first commit on main, made by its maintainer."""
    work = tmp_path / "seed"
    git("clone", "--quiet", str(bare), str(work))
    (work / "LICENSE").write_text("CC0\n", encoding="utf-8")
    git("add", "LICENSE", cwd=work)
    git("commit", "--quiet", "-m", "Start the list", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)


def in_bare(bare: Path, *args: str) -> str:
    return git("--git-dir", str(bare), *args)


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, GitHubServer]]:
    fake = FakeGitHub()
    server = GitHubServer(fake)
    yield fake, server
    server.stop()


async def lab(store: SqlStore, clock: FixedClock, bare: Path, **target: object) -> int:
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        settings = replace(workspace.settings, review_channel="c-review", list_title="Lab list")
        await unit.workspaces.update_settings(workspace.id, settings)
        await import_list(unit, workspace.id, read_list(LIST), clock.now())
        await unit.papers.upsert_many([NEW])
        await unit.publishing.save_target(
            PublishTarget(workspace.id, repository=str(bare), **target)  # type: ignore[arg-type]
        )
    return workspace.id


async def with_pull_requests(
    store: SqlStore, clock: FixedClock, bare: Path, tmp_path: Path, server: GitHubServer
) -> tuple[int, Publisher]:
    """A seeded repository published through pull requests on `lab/papers`, with the token."""
    seed(bare, tmp_path)
    workspace = await lab(store, clock, bare, github_repo="lab/papers")
    options = bot_config(github_token=TOKEN, github_api_url=server.url)
    return workspace, Publisher(store, clock, options)


async def approve_new(store: SqlStore, clock: FixedClock, workspace: int) -> None:
    async with store.unit() as unit:
        await add_paper(unit, workspace, NEW, "Serving", clock.now(), approved_by="root")


async def test_commits_the_export_then_one_line_per_approval(
    store: SqlStore, clock: FixedClock, bare: Path
) -> None:
    workspace = await lab(store, clock, bare)
    publisher = Publisher(store, clock, bot_config())
    first = await publisher.publish(workspace)
    assert first.committed and first.commit == in_bare(bare, "rev-parse", "main")
    assert in_bare(bare, "log", "-1", "--format=%an <%ae>|%cn", "main") == (
        "paperbot <paperbot@example.org>|paperbot"
    )
    assert in_bare(bare, "log", "-1", "--format=%B", "main") == (
        "Lab list: 3 added, 0 moved, 0 removed\n\nAdded:\n"
        f"- {VLLM} (Serving)\n- {ORCA} (Serving)\n- {ZERO} (Training)"
    )
    async with store.unit() as unit:
        view = await load_list(unit, workspace, "Lab list")
    assert in_bare(bare, "show", "main:README.md") == export_markdown(view, "llmsys").strip()

    await approve_new(store, clock, workspace)
    second = await publisher.publish(workspace)
    assert second.committed
    assert in_bare(bare, "diff", "--numstat", "main~1", "main") == "1\t0\tREADME.md"
    assert in_bare(bare, "log", "-1", "--format=%B", "main") == (
        "Lab list: 1 added, 0 moved, 0 removed\n\nAdded:\n"
        "- Serving LLMs Faster with a Paged KV Cache (Serving)"
    )

    async with store.unit() as unit:
        await move_entry(unit, workspace, "ZeRO", "Serving")
        await remove_entry(unit, workspace, "Orca", "root", clock.now())
    await publisher.publish(workspace)
    assert in_bare(bare, "log", "-1", "--format=%B", "main") == (
        f"Lab list: 0 added, 1 moved, 1 removed\n\nMoved:\n- {ZERO}: Training -> Serving\n\n"
        f"Removed:\n- {ORCA} (Serving)"
    )
    unchanged = await publisher.publish(workspace)
    assert not unchanged.committed
    assert in_bare(bare, "rev-list", "--count", "main") == "3"
    async with store.unit() as unit:
        publication = await unit.publishing.get(workspace)
    assert publication is not None and publication.state.entries is not None
    assert len(publication.state.entries) == 3
    assert publication.state.commit == in_bare(bare, "rev-parse", "main")


async def test_a_failed_push_changes_nothing_tells_the_admins_once_and_is_retried(
    store: SqlStore, clock: FixedClock, bare: Path
) -> None:
    workspace = await lab(store, clock, bare, path="docs/papers.md")
    publisher = Publisher(store, clock, bot_config())
    await publisher.publish(workspace)
    async with store.unit() as unit:
        before = await unit.publishing.get(workspace)
    await approve_new(store, clock, workspace)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch: pushes are refused' >&2\nexit 1\n")
    hook.chmod(0o755)

    with pytest.raises(PublishError, match=r"git push failed.*protected branch"):
        await publisher.publish(workspace)
    async with store.unit() as unit:
        failed = await unit.publishing.get(workspace)
        notices = await unit.outbox.due(clock.now())
    assert before is not None and failed is not None
    assert failed.state.entries == before.state.entries
    assert failed.state.commit == before.state.commit
    assert failed.state.attempts == 1 and "protected branch" in (failed.state.last_error or "")
    assert failed.state.next_attempt_at == clock.now() + timedelta(minutes=1)
    [notice] = notices
    assert notice.channel_id == "c-review" and notice.payload["title"] == "List not published"

    assert await publisher.run_due() == 0  # not before its back-off
    clock.set(clock.now() + timedelta(minutes=1))
    assert await publisher.run_due() == 0  # failed again
    async with store.unit() as unit:
        again = await unit.publishing.get(workspace)
        assert len(await unit.outbox.due(clock.now())) == 1  # the admins were told once
    assert again is not None and again.state.attempts == 2
    assert again.state.next_attempt_at == clock.now() + timedelta(minutes=2)

    hook.unlink()
    clock.set(clock.now() + timedelta(minutes=2))
    assert await publisher.run_due() == 1
    assert in_bare(bare, "diff", "--numstat", "main~1", "main") == "1\t0\tdocs/papers.md"
    assert "1 added" in in_bare(bare, "log", "-1", "--format=%s", "main")
    async with store.unit() as unit:
        done = await unit.publishing.get(workspace)
    assert done is not None and done.state.attempts == 0 and done.state.requested_at is None
    assert done.state.last_error is None


async def test_an_unreachable_repository_is_a_short_error_without_the_token(
    store: SqlStore, clock: FixedClock, bare: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace = await lab(store, clock, bare)
    async with store.unit() as unit:
        publication = await unit.publishing.get(workspace)
        assert publication is not None
        remote = f"https://bot:{TOKEN}@127.0.0.1:9/lab/papers.git"
        await unit.publishing.save_target(replace(publication.target, repository=remote))
    options = bot_config(github_token=TOKEN, timeout=20)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PublishError) as raised:
        await Publisher(store, clock, options).publish(workspace)
    assert "git clone failed" in str(raised.value)
    async with store.unit() as unit:
        failed = await unit.publishing.get(workspace)
        notices = await unit.outbox.due(clock.now())
    assert failed is not None and failed.state.entries is None and failed.state.attempts == 1
    said = [str(raised.value), caplog.text, str(failed.state), str([n.payload for n in notices])]
    assert not any(TOKEN in text for text in said)
    assert "https://***@127.0.0.1:9/lab/papers.git" in said[3]


async def test_with_a_token_a_branch_is_pushed_and_one_pull_request_opened_then_updated(
    store: SqlStore,
    clock: FixedClock,
    bare: Path,
    tmp_path: Path,
    github: tuple[FakeGitHub, GitHubServer],
) -> None:
    fake, server = github
    workspace, publisher = await with_pull_requests(store, clock, bare, tmp_path, server)
    first = await publisher.publish(workspace)
    assert first.pull_request == "https://github.com/lab/papers/pull/1"
    assert in_bare(bare, "rev-list", "--count", "main") == "1"  # main is the maintainers'
    assert in_bare(bare, "rev-list", "--count", f"main..{PULL_BRANCH}") == "1"
    [listed, created] = fake.calls
    assert (listed.method, listed.path) == ("GET", "/repos/lab/papers/pulls")
    assert listed.query == {"state": "open", "head": f"lab:{PULL_BRANCH}", "base": "main"}
    assert (created.method, created.body) == (
        "POST",
        {
            "title": "Update the paper list",
            "head": PULL_BRANCH,
            "base": "main",
            "body": fake.pulls[1]["body"],
        },
    )
    assert created.authorization == f"Bearer {TOKEN}"
    assert "3 added, 0 moved, 0 removed" in fake.pulls[1]["body"]

    await approve_new(store, clock, workspace)
    second = await publisher.publish(workspace)
    assert second.pull_request == first.pull_request
    assert [c.method for c in fake.calls[2:]] == ["GET", "PATCH"]
    assert fake.calls[3].path == "/repos/lab/papers/pulls/1"
    assert len(fake.pulls) == 1 and "1 added" in fake.pulls[1]["body"]
    assert in_bare(bare, "diff", "--numstat", f"{PULL_BRANCH}~1", PULL_BRANCH) == (
        "1\t0\tREADME.md"
    )

    # Merged: the next publish starts again from main, in a new pull request.
    in_bare(bare, "update-ref", "refs/heads/main", PULL_BRANCH)
    fake.pulls[1]["state"] = "closed"
    async with store.unit() as unit:
        await move_entry(unit, workspace, "ZeRO", "Serving")
    third = await publisher.publish(workspace)
    assert third.pull_request == "https://github.com/lab/papers/pull/2"
    assert in_bare(bare, "rev-list", "--count", f"main..{PULL_BRANCH}") == "1"


async def test_a_refused_token_is_reported_without_it_and_nothing_advances(
    store: SqlStore,
    clock: FixedClock,
    bare: Path,
    tmp_path: Path,
    github: tuple[FakeGitHub, GitHubServer],
) -> None:
    fake, server = github
    fake.status = 401
    workspace, publisher = await with_pull_requests(store, clock, bare, tmp_path, server)
    with pytest.raises(PublishError, match="401: Bad credentials") as raised:
        await publisher.publish(workspace)
    assert TOKEN not in str(raised.value)
    async with store.unit() as unit:
        failed = await unit.publishing.get(workspace)
    assert failed is not None and failed.state.entries is None
    assert failed.state.requested_at is not None

    # GitHub takes the token again: the retry opens the pull request for the branch it pushed.
    fake.status = None
    clock.set(clock.now() + timedelta(minutes=1))
    assert await publisher.run_due() == 1
    assert [p["head"]["ref"] for p in fake.pulls.values()] == [PULL_BRANCH]
    assert in_bare(bare, "rev-list", "--count", f"main..{PULL_BRANCH}") == "1"


async def test_daily_publishes_once_a_day_at_its_time(
    store: SqlStore, clock: FixedClock, bare: Path
) -> None:
    # The clock starts on 2026-06-28 at 18:00 UTC.
    workspace = await lab(store, clock, bare, trigger="daily", daily_at=time(6, 0))
    publisher = Publisher(store, clock, bot_config())
    assert await publisher.run_due() == 1
    assert await publisher.run_due() == 0
    await approve_new(store, clock, workspace)
    await publisher.request(workspace)  # an approval asks only when publishing after each
    await publisher.wait()
    assert in_bare(bare, "rev-list", "--count", "main") == "1"
    clock.set(clock.now() + timedelta(hours=11, minutes=59))
    assert await publisher.run_due() == 0
    clock.set(clock.now() + timedelta(minutes=1))
    assert await publisher.run_due() == 1
    assert in_bare(bare, "rev-list", "--count", "main") == "2"
