"""Gateway frames through discord.py into the handlers, and back as interaction responses."""

from __future__ import annotations

from pathlib import Path

from digest.clock import FixedClock
from digest.models import NominationStatus
from storage.store import SqlStore
from tests.bot.discord import frames
from tests.bot.discord.fake_discord import Call, FakeDiscord
from tests.bot.discord.running import DiscordBot, discord_bot_for, eventually

EPHEMERAL = 64


def _text(call: Call) -> str:
    """The description of the first embed an answer carries."""
    body = call.body.get("data", call.body) if "callback" in call.path else call.body
    return str(body["embeds"][0].get("description", ""))


async def test_a_quick_public_command_is_answered_at_once(
    discord_bot: DiscordBot, shared: Path
) -> None:
    await discord_bot.add_papers()
    await discord_bot.say(shared, "topic-add", frames.ANA, name="moe", rule="ti:experts")
    (answer,) = await discord_bot.say(shared, "subscribe", frames.BO, topic="moe")
    assert answer.path.endswith("/callback")
    assert answer.body["type"] == 4  # a message, at once
    assert not answer.body["data"].get("flags", 0) & EPHEMERAL
    assert "moe" in _text(answer)
    assert answer.body["data"]["allowed_mentions"] == {"parse": []}


async def test_an_error_is_private_and_says_what_to_do(
    discord_bot: DiscordBot, shared: Path
) -> None:
    (answer,) = await discord_bot.say(shared, "subscribe", frames.BO, topic="nothing")
    assert answer.body["type"] == 4
    assert answer.body["data"]["flags"] & EPHEMERAL
    assert "no topic" in _text(answer)


async def test_a_slow_command_defers_at_once_then_follows_up(
    discord_bot: DiscordBot, shared: Path
) -> None:
    await discord_bot.add_papers()
    deferral, followup = await discord_bot.say(shared, "topic-check", frames.BO, rule="ti:experts")
    assert deferral.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.method == "POST"
    assert followup.body["flags"] & EPHEMERAL
    assert "Matches 2 of 3 papers" in _text(followup)


async def test_a_public_slow_command_refused_is_answered_privately(
    discord_bot: DiscordBot, shared: Path
) -> None:
    calls = await discord_bot.say(shared, "topic-add", frames.BO, name="moe", rule="ti:experts")
    deferral, deletion, followup = calls
    assert deferral.body["type"] == 5
    assert not deferral.body.get("data", {}).get("flags", 0) & EPHEMERAL  # declared public
    # The public "thinking" message is removed; the refusal comes only to the user.
    assert (deletion.method, deletion.path.rsplit("/", 1)[-1]) == ("DELETE", "@original")
    assert followup.body["flags"] & EPHEMERAL
    assert "Only admins" in _text(followup)


async def test_a_quick_command_not_done_in_time_is_deferred_then(
    sqlite_store: SqlStore, clock: FixedClock, fake_discord: FakeDiscord, shared: Path
) -> None:
    """Declared quick, but not answered within `auto_defer`: deferred before Discord's 3 s."""
    wired = discord_bot_for(sqlite_store, clock, fake_discord, auto_defer=0.0)
    async with wired.running():
        deferral, followup = await wired.say(shared, "subscriptions", frames.BO)
    assert deferral.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.body["flags"] & EPHEMERAL


async def test_autocomplete_suggests_the_workspaces_topics(
    discord_bot: DiscordBot, shared: Path
) -> None:
    await discord_bot.say(shared, "topic-add", frames.ANA, name="moe", rule="ti:experts")
    await discord_bot.say(shared, "topic-add", frames.ANA, name="serving", rule="ti:serving")
    frame = frames.command(shared, "unsubscribe", {"topic": "SER"}, focused="topic")
    (answer,) = await discord_bot.interact(frame)
    assert answer.body == {
        "type": 8,
        "data": {"choices": [{"name": "serving", "value": "serving"}]},
    }


async def test_the_nominate_button_answers_privately(discord_bot: DiscordBot, shared: Path) -> None:
    await discord_bot.add_papers()
    _, (card, _) = await discord_bot.weekly_digest(shared)
    (custom_id,) = [c["custom_id"] for row in card["components"] for c in row["components"]]
    deferral, followup = await discord_bot.interact(frames.button(shared, custom_id, card))
    assert deferral.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.body["flags"] & EPHEMERAL
    assert "Nominated" in _text(followup)
    assert card in discord_bot.server.messages(card["channel_id"])  # the card is unchanged


async def test_the_section_menu_files_into_the_section_chosen(
    discord_bot: DiscordBot, shared: Path
) -> None:
    await discord_bot.add_papers()
    await discord_bot.say(shared, "nominate", frames.BO, paper="2606.00001")
    await discord_bot.say(
        shared, "approve", frames.ANA, paper="2606.00001", section="Systems / MoE"
    )
    await discord_bot.say(shared, "nominate", frames.BO, paper="2606.00002")
    review = discord_bot.server.messages(frames.PAPERS_CHANNEL)[-1]
    menus = [c for row in review["components"] for c in row["components"] if c["type"] == 3]
    (menu,) = menus
    (option,) = [o for o in menu["options"] if o["label"] == "Systems / MoE"]
    frame = frames.select(shared, menu["custom_id"], [option["value"]], review, user=frames.ANA)
    await discord_bot.interact(frame)
    workspace = await discord_bot.workspace()
    async with discord_bot.bot.store.unit() as unit:
        nomination = await unit.nominations.get_for_paper(workspace.id, "2606.00002")
        entries = await unit.lists.entries(workspace.id)
    assert nomination is not None
    assert nomination.status is NominationStatus.APPROVED
    assert {e.paper_id: e.section_id for e in entries}["2606.00002"] == int(option["value"])
    decided = discord_bot.server.messages(frames.PAPERS_CHANNEL)[-1]
    assert decided["id"] == review["id"]
    assert decided["components"] == []


async def test_a_reaction_nominates_and_taking_it_back_withdraws(
    discord_bot: DiscordBot, shared: Path
) -> None:
    await discord_bot.add_papers()
    _, (card, _) = await discord_bot.weekly_digest(shared)
    workspace = await discord_bot.workspace()
    paper_id = card["components"][0]["components"][0]["custom_id"].rsplit(":", 1)[-1]

    async def voters() -> tuple[str, ...]:
        async with discord_bot.bot.store.unit() as unit:
            found = await unit.nominations.get_for_paper(workspace.id, paper_id)
        return found.voters if found else ()

    where = {"message_id": card["id"], "channel_id": card["channel_id"], "user": frames.BO}
    other = frames.reaction(shared, added=True, emoji="👍", **where)
    await discord_bot.frame("MESSAGE_REACTION_ADD", other)
    await discord_bot.frame("MESSAGE_REACTION_ADD", frames.reaction(shared, added=True, **where))
    await discord_bot.server.wait_for(
        lambda: discord_bot.server.messages(frames.PAPERS_CHANNEL)[1:]
    )
    assert await voters() == (str(frames.BO.id),)
    removed = frames.reaction(shared, added=False, **where)
    await discord_bot.frame("MESSAGE_REACTION_REMOVE", removed)
    await eventually(voters, lambda found: found == ())


async def test_a_custom_emoji_can_be_the_nomination_emoji(
    discord_bot: DiscordBot, shared: Path
) -> None:
    await discord_bot.add_papers()
    _, (card, _) = await discord_bot.weekly_digest(shared)
    emoji = "<:paper:1900000000000000001>"
    await discord_bot.say(shared, "settings", frames.ANA, key="emoji", value=emoji)
    reaction = frames.reaction(
        shared,
        added=True,
        message_id=card["id"],
        channel_id=card["channel_id"],
        user=frames.CY,
        emoji="paper",
        emoji_id=1900000000000000001,
    )
    await discord_bot.frame("MESSAGE_REACTION_ADD", reaction)
    review = await discord_bot.server.wait_for(
        lambda: discord_bot.server.messages(frames.PAPERS_CHANNEL)[1:]
    )
    assert review[0]["embeds"][0]["author"]["name"] == "Nomination to review"
