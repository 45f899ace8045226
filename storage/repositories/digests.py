"""Digests as built, and the candidates the next digests are chosen from."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Executable, Text, and_, cast, exists, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import (
    Digest,
    DigestCandidate,
    DigestItem,
    Match,
    NominationStatus,
    OverflowItem,
    Subscription,
)
from digest.ports import Clock
from storage.convert import paper_from_row
from storage.tables import (
    DigestItemRow,
    DigestRow,
    ListEntryRow,
    MatchRow,
    NominationRow,
    PaperRow,
    ShownPaperRow,
    SubscriptionRow,
    VoteRow,
    WorkspaceRow,
)


class _TopicMatch(NamedTuple):
    """A match in a topic's window, with what its workspace knows of the paper (a tuple: one is
    made for each row of the window, a hundred thousand for 10,000 subscriptions)."""

    match: Match
    matched_at: datetime
    announced: date | None
    on_list: bool
    votes: int
    paper_version: int
    ranking: str


def _digest_from_row(row: DigestRow) -> Digest:
    return Digest(
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        window_start=row.window_start,
        window_end=row.window_end,
        items=(),
        topic_names=tuple(row.topic_names),
        more_matched=row.more_matched,
        left_out_on_list=row.left_out_on_list,
        left_out_already_shown=row.left_out_already_shown,
        subscription_ids=tuple(row.subscription_ids),
        id=row.id,
    )


class SqlDigestRepository:
    """DigestRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def save(self, digest: Digest) -> Digest:
        """Store a digest with its items and its overflow; returns it with its id."""
        row = DigestRow(
            workspace_id=digest.workspace_id,
            channel_id=digest.channel_id,
            window_start=digest.window_start,
            window_end=digest.window_end,
            subscription_ids=list(digest.subscription_ids),
            topic_names=list(digest.topic_names),
            more_matched=digest.more_matched,
            left_out_on_list=digest.left_out_on_list,
            left_out_already_shown=digest.left_out_already_shown,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        await self._session.flush()
        shown = [
            {
                "digest_id": row.id,
                "paper_id": item.paper.arxiv_id,
                "topic_id": item.topic_id,
                "topic_name": item.topic_name,
                "rank": rank,
                "score": item.score,
                "terms": list(item.terms),
                "overflow": False,
            }
            for rank, item in enumerate(digest.items)
        ]
        over = [
            {
                "digest_id": row.id,
                "paper_id": item.paper_id,
                "topic_id": item.topic_id,
                "topic_name": item.topic_name,
                "rank": rank,
                "score": item.score,
                "terms": list(item.terms),
                "overflow": True,
            }
            for rank, item in enumerate(digest.overflow, len(shown))
        ]
        if shown or over:
            await self._session.execute(insert(DigestItemRow), shown + over)
        if shown:
            dialect = self._session.get_bind().dialect.name
            await self._session.execute(record_shown(dialect, DigestItemRow.digest_id == row.id))
        return replace(digest, id=row.id)

    async def shown_paper_ids(self, workspace_id: int, channel_id: str) -> set[str]:
        """Papers this channel has already been shown in any digest (not its overflow)."""
        rows = await self._session.scalars(
            select(ShownPaperRow.paper_id).where(
                ShownPaperRow.workspace_id == workspace_id, ShownPaperRow.channel_id == channel_id
            )
        )
        return set(rows)

    async def shown_in_workspace(self, workspace_id: int, limit: int) -> list[str]:
        """Papers the workspace's digests showed (not their overflow), newest first, at most
        `limit`."""
        newest = func.max(DigestItemRow.digest_id)
        rows = await self._session.scalars(
            select(DigestItemRow.paper_id)
            .join(DigestRow, DigestRow.id == DigestItemRow.digest_id)
            .where(DigestRow.workspace_id == workspace_id, DigestItemRow.overflow.is_(False))
            .group_by(DigestItemRow.paper_id)
            .order_by(newest.desc(), DigestItemRow.paper_id)
            .limit(limit)
        )
        return list(rows)

    async def items(self, digest_id: int) -> list[DigestItem]:
        """A stored digest's items, in rank order."""
        rows = await self._session.execute(
            select(DigestItemRow, PaperRow)
            .join(PaperRow, PaperRow.arxiv_id == DigestItemRow.paper_id)
            .where(DigestItemRow.digest_id == digest_id, DigestItemRow.overflow.is_(False))
            .order_by(DigestItemRow.rank)
        )
        return [
            DigestItem(
                paper=paper_from_row(paper),
                topic_id=item.topic_id or 0,
                topic_name=item.topic_name,
                score=item.score,
                terms=tuple(item.terms),
            )
            for item, paper in rows
        ]

    async def overflow(self, digest_id: int) -> list[OverflowItem]:
        """The papers a stored digest left out over its cap, in rank order."""
        rows = await self._session.scalars(
            select(DigestItemRow)
            .where(DigestItemRow.digest_id == digest_id, DigestItemRow.overflow.is_(True))
            .order_by(DigestItemRow.rank)
        )
        return [
            OverflowItem(
                paper_id=row.paper_id,
                topic_id=row.topic_id or 0,
                topic_name=row.topic_name,
                score=row.score,
                terms=tuple(row.terms),
            )
            for row in rows
        ]

    async def get(self, digest_id: int) -> Digest | None:
        """A stored digest without its items."""
        row = await self._session.get(DigestRow, digest_id)
        return _digest_from_row(row) if row else None

    async def latest(self, workspace_id: int, channel_id: str) -> Digest | None:
        """The channel's most recent digest, without its items."""
        row = await self._session.scalar(
            select(DigestRow)
            .where(DigestRow.workspace_id == workspace_id, DigestRow.channel_id == channel_id)
            .order_by(DigestRow.id.desc())
            .limit(1)
        )
        return _digest_from_row(row) if row else None

    async def candidates(
        self,
        subscriptions: Sequence[Subscription],
        after: Mapping[int, datetime],
        until: datetime,
    ) -> list[DigestCandidate]:
        """Matches of each subscription's topic in (after[subscription id], until], in two
        queries however many subscriptions.

        `after[id]` is never before that subscription's stored watermark. Each comes flagged:
        on the workspace's list, already shown in the subscription's channel, and the votes of
        a pending nomination of the paper in the workspace; with the paper's version and the
        workspace's ranking setting.
        """
        if not subscriptions:
            return []
        # The window's lower bound in SQL is the stored watermark (or the earliest start asked
        # for), so the statements are the same whatever the ids: they compile once and are
        # cached. Exact bounds per subscription are applied below.
        floor = min(after[s.id] for s in subscriptions)
        given = {s.id: s for s in subscriptions}
        ids = sorted(given)
        topics = await self._topic_matches(ids, floor, until)
        shown = await self._shown(ids, floor, until)
        found: list[DigestCandidate] = []
        for sub_id in ids:
            since, followed = after[sub_id], (given[sub_id].workspace_id, given[sub_id].topic_id)
            for match, at, announced, listed, votes, version, ranking in topics.get(followed, ()):
                if at > since:
                    found.append(
                        DigestCandidate(
                            subscription_id=sub_id,
                            match=match,
                            announced=announced,
                            on_list=listed,
                            shown=(sub_id, match.paper_id) in shown,
                            votes=votes,
                            paper_version=version,
                            ranking=ranking,
                        )
                    )
        return found

    async def _topic_matches(
        self, ids: Sequence[int], floor: datetime, until: datetime
    ) -> dict[tuple[int, int], list[_TopicMatch]]:
        """The matches in the window of each (workspace, topic) the subscriptions follow, by
        paper id: read once, however many of the subscriptions follow the topic."""
        sub, match = SubscriptionRow, MatchRow
        followed = (
            select(
                sub.workspace_id,
                sub.topic_id,
                func.min(func.coalesce(sub.watermark, floor)).label("since"),
            )
            .where(sub.id.in_(ids))
            .group_by(sub.workspace_id, sub.topic_id)
            .subquery("followed")
        )
        on_list = exists().where(
            ListEntryRow.workspace_id == followed.c.workspace_id,
            ListEntryRow.paper_id == match.paper_id,
            ListEntryRow.removed_at.is_(None),
        )
        votes = (
            select(func.count())
            .select_from(VoteRow)
            .join(NominationRow, NominationRow.id == VoteRow.nomination_id)
            .where(
                NominationRow.workspace_id == followed.c.workspace_id,
                NominationRow.paper_id == match.paper_id,
                NominationRow.status == NominationStatus.PENDING.value,
            )
            .scalar_subquery()
        )
        # Through the session's connection, not the ORM: plain column rows (a hundred thousand
        # at 10,000 subscriptions) need none of its loading.
        connection = await self._session.connection()
        rows = await connection.execute(
            select(
                followed.c.workspace_id,
                match.topic_id,
                match.paper_id,
                match.score,
                # As the JSON text: a topic's matches share a few term lists, each decoded once.
                cast(match.terms, Text).label("terms"),
                match.matched_at,
                PaperRow.announced,
                PaperRow.version,
                WorkspaceRow.ranking,
                on_list.label("on_list"),
                votes.label("votes"),
            )
            .select_from(followed)
            .join(
                match,
                and_(
                    match.topic_id == followed.c.topic_id,
                    match.matched_at > followed.c.since,
                    match.matched_at <= until,
                ),
            )
            .join(PaperRow, PaperRow.arxiv_id == match.paper_id)
            .join(WorkspaceRow, WorkspaceRow.id == followed.c.workspace_id)
            .order_by(followed.c.workspace_id, match.topic_id, match.paper_id)
        )
        found: dict[tuple[int, int], list[_TopicMatch]] = defaultdict(list)
        decoded: dict[str, tuple[str, ...]] = {}
        for (
            ws,
            topic_id,
            paper_id,
            score,
            raw,
            at,
            announced,
            version,
            ranking,
            listed,
            votes,
        ) in rows:
            terms = decoded.get(raw)
            if terms is None:
                terms = decoded[raw] = tuple(json.loads(raw))
            found[(ws, topic_id)].append(
                _TopicMatch(
                    Match(paper_id, topic_id, score, terms, at),
                    at,
                    announced,
                    bool(listed),
                    int(votes or 0),
                    version,
                    ranking,
                )
            )
        return found

    async def _shown(
        self, ids: Sequence[int], floor: datetime, until: datetime
    ) -> set[tuple[int, str]]:
        """(subscription id, paper id) of the window's matches already shown in the
        subscription's channel (not in an overflow)."""
        sub, match = SubscriptionRow, MatchRow
        # One probe of the channel's shown papers per candidate (or, as PostgreSQL may plan it
        # for many channels at once, a join over those channels' rows): never a walk of every
        # digest, in any workspace, that showed the paper, nor of the channel's whole history.
        shown = exists().where(
            ShownPaperRow.workspace_id == sub.workspace_id,
            ShownPaperRow.channel_id == sub.channel_id,
            ShownPaperRow.paper_id == match.paper_id,
        )
        connection = await self._session.connection()  # column rows: no ORM loading
        rows = await connection.execute(
            select(sub.id, match.paper_id)
            .select_from(sub)
            .join(
                match,
                and_(
                    match.topic_id == sub.topic_id,
                    match.matched_at > func.coalesce(sub.watermark, floor),
                    match.matched_at <= until,
                ),
            )
            .where(sub.id.in_(ids), shown)
        )
        return {(row.id, row.paper_id) for row in rows}


def record_shown(dialect: str, which: ColumnElement[bool]) -> Executable:
    """The INSERT into shown_papers of the shown papers (not the overflow) of the digest items
    `which` selects, with the first digest that showed each paper in its channel. A paper the
    channel was shown before (a window built twice, say) keeps its first showing."""
    item, digest = DigestItemRow, DigestRow
    first = (
        select(digest.workspace_id, digest.channel_id, item.paper_id, func.min(digest.id))
        .join(item, item.digest_id == digest.id)
        .where(which, item.overflow.is_(False))
        .group_by(digest.workspace_id, digest.channel_id, item.paper_id)
    )
    columns = ["workspace_id", "channel_id", "paper_id", "digest_id"]
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return upsert(ShownPaperRow).from_select(columns, first).on_conflict_do_nothing()
