"""The handlers, driven like a chat: commands, reactions and buttons through the console."""

from __future__ import annotations

import pytest

from bot.messages import APPROVE, NOMINATE
from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.conversation import ADMIN, MEMBER, OTHER, Conversation, conversation
from tests.factories import make_paper


@pytest.fixture
async def talk(sqlite_store: SqlStore, clock: FixedClock) -> Conversation:
    async with sqlite_store.unit() as unit:
        await unit.papers.upsert_many(
            [
                make_paper("2606.00001", "Paged Attention for LLM Serving"),
                make_paper("2606.00002", "Mixture-of-Experts Routing at Scale"),
            ]
        )
    return conversation(sqlite_store, clock)


async def test_help_lists_every_command(talk: Conversation) -> None:
    reply = await talk.chat.say(MEMBER, talk.papers, "/paper help")
    assert reply.ephemeral
    for name in ("subscribe", "topic-add", "nominate", "approve", "settings"):
        assert f"/paper {name}" in reply.text


async def test_members_cannot_use_admin_commands(talk: Conversation) -> None:
    reply = await talk.chat.say(MEMBER, talk.papers, "/paper topic-add serving ti:serving")
    assert reply.ephemeral
    assert "Only admins" in reply.text


async def test_a_bad_rule_is_refused_with_its_position(talk: Conversation) -> None:
    reply = await talk.chat.say(ADMIN, talk.papers, "/paper topic-add serving ti:serving AND (")
    assert reply.ephemeral
    assert "does not parse" in reply.text
    assert "ti:serving AND (\n" in reply.text
    async with talk.bot.store.unit() as unit:
        assert await unit.topics.list() == []


async def test_topic_add_matches_the_backlog_and_subscribe_schedules(talk: Conversation) -> None:
    reply = await talk.chat.say(ADMIN, talk.papers, "/paper topic-add serving ti:serving")
    assert "matches 1 paper" in reply.text
    reply = await talk.chat.say(
        MEMBER, talk.papers, "/paper subscribe serving fri 08:30 America/New_York"
    )
    assert not reply.ephemeral
    assert "First digest: Fri 03 Jul 08:30 America/New_York" in reply.text
    again = await talk.chat.say(MEMBER, talk.papers, "/paper subscribe serving")
    assert "already subscribed" in again.text
    listed = await talk.chat.say(MEMBER, talk.papers, "/paper subscriptions")
    assert "serving" in listed.text


async def test_subscribe_to_an_unknown_topic_names_the_known_ones(talk: Conversation) -> None:
    await talk.chat.say(ADMIN, talk.papers, "/paper topic-add serving ti:serving")
    reply = await talk.chat.say(MEMBER, talk.papers, "/paper subscribe servng")
    assert reply.ephemeral
    assert "no topic `servng`" in reply.text
    assert "Topics: serving" in reply.text


async def test_bad_schedule_values_are_explained(talk: Conversation) -> None:
    await talk.chat.say(ADMIN, talk.papers, "/paper topic-add serving ti:serving")
    reply = await talk.chat.say(MEMBER, talk.papers, "/paper subscribe serving mon 9am")
    assert "not a time" in reply.text
    reply = await talk.chat.say(MEMBER, talk.papers, "/paper subscribe serving mon 09:00 Mars/Base")
    assert "not an IANA time zone" in reply.text


async def test_nominating_unknown_or_malformed_papers(talk: Conversation) -> None:
    unknown = await talk.chat.say(MEMBER, talk.papers, "/paper nominate 2601.99999")
    assert unknown.ephemeral
    assert "don't know the paper `2601.99999`" in unknown.text
    garbage = await talk.chat.say(MEMBER, talk.papers, "/paper nominate not-a-paper")
    assert "not an arXiv id" in garbage.text


async def test_nomination_votes_review_and_approval(talk: Conversation) -> None:
    await talk.chat.say(ADMIN, talk.papers, "/paper settings review-channel c-review")
    first = await talk.chat.say(
        MEMBER, talk.papers, "/paper nominate https://arxiv.org/abs/2606.00001v2"
    )
    assert "Nominated “Paged Attention for LLM Serving”" in first.text
    review = talk.console.find("2606.00001", "c-review")
    again = await talk.chat.say(MEMBER, talk.papers, "/paper nominate 2606.00001")
    assert "already nominated" in again.text
    other = await talk.chat.press(OTHER, review, NOMINATE, "2606.00001")
    assert "(2 votes)" in other.text

    refused = await talk.chat.press(MEMBER, review, APPROVE, "2606.00001")
    assert "Only admins" in refused.text
    approved = await talk.chat.say(
        ADMIN, talk.review, "/paper approve 2606.00001 Systems / Serving"
    )
    assert "added to the list under Systems / Serving" in approved.text
    dms = [p for p in talk.console.posted if p.to_user]
    assert sorted(p.to_user for p in dms) == ["u-member", "u-other"]

    on_list = await talk.chat.say(OTHER, talk.papers, "/paper nominate 2606.00001")
    assert "already on the list, under Systems / Serving" in on_list.text
    twice = await talk.chat.say(ADMIN, talk.review, "/paper reject 2606.00001")
    assert "already approved" in twice.text


async def test_rejection_tells_nominators_the_reason(talk: Conversation) -> None:
    await talk.chat.say(MEMBER, talk.papers, "/paper nominate 2606.00002")
    reply = await talk.chat.say(ADMIN, talk.papers, "/paper reject 2606.00002 out of scope")
    assert "not added to the list: out of scope" in reply.text
    dm = [p for p in talk.console.posted if p.to_user == "u-member"]
    assert "out of scope" in dm[-1].message.text


async def test_reactions_nominate_and_withdraw(talk: Conversation, clock: FixedClock) -> None:
    await talk.chat.say(ADMIN, talk.papers, "/paper topic-add moe ti:experts")
    await talk.chat.say(ADMIN, talk.papers, "/paper subscribe moe")
    async with talk.bot.store.unit() as unit:
        workspace = (await unit.workspaces.all())[0]
    await talk.bot.runner.run_channel(workspace.id, "c-papers")
    message = talk.console.find("2606.00002", "c-papers")

    assert await talk.chat.react(MEMBER, message, "👍") is None
    reply = await talk.chat.react(MEMBER, message, "⭐")
    assert reply is not None
    assert "Nominated" in reply.text
    # ⭐ with its emoji presentation selector (as some clients send it) is the same reaction.
    again = await talk.chat.react(OTHER, message, "⭐\ufe0f")
    assert again is not None and "Added your vote" in again.text
    await talk.chat.react(OTHER, message, "⭐\ufe0f", added=False)
    await talk.chat.react(MEMBER, message, "⭐", added=False)
    async with talk.bot.store.unit() as unit:
        nomination = await unit.nominations.get_for_paper(workspace.id, "2606.00002")
    assert nomination is not None
    assert nomination.voters == ()


async def test_autocomplete_offers_topics_and_zones(talk: Conversation) -> None:
    await talk.chat.say(ADMIN, talk.papers, "/paper topic-add serving ti:serving")
    await talk.chat.say(ADMIN, talk.papers, "/paper topic-add moe ti:moe")
    handlers = talk.bot.handlers
    assert await handlers.autocomplete(talk.papers, "topic", "SER") == ["serving"]
    assert "Europe/Berlin" in await handlers.autocomplete(talk.papers, "timezone", "berl")


async def test_topic_names_are_found_whatever_their_case(talk: Conversation) -> None:
    await talk.chat.say(ADMIN, talk.papers, "/paper topic-add MoE ti:moe")
    await talk.chat.say(MEMBER, talk.papers, "/paper subscribe MOE")
    gone = await talk.chat.say(ADMIN, talk.papers, "/paper topic-remove Moe")
    assert "Removed topic" in gone.text
    async with talk.bot.store.unit() as unit:
        assert await unit.topics.list() == []


async def test_new_workspaces_start_with_the_configured_schedule(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    talk = conversation(
        sqlite_store, clock, timezone="Europe/Berlin", digest_weekday="fri", digest_time="08:30"
    )
    await talk.chat.say(ADMIN, talk.papers, "/paper topic-add serving ti:serving")
    reply = await talk.chat.say(MEMBER, talk.papers, "/paper subscribe serving")
    assert "First digest: Fri 03 Jul 08:30 Europe/Berlin" in reply.text


async def test_the_caret_points_at_the_error_in_a_rule_typed_over_two_lines(
    talk: Conversation,
) -> None:
    reply = await talk.chat.say(
        ADMIN, talk.papers, "/paper topic-add serving ti:serving\nAND (cat:cs.DC"
    )
    assert "ti:serving AND (cat:cs.DC\n" in reply.text
    caret = reply.text.split("ti:serving AND (cat:cs.DC\n", 1)[1].split("\n", 1)[0]
    assert caret == " " * len("ti:serving AND ") + "^"
