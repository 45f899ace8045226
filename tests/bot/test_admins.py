"""Who is an admin is decided by the core, from the facts the adapter passes and the workspace's
`admin-role`, on every admin path: commands, review buttons and menus, settings."""

from __future__ import annotations

import pytest

from bot.handlers import Handlers
from bot.messages import APPROVE, FILE, REJECT
from bot.ports import ActionEvent, ChannelRef, Invocation, MessageRef, OutboundMessage, UserRef
from digest.clock import FixedClock
from digest.models import NominationStatus, Platform
from storage.store import SqlStore
from tests.factories import make_paper

CHANNEL = ChannelRef(Platform.CONSOLE, "lab", "papers", workspace_name="Lab")
OWNER = UserRef("owner", "Owner", platform_admin=True)  # Discord Manage Server, Slack is_owner
REVIEWER = UserRef("rev", "Rev", role_ids=("r-other", "123"))  # holds the configured role
MEMBER = UserRef("mem", "Mem", role_ids=("r-other",))
REFUSED = "Only admins can approve or reject nominations."


def _run(user: UserRef, command: str, **options: str) -> Invocation:
    return Invocation(CHANNEL, user, command, options)


async def _review(store: SqlStore, clock: FixedClock) -> tuple[Handlers, OutboundMessage]:
    """Handlers whose workspace makes role 123 admins, and the review message of a nomination."""
    async with store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2606.00001"), make_paper("2606.00002")])
    handlers = Handlers(store, clock)
    reply = await handlers.command(_run(OWNER, "settings", key="admin-role", value="<@&123>"))
    assert "admin-role: 123" in reply.text
    await handlers.command(_run(MEMBER, "nominate", paper="2606.00001"))
    async with store.unit() as unit:
        (row,) = await unit.outbox.due(clock.now())
    return handlers, OutboundMessage.from_payload(row.payload)


async def _status(store: SqlStore, paper_id: str) -> NominationStatus:
    async with store.unit() as unit:
        (workspace,) = await unit.workspaces.all()
        nomination = await unit.nominations.get_for_paper(workspace.id, paper_id)
    assert nomination is not None
    return nomination.status


async def test_a_member_with_the_admin_role_may_approve(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers, review = await _review(sqlite_store, clock)
    (approve,) = [b for b in review.buttons if b.action == APPROVE]
    press = ActionEvent(MessageRef(CHANNEL, "m"), REVIEWER, approve.action, approve.value)
    outcome = await handlers.action(press)
    assert "was approved and added to the list" in outcome.text
    assert not outcome.ephemeral
    assert await _status(sqlite_store, "2606.00001") is NominationStatus.APPROVED


async def test_a_member_without_it_may_not(sqlite_store: SqlStore, clock: FixedClock) -> None:
    handlers, review = await _review(sqlite_store, clock)
    message = MessageRef(CHANNEL, "m")
    for component in review.components:
        choice = component.options[0].value if component.action == FILE else None  # type: ignore[union-attr]
        event = ActionEvent(message, MEMBER, component.action, component.value, choice)
        refused = await handlers.action(event)
        assert (refused.text, refused.ephemeral) == (REFUSED, True)
    for line in (
        _run(MEMBER, "approve", paper="2606.00001"),
        _run(MEMBER, "reject", paper="2606.00001"),
        _run(MEMBER, "topic-add", name="t", rule="ti:t"),
        _run(MEMBER, "settings", key="admin-role", value="r-other"),
    ):
        reply = await handlers.command(line)
        assert reply.text.startswith("Only admins can use"), reply.text
        assert reply.ephemeral
    assert await _status(sqlite_store, "2606.00001") is NominationStatus.PENDING


async def test_a_platform_admin_always_may(sqlite_store: SqlStore, clock: FixedClock) -> None:
    handlers, review = await _review(sqlite_store, clock)
    (reject,) = [b for b in review.buttons if b.action == REJECT]
    press = ActionEvent(MessageRef(CHANNEL, "m"), OWNER, reject.action, reject.value)
    assert "was not added to the list" in (await handlers.action(press)).text
    await handlers.command(_run(MEMBER, "nominate", paper="2606.00002"))
    reply = await handlers.command(_run(OWNER, "approve", paper="2606.00002"))
    assert "was approved" in reply.text


async def test_the_role_is_read_on_every_request(sqlite_store: SqlStore, clock: FixedClock) -> None:
    handlers, _ = await _review(sqlite_store, clock)
    assert (
        "Created topic"
        in (await handlers.command(_run(REVIEWER, "topic-add", name="kv", rule="ti:kv"))).text
    )
    await handlers.command(_run(OWNER, "settings", key="admin-role", value="off"))
    refused = await handlers.command(_run(REVIEWER, "topic-remove", topic="kv"))
    assert refused.text.startswith("Only admins can use")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("<@&123456789012345678>", "123456789012345678"),  # a Discord role mention
        ("<!subteam^S0123ABC|@reviewers>", "S0123ABC"),  # a Slack user group
        ("<!subteam^S0123ABC>", "S0123ABC"),
        ("S0123ABC", "S0123ABC"),
        ("reviewers", "reviewers"),  # the console's roles are names
    ],
)
async def test_the_admin_role_is_stored_as_an_id(
    sqlite_store: SqlStore, clock: FixedClock, typed: str, stored: str
) -> None:
    handlers = Handlers(sqlite_store, clock)
    reply = await handlers.command(_run(OWNER, "settings", key="admin-role", value=typed))
    assert f"admin-role: {stored}" in reply.text
    holder = UserRef("h", role_ids=(stored,))
    assert (
        "Created topic"
        in (await handlers.command(_run(holder, "topic-add", name="kv", rule="ti:kv"))).text
    )
