"""The whole loop in a Discord server: digest, reaction, review, decision, DM, and a restart."""

from __future__ import annotations

from pathlib import Path

from bot.discord.render import literal
from digest.clock import FixedClock
from digest.models import NominationStatus
from storage.store import SqlStore
from tests.bot.discord import frames
from tests.bot.discord.discord_limits import message_problems
from tests.bot.discord.fake_discord import FakeDiscord, Json
from tests.bot.discord.running import PAPERS, discord_bot_for


def _review_messages(server: FakeDiscord) -> list[Json]:
    return server.messages(frames.REVIEW_CHANNEL)


def _custom_ids(message: Json) -> list[str]:
    return [item["custom_id"] for row in message["components"] for item in row["components"]]


async def test_the_loop_in_a_discord_server_survives_a_restart(
    sqlite_store: SqlStore, clock: FixedClock, fake_discord: FakeDiscord, shared: Path
) -> None:
    wired = discord_bot_for(sqlite_store, clock, fake_discord)
    async with wired.running():
        await wired.add_papers()
        await wired.say(shared, "topic-add", frames.ANA, name="moe", rule="ti:experts")
        await wired.say(shared, "subscribe", frames.BO, topic="moe")
        review = f"<#{frames.REVIEW_CHANNEL}>"
        await wired.say(shared, "settings", frames.ANA, key="review-channel", value=review)
        role = f"<@&{frames.ADMIN_ROLE}>"
        await wired.say(shared, "settings", frames.ANA, key="admin-role", value=role)
        workspace = await wired.workspace()
        assert workspace.settings.admin_role == str(frames.ADMIN_ROLE)

        # The digest: a header in the channel, a thread on it, one message per paper there.
        await wired.bot.runner.run_channel(workspace.id, str(frames.PAPERS_CHANNEL))
        (header,) = fake_discord.messages(frames.PAPERS_CHANNEL)
        assert header["embeds"][0]["author"]["name"] == "Weekly digest: moe"
        (thread,) = fake_discord.sent(
            "POST", rf"/channels/{frames.PAPERS_CHANNEL}/messages/\d+/threads"
        )
        assert thread.path.endswith(f"/messages/{header['id']}/threads")
        assert thread.body["name"] == "Weekly digest: moe"
        cards = fake_discord.messages(header["id"])  # the thread has the header's id
        titles = {literal(p.title): p.arxiv_id for p in PAPERS if "Experts" in p.title}
        assert len(cards) == len(titles) == 2
        assert {c["embeds"][0]["title"] for c in cards} == set(titles)
        for card in cards:
            assert _custom_ids(card) == [f"pb:nominate:{titles[card['embeds'][0]['title']]}"]
        posts = fake_discord.sent("POST", r"/channels/\d+/messages")
        assert all(p.body["allowed_mentions"] == {"parse": []} for p in posts)
        assert all(len(p.body["nonce"]) <= 25 and p.body["enforce_nonce"] for p in posts)
        assert all(message_problems(p.body) == [] for p in posts)

        # A reaction on a paper (a message the client never cached) nominates it.
        card = next(c for c in cards if c["embeds"][0]["title"] == literal(PAPERS[0].title))
        reaction = frames.reaction(
            shared, added=True, message_id=card["id"], channel_id=header["id"], user=frames.BO
        )
        await wired.frame("MESSAGE_REACTION_ADD", reaction)
        await fake_discord.wait_for(lambda: _review_messages(fake_discord))
        (review_message,) = _review_messages(fake_discord)
        async with sqlite_store.unit() as unit:
            nomination = await unit.nominations.get_for_paper(workspace.id, "2606.00001")
        assert nomination is not None
        assert nomination.voters == (str(frames.BO.id),)
        assert review_message["embeds"][0]["author"]["name"] == "Nomination to review"
        ids = _custom_ids(review_message)
        assert ids[0].startswith(f"pb:approve:{nomination.id}")
        assert f"pb:reject:{nomination.id}" in ids

        # Approve from a member without the admin role: refused, privately.
        approve = ids[0]
        calls = await wired.interact(frames.button(shared, approve, review_message, user=frames.BO))
        refusal = calls[-1].body
        assert refusal["flags"] & 64
        assert "Only admins" in refusal["embeds"][0]["description"]
        async with sqlite_store.unit() as unit:
            still = await unit.nominations.get_for_paper(workspace.id, "2606.00001")
        assert still is not None
        assert still.status is NominationStatus.PENDING

        # From a member with the admin role: accepted; the review message shows the decision.
        await wired.interact(frames.button(shared, approve, review_message, user=frames.CY))
        async with sqlite_store.unit() as unit:
            entries = await unit.lists.entries(workspace.id)
            decided = await unit.nominations.get(nomination.id)
        assert [e.paper_id for e in entries] == ["2606.00001"]
        assert decided is not None
        assert decided.status is NominationStatus.APPROVED
        (edited,) = _review_messages(fake_discord)
        assert edited["components"] == []
        assert "was approved" in edited["embeds"][-1]["description"]

        # The voter hears of it by direct message.
        (dm,) = fake_discord.sent("POST", r"/users/@me/channels")
        assert dm.body == {"recipient_id": frames.BO.id}
        dm_channel = next(c for c in fake_discord.channels.values() if c.data.get("recipient"))
        (told,) = dm_channel.messages
        assert "was approved" in told["embeds"][0]["description"]

        # A second nomination, by command, waits in review over the restart.
        await wired.say(shared, "nominate", frames.BO, paper="2606.00003")
        await fake_discord.wait_for(lambda: len(_review_messages(fake_discord)) == 2)

    restarted = discord_bot_for(sqlite_store, clock, fake_discord)
    async with restarted.running():
        second = _review_messages(fake_discord)[1]
        reject = next(i for i in _custom_ids(second) if i.startswith("pb:reject:"))
        await restarted.interact(frames.button(shared, reject, second, user=frames.ANA))
        async with sqlite_store.unit() as unit:
            rejected = await unit.nominations.get_for_paper(workspace.id, "2606.00003")
        assert rejected is not None
        assert rejected.status is NominationStatus.REJECTED
        assert _review_messages(fake_discord)[1]["components"] == []

        # A reaction after the restart, on a paper posted before it, still counts.
        old_card = next(c for c in cards if c["embeds"][0]["title"] == literal(PAPERS[1].title))
        again = frames.reaction(
            shared, added=True, message_id=old_card["id"], channel_id=header["id"], user=frames.CY
        )
        await restarted.frame("MESSAGE_REACTION_ADD", again)
        await fake_discord.wait_for(lambda: len(_review_messages(fake_discord)) == 3)
