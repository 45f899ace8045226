"""SQLAlchemy 2 typed tables for the whole domain (one class per table)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table, with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as a class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class WorkspaceRow(Base):
    """A Discord guild or Slack team, with its settings."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    admin_role: Mapped[str | None] = mapped_column(String(100))
    review_channel: Mapped[str | None] = mapped_column(String(64))
    nomination_emoji: Mapped[str] = mapped_column(String(64), default="⭐")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)
    digest_time: Mapped[time] = mapped_column(Time, default=time(9, 0))
    list_title: Mapped[str] = mapped_column(String(200), default="Paper list")
    list_style: Mapped[str] = mapped_column(String(32), default="llmsys")
    auto_approve_votes: Mapped[int | None] = mapped_column(Integer)
    ranking: Mapped[str] = mapped_column(String(16), default="learned", server_default="learned")
    created_at: Mapped[datetime]


class PaperRow(Base):
    """An arXiv paper at its latest stored version."""

    __tablename__ = "papers"

    arxiv_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[Any]]
    categories: Mapped[list[Any]]
    primary_category: Mapped[str | None] = mapped_column(String(40), index=True)
    submitted: Mapped[datetime | None]
    updated: Mapped[datetime | None] = mapped_column(index=True)
    announced: Mapped[date | None] = mapped_column(Date, index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(200))
    venue: Mapped[str | None] = mapped_column(String(64))
    code_url: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[Any]]
    stored_at: Mapped[datetime]


class HarvestStateRow(Base):
    """Where the arXiv harvester stands for one key (category or query)."""

    __tablename__ = "harvest_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    watermark: Mapped[datetime]
    updated_at: Mapped[datetime]


class TopicRow(Base):
    """A named rule of a workspace."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SubscriptionRow(Base):
    """A channel's subscription to a topic, with its schedule and watermark."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("topic_id", "channel_id"),
        Index("ix_subscriptions_channel", "workspace_id", "channel_id"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("cap > 0", name="cap"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[time] = mapped_column(Time, default=time(9, 0))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    cap: Mapped[int] = mapped_column(Integer, default=15)
    quiet_when_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    watermark: Mapped[datetime | None]
    created_at: Mapped[datetime]


class MatchRow(Base):
    """A paper matched by a topic."""

    __tablename__ = "matches"
    __table_args__ = (Index("ix_matches_topic_time", "topic_id", "matched_at"),)

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[str] = mapped_column(
        ForeignKey("papers.arxiv_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[float] = mapped_column(Float)
    terms: Mapped[list[Any]]
    matched_at: Mapped[datetime]


class DigestRow(Base):
    """A digest built for one channel and window."""

    __tablename__ = "digests"
    __table_args__ = (Index("ix_digests_channel", "workspace_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime]
    subscription_ids: Mapped[list[Any]]
    topic_names: Mapped[list[Any]]
    more_matched: Mapped[int] = mapped_column(Integer, default=0)
    left_out_on_list: Mapped[int] = mapped_column(Integer, default=0)
    left_out_already_shown: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class DigestItemRow(Base):
    """A paper shown in a digest."""

    __tablename__ = "digest_items"

    digest_id: Mapped[int] = mapped_column(
        ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[str] = mapped_column(
        ForeignKey("papers.arxiv_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    topic_name: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    terms: Mapped[list[Any]]
    # Over the cap: stored so `/paper more` can show it, but not posted, so not "shown here".
    overflow: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ShownPaperRow(Base):
    """A paper a channel has been shown (its first digest showing it; overflow is not shown).

    Derived from the digests' items when a digest is saved, keyed by channel first: "shown here
    before" is then one probe per candidate, however long the channel's history and however many
    other workspaces showed the paper. One row per paper and channel, for the first digest that
    showed it: deleting that digest forgets the showing even if a later digest repeated it
    (nothing deletes a single digest; a workspace's go with it, and so do its rows here).
    """

    __tablename__ = "shown_papers"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    paper_id: Mapped[str] = mapped_column(
        ForeignKey("papers.arxiv_id", ondelete="CASCADE"), primary_key=True
    )
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)


class OutboxRow(Base):
    """A message to post: written first, posted after, never lost."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("digest_id", "seq"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    posted_at: Mapped[datetime | None]
    # A claim makes the row `sending` under a token before the post; a crash leaves it there.
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    # The last attempt may have reached the platform: look for it before posting again.
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PostedMessageRow(Base):
    """A message the bot posted, and the paper it shows (for reactions and buttons)."""

    __tablename__ = "posted_messages"
    __table_args__ = (UniqueConstraint("channel_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    paper_id: Mapped[str | None] = mapped_column(ForeignKey("papers.arxiv_id", ondelete="SET NULL"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime]


class NominationRow(Base):
    """A paper proposed for a workspace's list."""

    __tablename__ = "nominations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "paper_id"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.arxiv_id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_sections.id", ondelete="SET NULL")
    )


class VoteRow(Base):
    """One user's vote for a nomination."""

    __tablename__ = "nomination_votes"

    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default="command")
    created_at: Mapped[datetime]


class ListSectionRow(Base):
    """A section of the list; nested via parent_id, ordered by position among siblings."""

    __tablename__ = "list_sections"
    __table_args__ = (Index("ix_list_sections_workspace", "workspace_id", "parent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_sections.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)
    # {"style", "head": [lines], "tail": [lines]} as the imported list wrote them.
    layout: Mapped[dict[str, Any] | None]
    # A removed section stays, as history: its removed entries and nominations still name it.
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(64))


class ListEntryRow(Base):
    """An item of the list; removed entries stay, with removed_at set, as history."""

    __tablename__ = "list_entries"
    __table_args__ = (
        Index("ix_list_entries_section", "section_id", "position"),
        Index("ix_list_entries_paper", "workspace_id", "paper_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # No cascade: a section an entry (live or removed) names is never deleted with its history.
    section_id: Mapped[int] = mapped_column(ForeignKey("list_sections.id"))
    paper_id: Mapped[str | None] = mapped_column(ForeignKey("papers.arxiv_id", ondelete="SET NULL"))
    external_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(64))
    # Further links of the entry as [label, url] pairs ("code", "project").
    links: Mapped[list[Any] | None]
    venue_tag: Mapped[str | None] = mapped_column(String(128))
    arxiv_url: Mapped[str | None] = mapped_column(Text)
    children: Mapped[list[Any] | None]  # lines under the entry, as written
    # {"style", "source": [lines], "tail": [lines], "key"} as the imported list wrote them.
    layout: Mapped[dict[str, Any] | None]


class ListLayoutRow(Base):
    """What a workspace's imported list held before its first section, and in which style."""

    __tablename__ = "list_layouts"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    style: Mapped[str] = mapped_column(String(32))
    preamble: Mapped[list[Any]]


class PublishTargetRow(Base):
    """Where a workspace's list is published, what the last publish wrote, and a due one."""

    __tablename__ = "publish_targets"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    repository: Mapped[str] = mapped_column(Text)
    branch: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(16))
    style: Mapped[str | None] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(16))
    daily_at: Mapped[time | None] = mapped_column(Time)
    github_repo: Mapped[str | None] = mapped_column(String(200))
    # The entries the last successful publish wrote: {entry id: {title, section, link}}.
    published_entries: Mapped[dict[str, Any] | None]
    published_at: Mapped[datetime | None]
    published_commit: Mapped[str | None] = mapped_column(String(64))
    pull_request: Mapped[str | None] = mapped_column(Text)
    # A publish is due since requested_at; failures push next_attempt_at back.
    requested_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    daily_done: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]


# Slack's OAuth installations, bots and install states, in slack-sdk's own layout: its
# AsyncSQLAlchemy stores query these tables, so they are built by its functions, not copied.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)
