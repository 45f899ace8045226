"""Publishing a workspace's list into its git repository, with retries that never lose it.

A publish exports the list, clones the target into a scratch folder, commits the file as the
bot with a message naming the entries added, moved and removed since the last publish, and
pushes. With a GitHub token and a GitHub repository it pushes the branch `paperbot/list`
instead and opens or updates one pull request into the target branch. Only a publish that
succeeded records what it wrote; one that failed (auth, conflict, network) is due again after a
back-off (a minute, doubling, at most 6 hours), and the admins are told of the first failure in
a row in the review channel. The scheduler's leader runs what is due; an approval asks for a
publish when the target says so, and `/paper settings publish now` or `paperbot list publish`
at once.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.admin_notice import notify_admins
from bot.git_repo import GitIdentity, GitWorkdir, mask_text
from bot.github_pulls import GitHubPulls, github_repo_of
from bot.logs import log_context
from bot.messages import public
from bot.rich_text import code
from digest.lists import load_list
from digest.models import Workspace
from digest.ports import Clock, Store
from digest.publish_options import check_file_path, without_credentials
from digest.publish_state import Publication, PublishTarget
from digest.publishing import (
    PULL_BRANCH,
    ListChanges,
    PublishError,
    commit_message,
    export_text,
    last_daily_slot,
    list_changes,
    retry_delay,
    snapshot,
)

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=15)
PULL_TITLE = "Update the paper list"


@dataclass(frozen=True, slots=True)
class PublishConfig:
    """What every publish shares: the bot's git identity, GitHub access, limits, secrets."""

    identity: GitIdentity
    github_token: str | None = None
    github_api_url: str = "https://api.github.com"
    timeout: float = 120.0
    secrets: tuple[str, ...] = ()
    # What git runs with besides its own variables (PATH, HOME): config.child_environment().
    environment: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    """A publish that succeeded: the commit, the pull request, what changed."""

    commit: str | None
    changes: ListChanges
    committed: bool
    pull_request: str | None = None


def _on_github(repository: str) -> bool:
    return repository.strip().startswith("https://github.com/")


def pull_request_repo(target: PublishTarget, config: PublishConfig) -> str | None:
    """The GitHub repository a publish opens its pull request in, or None to push directly."""
    if not config.github_token:
        return None
    return target.github_repo or github_repo_of(target.repository)


class Publisher:
    """Runs publishes: now, when due, and after approvals."""

    def __init__(self, store: Store, clock: Clock, config: PublishConfig) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self._tasks: set[asyncio.Task[object]] = set()

    def _mask(self, text: str) -> str:
        return mask_text(text, (*self.config.secrets, self.config.github_token or ""))

    async def publish(self, workspace_id: int) -> PublishOutcome:
        """Publish the workspace's list now; PublishError (recorded, retried) if it fails."""
        started = self.clock.now()
        async with self.store.unit() as unit:
            publication = await unit.publishing.get(workspace_id)
            workspace = await unit.workspaces.get(workspace_id)
            if publication is None or workspace is None:
                raise PublishError("this workspace publishes nowhere yet: set a repository")
            if not await unit.publishing.claim(workspace_id, started, started + CLAIM):
                raise PublishError("a publish of this list is under way already")
            view = await load_list(unit, workspace_id, workspace.settings.list_title)
        target = publication.target
        entries = snapshot(view)
        changes = list_changes(publication.state.entries, entries)
        with log_context(job="publish", workspace=workspace_id):
            try:
                text = export_text(
                    view, target.format, target.style or workspace.settings.list_style
                )
                message = commit_message(changes, workspace.settings.list_title)
                outcome = await self._write(target, text, message, changes)
            except Exception as exc:
                await self._failed(workspace, publication, exc)
                raise PublishError(self._mask(str(exc)) or type(exc).__name__) from None
            async with self.store.unit() as unit:
                await unit.publishing.succeeded(
                    workspace_id,
                    entries,
                    outcome.commit,
                    outcome.pull_request,
                    self.clock.now(),
                    requested_before=started,
                )
            log.info(
                "published the list: %s (%s)",
                changes.summary,
                outcome.commit if outcome.committed else "unchanged",
            )
        return outcome

    async def _write(
        self, target: PublishTarget, text: str, message: str, changes: ListChanges
    ) -> PublishOutcome:
        path = check_file_path(target.path)
        pulls_repo = pull_request_repo(target, self.config)
        with tempfile.TemporaryDirectory(prefix="paperbot-publish-") as scratch:
            repo = GitWorkdir(
                Path(scratch) / "repo",
                self.config.identity,
                # The token goes to GitHub alone, never to another host a remote names.
                token=self.config.github_token if _on_github(target.repository) else None,
                secrets=self.config.secrets,
                timeout=self.config.timeout,
                environment=self.config.environment,
            )
            await repo.clone(target.repository)
            base_exists = await repo.has_remote_branch(target.branch)
            if pulls_repo is None:
                await repo.start_branch(target.branch, target.branch if base_exists else None)
                committed = await repo.commit_file(path, text, message)
                if committed:
                    await repo.push(target.branch)
                return PublishOutcome(await repo.head(), changes, committed)
            # The pull request's branch goes on while it is open, and starts again from the
            # target branch once merged.
            head_exists = await repo.has_remote_branch(PULL_BRANCH)
            fresh = not head_exists or (
                base_exists and await repo.is_merged(PULL_BRANCH, target.branch)
            )
            start = (target.branch if base_exists else None) if fresh else PULL_BRANCH
            await repo.start_branch(PULL_BRANCH, start)
            committed = await repo.commit_file(path, text, message)
            if committed:
                await repo.push(PULL_BRANCH, force=head_exists and fresh)
            commit = await repo.head()
            if not committed and fresh:
                # Nothing to propose: the target branch has the list as it is.
                return PublishOutcome(commit, changes, committed)
        pulls = GitHubPulls(
            self.config.github_api_url,
            pulls_repo,
            self.config.github_token or "",
            self.config.timeout,
        )
        body = (
            "paperbot keeps this pull request up to date with the list as its admins approve "
            f"papers.\n\nLatest publish:\n\n```\n{message}```\n"
        )
        pull = await pulls.open_or_update(PULL_BRANCH, target.branch, PULL_TITLE, body)
        return PublishOutcome(commit, changes, committed, pull.url)

    async def _failed(self, workspace: Workspace, publication: Publication, exc: Exception) -> None:
        error = self._mask(str(exc)) or type(exc).__name__
        if not isinstance(exc, PublishError):
            log.error("publish failed: %s", error, exc_info=exc)
        now = self.clock.now()
        async with self.store.unit() as unit:
            attempts = await unit.publishing.failed(
                workspace.id, error, now + retry_delay(publication.state.attempts + 1)
            )
            if attempts == 1:
                notice = public(
                    "I could not publish the list to ",
                    code(without_credentials(publication.target.repository)),
                    f": {error}. I will try again, later and later, until it works; ",
                    code("/paper settings publish"),
                    " shows where it stands.",
                    title="List not published",
                )
                await notify_admins(unit, workspace, notice)
        log.warning("publish failed (attempt %d): %s", attempts, error)

    async def request(self, workspace_id: int) -> None:
        """After an approval: a publish is due when the workspace publishes after each one."""
        async with self.store.unit() as unit:
            publication = await unit.publishing.get(workspace_id)
            if publication is None or publication.target.trigger != "approval":
                return
            await unit.publishing.request(workspace_id, self.clock.now())
        task: asyncio.Task[object] = asyncio.create_task(self.run_due())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run_due(self) -> int:
        """Ask for the daily publishes whose time came, then run every due one; how many ran."""
        now = self.clock.now()
        async with self.store.unit() as unit:
            for publication in await unit.publishing.all():
                target = publication.target
                if target.trigger != "daily" or target.daily_at is None:
                    continue
                workspace = await unit.workspaces.get(target.workspace_id)
                zone = workspace.settings.timezone if workspace else "UTC"
                slot = last_daily_slot(now, target.daily_at, zone)
                done = publication.state.daily_done
                if done is None or done < slot:
                    await unit.publishing.request(target.workspace_id, now)
                    await unit.publishing.set_daily_done(target.workspace_id, slot)
            due = await unit.publishing.due(now)
        ran = 0
        for workspace_id in due:
            try:
                await self.publish(workspace_id)
                ran += 1
            except PublishError:
                pass  # recorded, logged and told; due again after its back-off
        return ran

    async def wait(self) -> None:
        """Wait for the publishes approvals started (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
