"""Neutral messages built from core results; each platform's render.py turns them into its own.

Every message is built from typed pieces (bot.rich_text): titles, authors, rules and section
names go in as literal text, and the only links are the ones built here (arXiv pages, a paper's
code link after its http(s) check).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from bot.commands import APPROVE, FILE, MORE, NOMINATE, REJECT
from bot.ports import MAX_OPTIONS, Button, OutboundMessage, PaperCard, Select, SelectOption
from bot.rich_text import Part, Text, arxiv_link, bold, code, join, lines, safe_url, text
from bot.safe_text import cut
from digest.models import Digest, DigestItem, Likeness, OverflowItem, Paper

__all__ = ["APPROVE", "FILE", "MORE", "NOMINATE", "REJECT"]

# A digest window longer than this caught up on missed weeks; its header says since when.
LONG_WINDOW = timedelta(days=8)
MAX_AUTHORS = 4
# Characters of the abstract a card carries (a renderer may show less).
EXCERPT = 400


def paper_card(paper: Paper, topic: str | None = None, terms: Sequence[str] = ()) -> PaperCard:
    """A paper as a card; its code link only if it is an http(s) URL."""
    code_url = paper.code_url if paper.code_url and safe_url(paper.code_url) else None
    return PaperCard(
        arxiv_id=paper.arxiv_id,
        title=paper.title,
        authors=paper.author_names,
        url=paper.abs_url,
        categories=paper.categories,
        venue=paper.venue,
        code_url=code_url,
        topic=topic,
        terms=tuple(terms),
        excerpt=cut(" ".join(paper.abstract.split()), EXCERPT) or None,
    )


def authors_line(authors: Sequence[str]) -> str:
    """`A, B, C and 2 more` for author lists longer than four."""
    if len(authors) <= MAX_AUTHORS:
        return ", ".join(authors)
    return ", ".join(authors[:3]) + f" and {len(authors) - 3} more"


def percent(share: float) -> str:
    """`0.62` -> `62%`; never 0% or 100% for a guess (`<1%`, `>99%`)."""
    if share < 0.005:
        return "<1%"
    if share > 0.995:
        return ">99%"
    return f"{share:.0%}"


def plural(count: int, noun: str) -> str:
    """`1 vote`, `2 votes`."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _window_phrase(digest: Digest) -> str:
    start = digest.window_start
    if start is None or digest.window_end - start <= LONG_WINDOW:
        return "this week"
    return f"since {start:%a %d %b}"


def _names(names: Sequence[str]) -> tuple[Part, ...]:
    """`a, b or c`, each name in bold."""
    parts: list[Part] = []
    for i, name in enumerate(names):
        if i:
            parts.append(" or " if i == len(names) - 1 else ", ")
        parts.append(bold(name))
    return tuple(parts)


def digest_messages(digest: Digest, emoji: str, quiet_when_empty: bool) -> list[OutboundMessage]:
    """A digest as messages: a header, one message per paper (so reactions name a paper), and
    a closing line with a Show more button when more matched than the cap allows."""
    title = f"Weekly digest: {', '.join(digest.topic_names)}"
    when = _window_phrase(digest)
    left = _left_out(digest)
    if not digest.items:
        if quiet_when_empty:
            return []
        body = text("Nothing new on ", *_names(digest.topic_names), f" {when}.")
        return [OutboundMessage(title=title, body=body, footer=left)]
    count = len(digest.items)
    body = text(
        bold(f"{plural(count, 'new paper')}"),
        f" {when}. React {emoji} or press Nominate to propose one for the list.",
    )
    if digest.empty_topics:
        body = text(body, " Nothing new on ", *_names(digest.empty_topics), ".")
    messages = [OutboundMessage(title=title, body=body, footer=left)]
    messages += [
        OutboundMessage(
            cards=(_digest_card(item),),
            components=(Button(NOMINATE, item.paper.arxiv_id, "Nominate", "primary"),),
        )
        for item in digest.items
    ]
    if digest.more_matched:
        more = digest.more_matched
        messages.append(
            OutboundMessage(
                body=text(
                    bold(f"{more} more"),
                    f" matched beyond this digest's limit of {digest.cap}. Press Show more, "
                    "or run ",
                    code("/paper more"),
                    ", to see them.",
                ),
                components=(Button(MORE, str(digest.id or ""), f"Show {more} more"),),
            )
        )
    return messages


def _digest_card(item: DigestItem) -> PaperCard:
    topic = item.topic_name
    if item.also_topics:
        topic += f" (also {', '.join(item.also_topics)})"
    card = replace(paper_card(item.paper, topic, item.terms), reason=likeness_text(item.likeness))
    if item.votes:
        votes = plural(item.votes, "vote")
        return replace(card, note=f"Already nominated elsewhere in this workspace ({votes}).")
    return card


def likeness_text(likeness: Likeness | None) -> Text:
    """Why a paper ranks high: `Like 3 papers in your list, e.g. <title>` (the title literal)."""
    if likeness is None:
        return ()
    return text(f"Like {plural(likeness.count, 'paper')} in your list, e.g. ", likeness.example)


def _left_out(digest: Digest) -> Text:
    left = []
    if digest.left_out_on_list:
        left.append(f"{digest.left_out_on_list} already on the list")
    if digest.left_out_already_shown:
        left.append(f"{digest.left_out_already_shown} shown here before")
    return text("Left out: " + ", ".join(left) + ".") if left else ()


def paper_line(rank: int | None, paper_id: str, title: str, topic: str | None) -> tuple[Part, ...]:
    """`3. Title (2406.12345) (topic)`: the title links to the paper's arXiv page."""
    parts: list[Part] = [f"{rank}. " if rank is not None else None, arxiv_link(title, paper_id)]
    parts += [" ", code(paper_id)]
    if topic:
        parts.append(f" ({topic})")
    return tuple(parts)


def more_message(
    items: Sequence[OverflowItem], papers: Mapping[str, Paper], page: int, per_page: int
) -> OutboundMessage:
    """One page of a digest's overflow, as a reply only the asker sees."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    shown = items[(page - 1) * per_page : page * per_page]
    rows = []
    for rank, item in enumerate(shown, (page - 1) * per_page + 1):
        paper = papers.get(item.paper_id)
        title = paper.title if paper else item.paper_id
        rows.append(paper_line(rank, item.paper_id, title, item.topic_name))
    footer: list[Part] = ["Nominate one with ", code("/paper nominate <id>"), "."]
    if page < pages:
        nxt: list[Part] = [f"Page {page} of {pages}: ", code(f"/paper more {page + 1}")]
        footer = [*nxt, " for the next. ", *footer]
    return OutboundMessage(
        title=f"{len(items)} more from the last digest",
        body=lines(*(text(*row) for row in rows)),
        footer=text(*footer),
        ephemeral=True,
    )


APPROVE_MENU = "Approve into section…"


def approve_value(nomination_id: int, section_id: int | None) -> str:
    """An Approve button's value: the nomination, and the section it files into if named."""
    return str(nomination_id) if section_id is None else f"{nomination_id}:{section_id}"


def parse_approve_value(value: str) -> tuple[int, int | None] | None:
    """The nomination and section of an Approve button's value (None if it is not one)."""
    nomination, _, section = value.partition(":")
    if not nomination.isdigit() or (section and not section.isdigit()):
        return None
    return int(nomination), int(section) if section else None


def review_message(
    paper: Paper,
    nomination_id: int,
    votes: int,
    suggestions: Sequence[tuple[int, str, float]] = (),
    sections: Sequence[tuple[int, str]] = (),
) -> OutboundMessage:
    """The message admins see for a new nomination: Approve, a section menu, and Reject.

    `suggestions` are (section id, path, confidence from 0 to 1), most likely first: the body
    names them with their confidence, Approve files the paper into the first; the menu offers
    them first, then the list's other `sections`, 25 at most.
    """
    body = text(f"New nomination ({plural(votes, 'vote')}).")
    if suggestions:
        names = join([text(path, f" ({percent(sure)})") for _, path, sure in suggestions], "; ")
        body = text(body, " Suggested sections: ", names, ".")
    value = str(nomination_id)
    if suggestions:
        top_id, top_path, _ = suggestions[0]
        approve = Button(
            APPROVE, approve_value(nomination_id, top_id), f"Approve → {top_path}", "primary"
        )
    else:
        approve = Button(APPROVE, value, "Approve", "primary")
    suggested = {section_id: f"suggested, {percent(sure)}" for section_id, _, sure in suggestions}
    others = [s for s in sections if s[0] not in suggested]
    choices = [*((i, path) for i, path, _ in suggestions), *others][:MAX_OPTIONS]
    menu = (
        (
            Select(
                FILE,
                value,
                APPROVE_MENU,
                tuple(
                    SelectOption(path, str(section_id), suggested.get(section_id))
                    for section_id, path in choices
                ),
            ),
        )
        if choices
        else ()
    )
    return OutboundMessage(
        title="Nomination to review",
        body=body,
        cards=(paper_card(paper),),
        components=(approve, *menu, Button(REJECT, value, "Reject", "danger")),
    )


def reply(*parts: Part, title: str | None = None) -> OutboundMessage:
    """A short reply only the user sees."""
    return OutboundMessage(body=text(*parts), title=title, ephemeral=True)


def public(*parts: Part, title: str | None = None) -> OutboundMessage:
    """A reply everyone in the channel sees."""
    return OutboundMessage(body=text(*parts), title=title)
