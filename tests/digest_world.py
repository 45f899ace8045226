"""A small world for digest tests: a workspace, topics, subscriptions, papers and matches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from digest.models import Match, Platform, Subscription, Topic, Workspace, WorkspaceSettings
from storage.store import SqlStore
from tests.factories import make_paper


async def make_workspace(
    store: SqlStore, review_channel: str | None = "c-review", external_id: str = "console"
) -> Workspace:
    """The console workspace, with a review channel unless told otherwise."""
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, external_id, "lab")
        if review_channel:
            workspace = await unit.workspaces.update_settings(
                workspace.id, WorkspaceSettings(review_channel=review_channel)
            )
    return workspace


async def make_topic(
    store: SqlStore, workspace: Workspace, name: str, rule: str = "ti:llm"
) -> Topic:
    """A topic written by the admin `u-admin`."""
    async with store.unit() as unit:
        return await unit.topics.create(workspace.id, name, rule, "", "u-admin")


async def make_subscription(
    store: SqlStore,
    workspace: Workspace,
    channel: str,
    topic: Topic,
    weekday: int = 0,
    at: time = time(9, 0),
    zone: str = "UTC",
    cap: int = 15,
    watermark: datetime | None = None,
) -> Subscription:
    """A channel's subscription to a topic."""
    async with store.unit() as unit:
        return await unit.subscriptions.create(
            workspace.id, channel, topic.id, weekday, at, zone, cap, watermark
        )


async def add_papers(
    store: SqlStore, ids: Sequence[str], announced: date = date(2026, 6, 23)
) -> None:
    """Papers with these ids (titles name them)."""
    async with store.unit() as unit:
        await unit.papers.upsert_many(
            [make_paper(arxiv_id=i, title=f"Paper {i}", announced=announced) for i in ids]
        )


async def add_matches(
    store: SqlStore, topic: Topic, scored: dict[str, float], matched_at: datetime
) -> None:
    """Matches of a topic at `matched_at` with these scores (papers must exist)."""
    async with store.unit() as unit:
        await unit.matches.add_many(
            [Match(i, topic.id, score, ("ti:llm",), matched_at) for i, score in scored.items()]
        )


async def put_on_list(store: SqlStore, workspace: Workspace, paper_id: str, now: datetime) -> None:
    """Add a paper to the workspace's list."""
    async with store.unit() as unit:
        section = await unit.lists.add_section(workspace.id, "Inference", None)
        await unit.lists.add_entry(workspace.id, section.id, f"Paper {paper_id}", now, paper_id)


async def nominate(
    store: SqlStore, workspace: Workspace, paper_id: str, voters: Sequence[str], now: datetime
) -> None:
    """A pending nomination of a paper with these votes."""
    async with store.unit() as unit:
        nomination = await unit.nominations.create(workspace.id, paper_id, now)
        for voter in voters:
            await unit.nominations.add_vote(nomination.id, voter, "reaction", now)
