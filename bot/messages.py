"""Neutral messages built from core results; each platform's render.py turns them into its own."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ports import Button, OutboundMessage, PaperCard
from digest.models import Digest, Paper

NOMINATE = "nominate"
APPROVE = "approve"
REJECT = "reject"
MAX_AUTHORS = 4


def paper_card(paper: Paper, topic: str | None = None, terms: Sequence[str] = ()) -> PaperCard:
    """A paper as a card."""
    return PaperCard(
        arxiv_id=paper.arxiv_id,
        title=paper.title,
        authors=paper.author_names,
        url=paper.abs_url,
        categories=paper.categories,
        venue=paper.venue,
        code_url=paper.code_url,
        topic=topic,
        terms=tuple(terms),
    )


def authors_line(authors: Sequence[str]) -> str:
    """`A, B, C et al.` for long author lists."""
    if len(authors) <= MAX_AUTHORS:
        return ", ".join(authors)
    return ", ".join(authors[:3]) + f" and {len(authors) - 3} more"


def digest_messages(digest: Digest, emoji: str, quiet_when_empty: bool) -> list[OutboundMessage]:
    """A digest as messages: a header, then one message per paper (so reactions name a paper)."""
    topics = ", ".join(digest.topic_names)
    if not digest.items:
        if quiet_when_empty:
            return []
        return [OutboundMessage(title="Weekly digest", text=f"Nothing new on {topics} this week.")]
    count = len(digest.items)
    left = []
    if digest.left_out_on_list:
        left.append(f"{digest.left_out_on_list} already on the list")
    if digest.left_out_already_shown:
        left.append(f"{digest.left_out_already_shown} shown here before")
    footer = []
    if digest.more_matched:
        footer.append(
            f"{digest.more_matched} more matched; `/paper preview` shows what comes next week."
        )
    if left:
        footer.append("Left out: " + ", ".join(left) + ".")
    header = OutboundMessage(
        title=f"Weekly digest: {topics}",
        text=(
            f"**{count} new paper{'s' if count != 1 else ''}** this week. "
            f"React {emoji} or press Nominate to propose one for the list."
        ),
        footer=" ".join(footer) or None,
    )
    cards = [
        OutboundMessage(
            cards=(paper_card(item.paper, item.topic_name, item.terms),),
            buttons=(Button(NOMINATE, item.paper.arxiv_id, "Nominate", "primary"),),
        )
        for item in digest.items
    ]
    return [header, *cards]


MAX_LABEL = 60


def approve_value(paper_id: str, section_id: int | None) -> str:
    """An Approve button's value: the paper, and the section it files into when one is named."""
    return paper_id if section_id is None else f"{paper_id} {section_id}"


def parse_approve_value(value: str) -> tuple[str, int | None]:
    """The paper and section of an Approve button's value."""
    paper_id, _, section = value.partition(" ")
    return paper_id, int(section) if section.isdigit() else None


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def review_message(
    paper: Paper, votes: int, suggestions: Sequence[tuple[int, str]] = ()
) -> OutboundMessage:
    """The message admins see for a new nomination: one Approve button per suggested section.

    `suggestions` are (section id, path), most likely first; the first button files the paper
    into the most likely section, the others into the next ones.
    """
    text = f"New nomination ({votes} vote{'s' if votes != 1 else ''})."
    if suggestions:
        text += " Suggested sections: " + "; ".join(path for _, path in suggestions) + "."
    approve = [
        Button(
            APPROVE,
            approve_value(paper.arxiv_id, section_id),
            _label(("Approve → " if i == 0 else "→ ") + path),
            "primary" if i == 0 else "secondary",
        )
        for i, (section_id, path) in enumerate(suggestions)
    ] or [Button(APPROVE, paper.arxiv_id, "Approve", "primary")]
    return OutboundMessage(
        title="Nomination to review",
        text=text,
        cards=(paper_card(paper),),
        buttons=(*approve, Button(REJECT, paper.arxiv_id, "Reject", "danger")),
    )


def reply(text: str, title: str | None = None) -> OutboundMessage:
    """A short reply only the user sees."""
    return OutboundMessage(text=text, title=title, ephemeral=True)


def public(text: str, title: str | None = None) -> OutboundMessage:
    """A reply everyone in the channel sees."""
    return OutboundMessage(text=text, title=title)
