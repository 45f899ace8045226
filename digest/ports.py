"""Protocols the core needs from the outside: storage, the clock, the arXiv source.

`storage/` implements the repositories, `bot/` composes them. A core function takes a `Store`
and opens one `Unit` (one transaction) for work that must land together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from digest.list_document import DocumentLayout, SectionLayout
from digest.models import (
    Digest,
    DigestCandidate,
    DigestItem,
    ListEntry,
    ListSection,
    Match,
    NewListEntry,
    Nomination,
    NominationStatus,
    OutboxMessage,
    OverflowItem,
    Paper,
    Platform,
    Subscription,
    Topic,
    Workspace,
    WorkspaceSettings,
)
from digest.publish_state import Publication, PublishedEntry, PublishTarget


class Clock(Protocol):
    """Where the current time comes from (injected so tests control it)."""

    def now(self) -> datetime:
        """The current instant, time-zone aware."""
        ...


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """How an upsert of papers went."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    written_ids: tuple[str, ...] = ()

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.written_ids + other.written_ids,
        )


class WorkspaceRepository(Protocol):
    """Workspaces and their settings."""

    async def get_or_create(
        self,
        platform: Platform,
        external_id: str,
        name: str,
        initial: WorkspaceSettings | None = None,
    ) -> Workspace:
        """The workspace for a guild or team, created with `initial` settings if new."""
        ...

    async def get(self, workspace_id: int) -> Workspace | None:
        """One workspace by id."""
        ...

    async def update_settings(self, workspace_id: int, settings: WorkspaceSettings) -> Workspace:
        """Replace a workspace's settings."""
        ...

    async def all(self) -> list[Workspace]:
        """Every workspace."""
        ...


class PaperRepository(Protocol):
    """arXiv papers, one row per id at its latest version."""

    async def upsert_many(self, papers: Sequence[Paper]) -> UpsertResult:
        """Insert new papers; replace stored ones only with a newer version."""
        ...

    async def get(self, arxiv_id: str) -> Paper | None:
        """One paper by id (without version)."""
        ...

    async def get_many(self, arxiv_ids: Iterable[str]) -> dict[str, Paper]:
        """Papers by id; missing ids are absent from the result."""
        ...

    async def announced_between(self, start: date, end: date) -> list[Paper]:
        """Papers announced on days start..end inclusive, oldest first."""
        ...

    async def matchable_between(self, start: date, end: date) -> list[Paper]:
        """Papers announced on days start..end inclusive, with only what a rule is matched on
        (id, title, abstract, authors, categories, comment, journal ref, venue, code link):
        the other fields keep their defaults. For scanning the backlog."""
        ...

    async def count(self) -> int:
        """How many papers are stored."""
        ...

    async def newest_announced(self) -> date | None:
        """The latest announcement day of any stored paper."""
        ...

    async def count_updated_between(
        self, categories: str | Sequence[str], start: datetime, end: datetime
    ) -> int:
        """How many stored papers in any of these categories (or `cs.*`) were last updated in
        [start, end), each counted once."""
        ...


class HarvestStateRepository(Protocol):
    """Watermarks of the arXiv harvester, per harvest key (a category or a query)."""

    async def get_watermark(self, key: str) -> datetime | None:
        """The end of the last fully stored window for `key`."""
        ...

    async def set_watermark(self, key: str, watermark: datetime) -> None:
        """Advance the watermark of `key` (only after its window is stored)."""
        ...

    async def all(self) -> dict[str, datetime]:
        """Every harvest key with its watermark."""
        ...


class TopicRepository(Protocol):
    """Named topic rules of a workspace."""

    async def create(
        self, workspace_id: int, name: str, rule: str, description: str, created_by: str | None
    ) -> Topic:
        """A new topic; the name must be free in the workspace."""
        ...

    async def update_rule(self, topic_id: int, rule: str, description: str | None) -> Topic:
        """Change a topic's rule (and description when given)."""
        ...

    async def get_by_name(self, workspace_id: int, name: str) -> Topic | None:
        """A topic by its name in a workspace."""
        ...

    async def get_many(self, topic_ids: Iterable[int]) -> dict[int, Topic]:
        """Topics by id."""
        ...

    async def list(self, workspace_id: int | None = None) -> list[Topic]:
        """Topics of one workspace, or of all workspaces, by name."""
        ...

    async def delete(self, topic_id: int) -> None:
        """Remove a topic with its subscriptions and matches."""
        ...


class SubscriptionRepository(Protocol):
    """Channels' subscriptions to topics."""

    async def create(
        self,
        workspace_id: int,
        channel_id: str,
        topic_id: int,
        weekday: int,
        at: time,
        timezone: str,
        cap: int,
        watermark: datetime | None,
    ) -> Subscription:
        """Subscribe a channel to a topic."""
        ...

    async def get(self, subscription_id: int) -> Subscription | None:
        """One subscription by id."""
        ...

    async def find(self, channel_id: str, topic_id: int) -> Subscription | None:
        """The subscription of a channel to a topic, if any."""
        ...

    async def for_channel(self, workspace_id: int, channel_id: str) -> list[Subscription]:
        """A channel's subscriptions."""
        ...

    async def active_for_topic(self, topic_id: int) -> list[Subscription]:
        """The subscriptions of one topic that are not paused."""
        ...

    async def all_active(self) -> list[Subscription]:
        """Every subscription that is not paused."""
        ...

    async def delete(self, subscription_id: int) -> None:
        """Unsubscribe."""
        ...

    async def set_watermark(self, subscription_ids: Sequence[int], watermark: datetime) -> None:
        """Record the end of the window just delivered."""
        ...

    async def set_paused(self, subscription_id: int, paused: bool, reason: str | None) -> None:
        """Pause (with a reason) or resume a subscription."""
        ...

    async def set_schedule(
        self, subscription_id: int, weekday: int, at: time, timezone: str
    ) -> None:
        """Move a subscription's digest to another weekday, time or time zone."""
        ...

    async def lock_channel(self, workspace_id: int, channel_id: str) -> list[Subscription]:
        """A channel's subscriptions, locked until the transaction ends (where the engine can)."""
        ...

    async def set_options(
        self,
        subscription_ids: Sequence[int],
        cap: int | None = None,
        quiet_when_empty: bool | None = None,
    ) -> None:
        """Change the cap and/or the empty-week behaviour of these subscriptions."""
        ...


class MatchRepository(Protocol):
    """Which topics matched which papers."""

    async def add_many(self, matches: Sequence[Match]) -> int:
        """Store matches, ignoring ones already stored; returns how many were new."""
        ...

    async def for_topics(
        self, topic_ids: Sequence[int], after: datetime | None, until: datetime
    ) -> list[Match]:
        """Matches of these topics stored in (after, until]."""
        ...

    async def delete_for_topic(self, topic_id: int) -> None:
        """Forget a topic's matches (before re-matching an edited rule)."""
        ...


class DigestRepository(Protocol):
    """Digests as built, with the papers they showed."""

    async def save(self, digest: Digest) -> Digest:
        """Store a digest and its items; returns it with its id."""
        ...

    async def shown_paper_ids(self, workspace_id: int, channel_id: str) -> set[str]:
        """Papers this channel has already been shown in any digest."""
        ...

    async def items(self, digest_id: int) -> list[DigestItem]:
        """A stored digest's items, in rank order."""
        ...

    async def shown_in_workspace(self, workspace_id: int, limit: int) -> list[str]:
        """Papers the workspace's digests showed (not their overflow), newest first, at most
        `limit`."""
        ...

    async def candidates(
        self,
        subscriptions: Sequence[Subscription],
        after: Mapping[int, datetime],
        until: datetime,
    ) -> list[DigestCandidate]:
        """Matches of each subscription's topic in (after[subscription id], until], one query.

        `after[id]` is never before that subscription's stored watermark. Each comes flagged:
        on the workspace's list, already shown in the subscription's channel, and the votes of
        a pending nomination of the paper in the workspace; with the paper's version and the
        workspace's ranking setting.
        """
        ...

    async def overflow(self, digest_id: int) -> list[OverflowItem]:
        """The papers a stored digest left out over its cap, in rank order."""
        ...

    async def get(self, digest_id: int) -> Digest | None:
        """A stored digest without its items."""
        ...

    async def latest(self, workspace_id: int, channel_id: str) -> Digest | None:
        """The channel's most recent digest, without its items."""
        ...


class OutboxRepository(Protocol):
    """Messages written before posting, and the platform ids of posted ones."""

    async def enqueue(
        self,
        workspace_id: int,
        channel_id: str,
        kind: str,
        payloads: Sequence[Mapping[str, object]],
        digest_id: int | None = None,
    ) -> list[OutboxMessage]:
        """Write messages to be posted, in order."""
        ...

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages whose next attempt is due, oldest first."""
        ...

    async def mark_posted(
        self, message_id: int, platform_message_id: str, paper_id: str | None, now: datetime
    ) -> None:
        """Record that a message was posted, and which paper it shows."""
        ...

    async def mark_retry(
        self, message_id: int, error: str, next_attempt_at: datetime, in_doubt: bool = False
    ) -> None:
        """Schedule the next attempt; `in_doubt` when the failed one may have been posted."""
        ...

    async def claim(
        self, now: datetime, token: str, stale_before: datetime, limit: int = 100
    ) -> list[OutboxMessage]:
        """Take due messages for posting: the next unposted one of each digest, other messages.

        A claimed message is `sending` under `token`; one left `sending` by a claim older than
        `stale_before` (a crashed process) is taken again and comes back with `in_doubt`.
        """
        ...

    async def fail_pending(self, workspace_id: int, channel_id: str, error: str) -> int:
        """Mark the channel's unposted digest messages failed (its channel is gone)."""
        ...

    async def requeue_failed(self, workspace_id: int, channel_id: str, now: datetime) -> int:
        """Put the channel's failed digest messages back in line (access is fixed)."""
        ...

    async def for_digest(self, digest_id: int) -> list[OutboxMessage]:
        """A digest's messages in order, whatever their status."""
        ...

    async def mark_failed(self, message_id: int, error: str) -> None:
        """Give up on a message (a permanent error); it stays in the table."""
        ...

    async def release(self, message_ids: Sequence[int], token: str, in_doubt: bool) -> None:
        """Put messages claimed under `token` back in line (`in_doubt`: a post was under way)."""
        ...

    async def paper_for_message(self, channel_id: str, platform_message_id: str) -> str | None:
        """The paper a posted message shows, if it shows one."""
        ...


class NominationRepository(Protocol):
    """Nominations of papers for a workspace's list, with votes."""

    async def get_for_paper(self, workspace_id: int, paper_id: str) -> Nomination | None:
        """The nomination of a paper in a workspace, if any."""
        ...

    async def get(self, nomination_id: int) -> Nomination | None:
        """One nomination by id."""
        ...

    async def create(self, workspace_id: int, paper_id: str, now: datetime) -> Nomination:
        """A new pending nomination without votes."""
        ...

    async def add_vote(self, nomination_id: int, user_id: str, source: str, now: datetime) -> bool:
        """Add a user's vote; False if that user had voted already."""
        ...

    async def remove_vote(self, nomination_id: int, user_id: str) -> bool:
        """Withdraw a user's vote; False if there was none."""
        ...

    async def decide(
        self,
        nomination_id: int,
        status: NominationStatus,
        decided_by: str,
        reason: str | None,
        now: datetime,
        section_id: int | None = None,
    ) -> Nomination:
        """Move a pending nomination to approved or rejected."""
        ...

    async def list(
        self, workspace_id: int, status: NominationStatus | None = None
    ) -> list[Nomination]:
        """Nominations of a workspace, oldest first."""
        ...


class ListRepository(Protocol):
    """The shared list: sections and entries."""

    async def sections(self, workspace_id: int, include_removed: bool = False) -> list[ListSection]:
        """All sections of a workspace's list, in display order (the removed ones if asked)."""
        ...

    async def add_section(
        self, workspace_id: int, title: str, parent_id: int | None, position: int | None = None
    ) -> ListSection:
        """A new section, last among its siblings unless a position is given."""
        ...

    async def entries(self, workspace_id: int, include_removed: bool = False) -> list[ListEntry]:
        """Entries of a workspace's list, ordered by section and position."""
        ...

    async def add_entry(
        self,
        workspace_id: int,
        section_id: int,
        title: str,
        now: datetime,
        paper_id: str | None = None,
        external_url: str | None = None,
        venue: str | None = None,
        note: str | None = None,
        added_by: str | None = None,
        approved_by: str | None = None,
        links: Sequence[tuple[str, str]] = (),
    ) -> ListEntry:
        """Append an entry at the end of its section."""
        ...

    async def add_entries(
        self,
        workspace_id: int,
        entries: Sequence[NewListEntry],
        now: datetime,
        added_by: str | None = None,
        approved_by: str | None = None,
    ) -> int:
        """Append entries at the end of their sections, in order, in a few statements."""
        ...

    async def get_entry(self, entry_id: int) -> ListEntry | None:
        """One entry by id (removed ones too)."""
        ...

    async def set_section_layouts(self, layouts: dict[int, SectionLayout]) -> None:
        """Keep sections' headings as an imported list wrote them, by section id."""
        ...

    async def layout(self, workspace_id: int) -> DocumentLayout | None:
        """What the workspace's imported list held before its first section, if it was kept."""
        ...

    async def set_layout(self, workspace_id: int, layout: DocumentLayout) -> None:
        """Keep what an imported list held before its first section (replacing what was)."""
        ...

    async def move_entry(
        self, entry_id: int, section_id: int, position: int | None = None
    ) -> ListEntry:
        """Put an entry in a section, at `position` among its entries (0 first) or last."""
        ...

    async def remove_entry(self, entry_id: int, removed_by: str, now: datetime) -> ListEntry:
        """Take an entry off the list; the row stays, with who removed it and when."""
        ...

    async def rename_section(self, section_id: int, title: str) -> ListSection:
        """Give a section a new title."""
        ...

    async def move_section(self, section_id: int, position: int) -> ListSection:
        """Reorder a section among its siblings (0 first); the others keep their order."""
        ...

    async def remove_sections(
        self, section_ids: Sequence[int], removed_by: str, now: datetime
    ) -> None:
        """Take sections off the list; their rows stay, with who removed them and when."""
        ...

    async def entry_for_paper(self, workspace_id: int, paper_id: str) -> ListEntry | None:
        """The live entry holding a paper, if the paper is on the list."""
        ...

    async def paper_ids_on_list(self, workspace_id: int) -> set[str]:
        """Ids of all papers currently on the list."""
        ...


class PublishRepository(Protocol):
    """Where each workspace's list is published, what was last published, what is due."""

    async def get(self, workspace_id: int) -> Publication | None:
        """A workspace's target and state, if it publishes."""
        ...

    async def save_target(self, target: PublishTarget) -> Publication:
        """Set where a workspace publishes; what was published before is kept."""
        ...

    async def delete(self, workspace_id: int) -> None:
        """Stop publishing a workspace's list."""
        ...

    async def all(self) -> list[Publication]:
        """Every workspace's target."""
        ...

    async def request(self, workspace_id: int, now: datetime) -> None:
        """Make a publish due: now, or when a failed one is retried (it keeps its back-off)."""
        ...

    async def set_daily_done(self, workspace_id: int, slot: datetime) -> None:
        """Record that the daily publish of `slot` was asked for."""
        ...

    async def due(self, now: datetime) -> list[int]:
        """Workspaces whose publish is due and not claimed by a live attempt."""
        ...

    async def claim(self, workspace_id: int, now: datetime, until: datetime) -> bool:
        """Take the workspace's publish until `until`; False if a live attempt holds it."""
        ...

    async def succeeded(
        self,
        workspace_id: int,
        entries: Mapping[int, PublishedEntry],
        commit: str | None,
        pull_request: str | None,
        now: datetime,
        requested_before: datetime | None,
    ) -> None:
        """Record a publish: what it wrote; the due publish is done unless asked for again
        after `requested_before` (the publish started then)."""
        ...

    async def failed(self, workspace_id: int, error: str, next_attempt_at: datetime) -> int:
        """Record a failed publish, due again at `next_attempt_at`; returns the attempts so far.
        What was last published stays as it was."""
        ...


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One page of papers from a PaperSource, with where it stands in its result set."""

    papers: tuple[Paper, ...]
    total: int
    start: int
    url: str = ""


class PaperSource(Protocol):
    """Where new papers come from (the arXiv API in production, a local server in tests)."""

    def window(
        self, categories: Sequence[str], start: datetime, end: datetime
    ) -> AsyncIterator[SourcePage]:
        """Pages of papers in these categories last updated in [start, end), newest first."""
        ...


class PaperRecords(Protocol):
    """arXiv records by id (the arXiv API's id_list queries in production)."""

    async def records(self, arxiv_ids: Sequence[str]) -> tuple[Paper, ...]:
        """The records of these ids, in one request; ids the source lacks are absent."""
        ...


class Unit(Protocol):
    """One transaction over every repository; committed when the block ends without error."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...
    @property
    def papers(self) -> PaperRepository: ...
    @property
    def harvest(self) -> HarvestStateRepository: ...
    @property
    def topics(self) -> TopicRepository: ...
    @property
    def subscriptions(self) -> SubscriptionRepository: ...
    @property
    def matches(self) -> MatchRepository: ...
    @property
    def digests(self) -> DigestRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def nominations(self) -> NominationRepository: ...
    @property
    def lists(self) -> ListRepository: ...
    @property
    def publishing(self) -> PublishRepository: ...


class Store(Protocol):
    """Opens units of work."""

    def unit(self) -> AbstractAsyncContextManager[Unit]:
        """A transaction; commits on success, rolls back on error."""
        ...
