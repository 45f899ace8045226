"""Topics, the channels subscribed to them, and the papers they matched."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from digest.models import Match, Subscription, Topic
from digest.ports import Clock
from storage.convert import subscription_from_row, topic_from_row
from storage.paper_rows import MATCH_COLUMNS, RowMaker
from storage.staging_copy import copy_to_staging
from storage.tables import MatchRow, SubscriptionRow, TopicRow


class SqlTopicRepository:
    """TopicRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def create(
        self, workspace_id: int, name: str, rule: str, description: str, created_by: str | None
    ) -> Topic:
        """A new topic; the name must be free in the workspace."""
        now = self._clock.now()
        row = TopicRow(
            workspace_id=workspace_id,
            name=name,
            rule=rule,
            description=description,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return topic_from_row(row)

    async def update_rule(self, topic_id: int, rule: str, description: str | None) -> Topic:
        """Change a topic's rule (and description when given)."""
        row = await self._session.get_one(TopicRow, topic_id)
        row.rule = rule
        if description is not None:
            row.description = description
        row.updated_at = self._clock.now()
        await self._session.flush()
        return topic_from_row(row)

    async def get_by_name(self, workspace_id: int, name: str) -> Topic | None:
        """A topic by its name in a workspace."""
        row = await self._session.scalar(
            select(TopicRow).where(TopicRow.workspace_id == workspace_id, TopicRow.name == name)
        )
        return topic_from_row(row) if row else None

    async def get_many(self, topic_ids: Iterable[int]) -> dict[int, Topic]:
        """Topics by id."""
        ids = sorted(set(topic_ids))
        if not ids:
            return {}
        rows = await self._session.scalars(select(TopicRow).where(TopicRow.id.in_(ids)))
        return {row.id: topic_from_row(row) for row in rows}

    async def list(self, workspace_id: int | None = None) -> list[Topic]:
        """Topics of one workspace, or of all workspaces, by name."""
        query = select(TopicRow).order_by(TopicRow.workspace_id, TopicRow.name)
        if workspace_id is not None:
            query = query.where(TopicRow.workspace_id == workspace_id)
        return [topic_from_row(row) for row in await self._session.scalars(query)]

    async def delete(self, topic_id: int) -> None:
        """Remove a topic with its subscriptions and matches."""
        await self._session.execute(delete(TopicRow).where(TopicRow.id == topic_id))


class SqlSubscriptionRepository:
    """SubscriptionRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

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
        row = SubscriptionRow(
            workspace_id=workspace_id,
            channel_id=channel_id,
            topic_id=topic_id,
            weekday=weekday,
            at=at,
            timezone=timezone,
            cap=cap,
            quiet_when_empty=False,
            paused=False,
            watermark=watermark,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        await self._session.flush()
        return subscription_from_row(row)

    async def get(self, subscription_id: int) -> Subscription | None:
        """One subscription by id."""
        row = await self._session.get(SubscriptionRow, subscription_id)
        return subscription_from_row(row) if row else None

    async def find(self, channel_id: str, topic_id: int) -> Subscription | None:
        """The subscription of a channel to a topic, if any."""
        row = await self._session.scalar(
            select(SubscriptionRow).where(
                SubscriptionRow.channel_id == channel_id, SubscriptionRow.topic_id == topic_id
            )
        )
        return subscription_from_row(row) if row else None

    async def for_channel(self, workspace_id: int, channel_id: str) -> list[Subscription]:
        """A channel's subscriptions."""
        rows = await self._session.scalars(
            select(SubscriptionRow)
            .where(
                SubscriptionRow.workspace_id == workspace_id,
                SubscriptionRow.channel_id == channel_id,
            )
            .order_by(SubscriptionRow.id)
        )
        return [subscription_from_row(row) for row in rows]

    async def active_for_topic(self, topic_id: int) -> list[Subscription]:
        """The subscriptions of one topic that are not paused."""
        rows = await self._session.scalars(
            select(SubscriptionRow)
            .where(SubscriptionRow.topic_id == topic_id, SubscriptionRow.paused.is_(False))
            .order_by(SubscriptionRow.id)
        )
        return [subscription_from_row(row) for row in rows]

    async def all_active(self) -> list[Subscription]:
        """Every subscription that is not paused."""
        rows = await self._session.scalars(
            select(SubscriptionRow)
            .where(SubscriptionRow.paused.is_(False))
            .order_by(SubscriptionRow.id)
        )
        return [subscription_from_row(row) for row in rows]

    async def delete(self, subscription_id: int) -> None:
        """Unsubscribe."""
        await self._session.execute(
            delete(SubscriptionRow).where(SubscriptionRow.id == subscription_id)
        )

    async def set_watermark(self, subscription_ids: Sequence[int], watermark: datetime) -> None:
        """Record the end of the window just delivered."""
        if subscription_ids:
            await self._session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.id.in_(list(subscription_ids)))
                .values(watermark=watermark)
            )

    async def set_paused(self, subscription_id: int, paused: bool, reason: str | None) -> None:
        """Pause (with a reason) or resume a subscription."""
        await self._session.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.id == subscription_id)
            .values(paused=paused, paused_reason=reason if paused else None)
        )

    async def set_schedule(
        self, subscription_id: int, weekday: int, at: time, timezone: str
    ) -> None:
        """Move a subscription's digest to another weekday, time or time zone."""
        await self._session.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.id == subscription_id)
            .values(weekday=weekday, at=at, timezone=timezone)
        )

    async def lock_channel(self, workspace_id: int, channel_id: str) -> list[Subscription]:
        """A channel's subscriptions, locked until the transaction ends (where the engine can)."""
        # FOR UPDATE on PostgreSQL makes a second process wait and then see the new watermark;
        # SQLite has one writer at a time and ignores it.
        rows = await self._session.scalars(
            select(SubscriptionRow)
            .where(
                SubscriptionRow.workspace_id == workspace_id,
                SubscriptionRow.channel_id == channel_id,
            )
            .order_by(SubscriptionRow.id)
            .with_for_update()
        )
        return [subscription_from_row(row) for row in rows]

    async def set_options(
        self,
        subscription_ids: Sequence[int],
        cap: int | None = None,
        quiet_when_empty: bool | None = None,
    ) -> None:
        """Change the cap and/or the empty-week behaviour of these subscriptions."""
        changes: dict[str, object] = {}
        if cap is not None:
            changes["cap"] = cap
        if quiet_when_empty is not None:
            changes["quiet_when_empty"] = quiet_when_empty
        if subscription_ids and changes:
            await self._session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.id.in_(list(subscription_ids)))
                .values(**changes)
            )


MATCH_STAGING = "match_staging"


class SqlMatchRepository:
    """MatchRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def add_many(self, matches: Sequence[Match]) -> int:
        """Store matches, ignoring ones already stored; returns how many were new."""
        wanted = {(m.topic_id, m.paper_id): m for m in matches}
        if not wanted:
            return 0
        connection = await self._session.connection()
        rows = RowMaker(connection.dialect).matches(list(wanted.values()), self._clock.now())
        listed = ", ".join(MATCH_COLUMNS)
        # The pairs already stored are skipped by the primary key: no read of `topic IN (...)
        # AND paper IN (...)`, whose cross product grew with both.
        if connection.dialect.name == "postgresql":
            await copy_to_staging(connection, MATCH_STAGING, "matches", MATCH_COLUMNS, rows)
            result = await connection.exec_driver_sql(
                f"INSERT INTO matches ({listed}) SELECT {listed} FROM {MATCH_STAGING} "
                "ON CONFLICT (topic_id, paper_id) DO NOTHING"
            )
            await connection.exec_driver_sql(f"DROP TABLE {MATCH_STAGING}")
            return int(result.rowcount)
        # SQLite: one prepared INSERT run over every row; the driver sums the rows inserted.
        result = await connection.exec_driver_sql(
            f"INSERT INTO matches ({listed}) VALUES ({', '.join('?' for _ in MATCH_COLUMNS)}) "
            "ON CONFLICT (topic_id, paper_id) DO NOTHING",
            rows,
        )
        return int(result.rowcount)

    async def for_topics(
        self, topic_ids: Sequence[int], after: datetime | None, until: datetime
    ) -> list[Match]:
        """Matches of these topics stored in (after, until]."""
        if not topic_ids:
            return []
        query = select(MatchRow).where(
            MatchRow.topic_id.in_(list(topic_ids)), MatchRow.matched_at <= until
        )
        if after is not None:
            query = query.where(MatchRow.matched_at > after)
        rows = await self._session.scalars(query.order_by(MatchRow.matched_at, MatchRow.paper_id))
        return [
            Match(
                paper_id=row.paper_id,
                topic_id=row.topic_id,
                score=row.score,
                terms=tuple(row.terms),
                matched_at=row.matched_at,
            )
            for row in rows
        ]

    async def delete_for_topic(self, topic_id: int) -> None:
        """Forget a topic's matches (before re-matching an edited rule)."""
        await self._session.execute(delete(MatchRow).where(MatchRow.topic_id == topic_id))
