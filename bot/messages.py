"""Neutral messages built from core results; each platform's render.py turns them into its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from bot.ports import Button, OutboundMessage, PaperCard
from digest.models import Digest, DigestItem, OverflowItem, Paper

NOMINATE = "nominate"
APPROVE = "approve"
REJECT = "reject"
MORE = "more"
# A digest window longer than this caught up on missed weeks; its header says since when.
LONG_WINDOW = timedelta(days=8)
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
    """`A, B, C and 2 more` for author lists longer than four."""
    if len(authors) <= MAX_AUTHORS:
        return ", ".join(authors)
    return ", ".join(authors[:3]) + f" and {len(authors) - 3} more"


def _window_phrase(digest: Digest) -> str:
    start = digest.window_start
    if start is None or digest.window_end - start <= LONG_WINDOW:
        return "this week"
    return f"since {start:%a %d %b}"


def _names(names: Sequence[str]) -> str:
    names = [f"**{name}**" for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def digest_messages(digest: Digest, emoji: str, quiet_when_empty: bool) -> list[OutboundMessage]:
    """A digest as messages: a header, one message per paper (so reactions name a paper), and
    a closing line with a Show more button when more matched than the cap allows."""
    topics = ", ".join(digest.topic_names)
    when = _window_phrase(digest)
    if not digest.items:
        if quiet_when_empty:
            return []
        text = f"Nothing new on {_names(digest.topic_names)} {when}."
        left = _left_out(digest)
        return [OutboundMessage(title=f"Weekly digest: {topics}", text=text, footer=left)]
    count = len(digest.items)
    text = (
        f"**{count} new paper{'s' if count != 1 else ''}** {when}. "
        f"React {emoji} or press Nominate to propose one for the list."
    )
    if digest.empty_topics:
        text += f" Nothing new on {_names(digest.empty_topics)}."
    header = OutboundMessage(title=f"Weekly digest: {topics}", text=text, footer=_left_out(digest))
    cards = [
        OutboundMessage(
            cards=(_digest_card(item),),
            buttons=(Button(NOMINATE, item.paper.arxiv_id, "Nominate", "primary"),),
        )
        for item in digest.items
    ]
    messages = [header, *cards]
    if digest.more_matched:
        more = digest.more_matched
        messages.append(
            OutboundMessage(
                text=(
                    f"**{more} more** matched beyond this digest's limit of {digest.cap}. "
                    f"Press Show more, or run `/paper more`, to see them."
                ),
                buttons=(Button(MORE, str(digest.id or ""), f"Show {more} more"),),
            )
        )
    return messages


def _digest_card(item: DigestItem) -> PaperCard:
    topic = item.topic_name
    if item.also_topics:
        topic += f" (also {', '.join(item.also_topics)})"
    card = paper_card(item.paper, topic, item.terms)
    if item.votes:
        votes = f"{item.votes} vote{'s' if item.votes != 1 else ''}"
        return replace(card, note=f"Already nominated elsewhere in this workspace ({votes}).")
    return card


def _left_out(digest: Digest) -> str | None:
    left = []
    if digest.left_out_on_list:
        left.append(f"{digest.left_out_on_list} already on the list")
    if digest.left_out_already_shown:
        left.append(f"{digest.left_out_already_shown} shown here before")
    return ("Left out: " + ", ".join(left) + ".") if left else None


def more_message(
    items: Sequence[OverflowItem], papers: Mapping[str, Paper], page: int, per_page: int
) -> OutboundMessage:
    """One page of a digest's overflow, as a reply only the asker sees."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    shown = items[(page - 1) * per_page : page * per_page]
    lines = []
    for rank, item in enumerate(shown, (page - 1) * per_page + 1):
        paper = papers.get(item.paper_id)
        title = paper.title if paper else item.paper_id
        url = paper.abs_url if paper else f"https://arxiv.org/abs/{item.paper_id}"
        lines.append(f"{rank}. [{title}]({url}) `{item.paper_id}` ({item.topic_name})")
    footer = "Nominate one with `/paper nominate <id>`."
    if page < pages:
        footer = f"Page {page} of {pages}: `/paper more {page + 1}` for the next. " + footer
    return OutboundMessage(
        title=f"{len(items)} more from the last digest",
        text="\n".join(lines),
        footer=footer,
        ephemeral=True,
    )


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
