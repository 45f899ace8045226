"""Hostile titles, authors, rules, section names and reasons through every reply and digest
message: on the neutral value no link but ours and no user text in an id; on the console no link
but ours, no code span broken, no control byte, and long text cut."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.console.render import FIELD_LIMIT, TEXT_LIMIT, fitted, render, text_lines
from bot.messages import MORE, NOMINATE
from bot.ports import ChannelRef, OutboundMessage, PostError, UserRef
from bot.rich_text import Code, Pre
from bot.safe_text import defang_urls, strip_controls
from digest.clock import FixedClock
from digest.models import Author
from storage.store import SqlStore
from tests.bot.conversation import ADMIN, MEMBER, OTHER, Conversation, conversation
from tests.bot.hostile import (
    HOSTILE,
    arxiv_urls,
    check_neutral,
    check_rendering,
    code_spans,
    expected_spans,
)
from tests.digest_world import make_topic
from tests.factories import make_paper

IDS = ("2606.00001", "2606.00002", "2606.00003")


async def _everything(talk: Conversation, hostile: str) -> list[OutboundMessage]:
    """Every command, button and digest message, with hostile text wherever users put text."""
    store = talk.bot.store
    papers = [
        make_paper(paper_id, f"Attention {hostile} {n}", venue=hostile[:60])
        for n, paper_id in enumerate(IDS, 1)
    ]
    # Authors and a code link read from a paper's comment are the paper's, not ours.
    papers[0] = replace(
        papers[0],
        authors=(Author(hostile), Author("Ada Lovelace")),
        code_url="javascript:alert(1)",
    )
    async with store.unit() as unit:
        await unit.papers.upsert_many(papers)
    chat, here, review = talk.chat, talk.papers, talk.review
    replies: list[OutboundMessage | None] = []

    async def say(user: UserRef, line: str, where: ChannelRef = here) -> None:
        replies.append(await chat.say(user, where, line))

    one = '"' + hostile.replace('"', "")[:300] + '"'  # a hostile value as one option

    await say(ADMIN, "/paper settings review-channel c-review")
    await say(ADMIN, f"/paper settings list-title {hostile}")
    await say(ADMIN, f"/paper settings admin-role {hostile}")
    quoted = hostile[:300].replace('"', "")
    await say(ADMIN, "/paper topic-add attn ti:attention")
    await say(ADMIN, f'/paper topic-add phrase ti:attention OR abs:"{quoted}"')
    await say(ADMIN, f"/paper topic-add bad ti:({hostile}")
    await say(MEMBER, f'/paper topic-check ti:attention OR abs:"{quoted}"')
    await say(MEMBER, f"/paper topic-check {hostile}")
    async with store.unit() as unit:
        (workspace,) = await unit.workspaces.all()
    await make_topic(store, workspace, "raw", rule=hostile)  # saved before rules were checked
    await say(MEMBER, "/paper topics")
    await say(MEMBER, f"/paper subscribe {one}")
    await say(MEMBER, "/paper subscribe attn")
    await say(MEMBER, "/paper digest cap 1")
    await say(MEMBER, f"/paper digest time {hostile}")
    await say(MEMBER, "/paper preview")

    await talk.bot.runner.run_channel(workspace.id, here.id)
    closing = talk.console.messages_in(here.id)[-1]
    (more,) = closing.message.buttons
    assert more.action == MORE
    replies.append(await chat.press(MEMBER, closing.ref, more.action, more.value))
    await say(MEMBER, "/paper more")
    await say(MEMBER, f"/paper more {one}")

    replies.append(await chat.react(MEMBER, talk.console.find(IDS[0], here.id), "⭐"))
    await say(MEMBER, f"/paper nominate {one}")
    await say(MEMBER, f"/paper withdraw {one}")
    await say(MEMBER, "/paper nominations")
    await say(ADMIN, f"/paper approve {IDS[0]} {hostile[:300]}", review)
    await say(OTHER, f"/paper nominate {IDS[1]}")
    card = talk.console.find(IDS[1], review.id)
    replies.append(await chat.press(OTHER, card, NOMINATE, IDS[1]))
    await say(ADMIN, f"/paper reject {IDS[1]} {hostile}", review)
    await say(MEMBER, "/paper list")
    await say(ADMIN, f"/paper list-move {IDS[0]} {hostile[:100]} / deeper")
    await say(ADMIN, f"/paper section-rename {one} {hostile[:50]}")
    await say(MEMBER, "/paper list")

    # The platform loses the channel, with a reason it wrote: the admins hear of it.
    talk.console.fail_next(PostError.gone(hostile))
    async with store.unit() as unit:
        await unit.outbox.enqueue(workspace.id, here.id, "review", [replies[-1].to_payload()])  # type: ignore[union-attr]
    await talk.bot.delivery.deliver_due()

    async with store.unit() as unit:
        rows = await unit.outbox.due(talk.bot.clock.now().replace(year=2100), limit=1000)
        assert rows == []
    posted = [p.message for p in talk.console.posted]
    return [r for r in replies if r is not None] + posted


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_text_never_becomes_markup(
    sqlite_store: SqlStore, clock: FixedClock, hostile: str
) -> None:
    talk = conversation(sqlite_store, clock)
    messages = await _everything(talk, hostile)
    ours = arxiv_urls(IDS)
    marker = hostile[:8]
    reached = [m for m in messages if marker in m.text or any(marker in c.title for c in m.cards)]
    assert len(reached) >= 15, "the hostile text should reach most messages"
    for message in messages:
        check_neutral(message, ours, hostile)
        # The stored form reads back the same, so what is posted is what was built.
        assert OutboundMessage.from_payload(message.to_payload()) == message
        rendered = render(message, "#papers", "1")
        check_rendering(rendered, ours)
        for pieces in (message.body, message.footer):
            spans = code_spans("\n".join(text_lines(pieces)))
            expected = expected_spans(fitted(pieces))
            assert len(spans) == len(expected)
            for span, piece in zip(spans, expected, strict=True):
                assert isinstance(piece, Code | Pre)
                keep = isinstance(piece, Pre)
                assert span.strip() == defang_urls(strip_controls(piece.text, keep)).strip()
        # Titles, cards and labels are literal: they hold no code span at all.
        assert len(code_spans(rendered)) == sum(
            len(expected_spans(fitted(p))) for p in (message.body, message.footer)
        )
        for line in rendered.splitlines():
            assert len(line) <= TEXT_LIMIT + 20
        for card in message.cards:
            shown = next(line for line in rendered.splitlines() if f"[{card.arxiv_id}]" in line)
            assert len(shown) <= FIELD_LIMIT + 40
