"""Conversions between table rows and the core's frozen values."""

from __future__ import annotations

from typing import Any

from digest.list_document import ItemLayout, SectionLayout
from digest.models import (
    Author,
    ListEntry,
    ListSection,
    Paper,
    Platform,
    Subscription,
    Topic,
    Workspace,
    WorkspaceSettings,
)
from storage.tables import (
    ListEntryRow,
    ListSectionRow,
    PaperRow,
    SubscriptionRow,
    TopicRow,
    WorkspaceRow,
)


def authors_to_json(authors: tuple[Author, ...]) -> list[Any]:
    """Authors as stored: a name, or [name, affiliations] when affiliations are known."""
    return [[a.name, list(a.affiliations)] if a.affiliations else a.name for a in authors]


def authors_from_json(value: list[Any]) -> tuple[Author, ...]:
    """Authors back from their stored form."""
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(Author(item))
        else:
            out.append(Author(str(item[0]), tuple(str(x) for x in item[1])))
    return tuple(out)


def paper_values(paper: Paper) -> dict[str, Any]:
    """A paper as a dict of column values (without stored_at)."""
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": authors_to_json(paper.authors),
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "submitted": paper.submitted,
        "updated": paper.updated,
        "announced": paper.announced,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "venue": paper.venue,
        "code_url": paper.code_url,
        "links": list(paper.links),
    }


def paper_from_row(row: PaperRow) -> Paper:
    """The core value of a stored paper."""
    return Paper(
        arxiv_id=row.arxiv_id,
        version=row.version,
        title=row.title,
        abstract=row.abstract,
        authors=authors_from_json(row.authors),
        categories=tuple(row.categories),
        submitted=row.submitted,
        updated=row.updated,
        announced=row.announced,
        comment=row.comment,
        journal_ref=row.journal_ref,
        doi=row.doi,
        venue=row.venue,
        code_url=row.code_url,
        links=tuple(row.links),
    )


def workspace_from_row(row: WorkspaceRow) -> Workspace:
    """The core value of a stored workspace."""
    return Workspace(
        id=row.id,
        platform=Platform(row.platform),
        external_id=row.external_id,
        name=row.name,
        settings=WorkspaceSettings(
            admin_role=row.admin_role,
            review_channel=row.review_channel,
            nomination_emoji=row.nomination_emoji,
            timezone=row.timezone,
            digest_weekday=row.digest_weekday,
            digest_time=row.digest_time,
            list_title=row.list_title,
            list_style=row.list_style,
            auto_approve_votes=row.auto_approve_votes,
            ranking=row.ranking,
        ),
    )


def topic_from_row(row: TopicRow) -> Topic:
    """The core value of a stored topic."""
    return Topic(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        rule=row.rule,
        description=row.description,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def subscription_from_row(row: SubscriptionRow) -> Subscription:
    """The core value of a stored subscription."""
    return Subscription(
        id=row.id,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        topic_id=row.topic_id,
        weekday=row.weekday,
        at=row.at,
        timezone=row.timezone,
        cap=row.cap,
        quiet_when_empty=row.quiet_when_empty,
        paused=row.paused,
        paused_reason=row.paused_reason,
        watermark=row.watermark,
        created_at=row.created_at,
    )


def section_from_row(row: ListSectionRow) -> ListSection:
    """The core value of a stored list section."""
    return ListSection(
        id=row.id,
        workspace_id=row.workspace_id,
        title=row.title,
        position=row.position,
        parent_id=row.parent_id,
        layout=section_layout_from_json(row.layout),
        removed_at=row.removed_at,
    )


def entry_from_row(row: ListEntryRow) -> ListEntry:
    """The core value of a stored list entry."""
    return ListEntry(
        id=row.id,
        workspace_id=row.workspace_id,
        section_id=row.section_id,
        title=row.title,
        position=row.position,
        paper_id=row.paper_id,
        external_url=row.external_url,
        venue=row.venue,
        note=row.note,
        added_by=row.added_by,
        approved_by=row.approved_by,
        added_at=row.added_at,
        removed_at=row.removed_at,
        removed_by=row.removed_by,
        links=tuple((str(label), str(url)) for label, url in row.links or ()),
        venue_tag=row.venue_tag,
        arxiv_url=row.arxiv_url,
        children=tuple(str(line) for line in row.children or ()),
        layout=item_layout_from_json(row.layout),
    )


def item_layout_to_json(layout: ItemLayout | None) -> dict[str, Any] | None:
    """An entry's lines as written, as stored."""
    if layout is None:
        return None
    return {
        "style": layout.style,
        "source": list(layout.source),
        "tail": list(layout.tail),
        "key": layout.key,
    }


def item_layout_from_json(data: dict[str, Any] | None) -> ItemLayout | None:
    """An entry's stored lines as written."""
    if not data:
        return None
    return ItemLayout(
        style=str(data["style"]),
        source=tuple(str(line) for line in data["source"]),
        tail=tuple(str(line) for line in data.get("tail", ())),
        key=str(data.get("key", "")),
    )


def section_layout_to_json(layout: SectionLayout | None) -> dict[str, Any] | None:
    """A section's heading and what followed, as stored."""
    if layout is None:
        return None
    return {"style": layout.style, "head": list(layout.head), "tail": list(layout.tail)}


def section_layout_from_json(data: dict[str, Any] | None) -> SectionLayout | None:
    """A section's stored heading and what followed."""
    if not data:
        return None
    return SectionLayout(
        style=str(data["style"]),
        head=tuple(str(line) for line in data["head"]),
        tail=tuple(str(line) for line in data.get("tail", ())),
    )
