"""Values of publishing: a workspace's target, and the state of its publishes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time

FORMATS = ("md", "json", "bibtex")
# approval: after each approval; daily: at `daily_at` in the workspace's time zone; manual:
# only when asked (`paperbot list publish`, `/paper settings publish now`).
TRIGGERS = ("approval", "daily", "manual")


@dataclass(frozen=True, slots=True)
class PublishTarget:
    """Where and how a workspace's list is published."""

    workspace_id: int
    repository: str
    branch: str = "main"
    path: str = "README.md"
    format: str = "md"
    style: str | None = None
    trigger: str = "approval"
    daily_at: time | None = None
    # owner/name on GitHub: with a token, publish through one pull request there.
    github_repo: str | None = None


@dataclass(frozen=True, slots=True)
class PublishedEntry:
    """One entry as a publish wrote it."""

    title: str
    section: str
    link: str | None = None


@dataclass(frozen=True, slots=True)
class PublishState:
    """What the last successful publish wrote, and where a publish that is due stands."""

    entries: Mapping[int, PublishedEntry] | None = None
    published_at: datetime | None = None
    commit: str | None = None
    pull_request: str | None = None
    requested_at: datetime | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    daily_done: datetime | None = None


@dataclass(frozen=True, slots=True)
class Publication:
    """A workspace's target with its state."""

    target: PublishTarget
    state: PublishState
