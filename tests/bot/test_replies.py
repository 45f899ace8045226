"""Acknowledge first, answer when ready: the declared reply comes before any work, the answer
once, and never more public than declared; errors are only for the user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from bot.commands import ACTIONS, COMMANDS, PRIVATE, PUBLIC_SLOW, action_reply, command_reply
from bot.handlers import Handlers
from bot.messages import NOMINATE
from bot.ports import (
    ActionEvent,
    ChannelRef,
    Invocation,
    MessageRef,
    OutboundMessage,
    ReplySpec,
    UserRef,
)
from digest.clock import FixedClock
from digest.models import Platform
from storage.store import SqlStore, SqlUnit
from tests.factories import make_paper

CHANNEL = ChannelRef(Platform.CONSOLE, "lab", "papers", workspace_name="Lab")
ADMIN = UserRef("root", "Root", platform_admin=True)
MEMBER = UserRef("bo", "Bo")


@dataclass
class Recorder:
    """A responder and a store that write one log, so the test sees what came first."""

    store: SqlStore
    log: list[str] = field(default_factory=list)
    declared: list[ReplySpec] = field(default_factory=list)
    answers: list[OutboundMessage] = field(default_factory=list)

    async def acknowledge(self, spec: ReplySpec) -> None:
        self.log.append("acknowledge")
        self.declared.append(spec)

    async def answer(self, message: OutboundMessage) -> None:
        self.log.append("answer")
        self.answers.append(message)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqlUnit]:
        self.log.append("unit")
        async with self.store.unit() as unit:
            yield unit


@pytest.fixture
async def recorded(sqlite_store: SqlStore, clock: FixedClock) -> tuple[Handlers, Recorder]:
    async with sqlite_store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2606.00001", "Paged attention")])
    recorder = Recorder(sqlite_store)
    return Handlers(recorder, clock), recorder  # type: ignore[arg-type]


def test_every_command_and_action_declares_its_reply() -> None:
    for spec in COMMANDS:
        assert command_reply(spec.name) == spec.reply
    for action in ACTIONS:
        assert action_reply(action.name) == action.reply
    assert command_reply("no-such-command") == PRIVATE
    # What may take long is declared slow, so adapters defer at once.
    slow = {spec.name for spec in COMMANDS if spec.reply.slow}
    assert {"topic-add", "topic-edit", "topic-check", "preview", "nominate", "approve"} <= slow
    assert command_reply("topic-add") == PUBLIC_SLOW


@pytest.mark.parametrize(
    ("invocation", "ephemeral"),
    [
        (Invocation(CHANNEL, ADMIN, "topic-add", {"name": "kv", "rule": "ti:kv"}), False),
        (Invocation(CHANNEL, MEMBER, "topic-check", {"rule": "ti:attention"}), True),
        (Invocation(CHANNEL, MEMBER, "nominate", {"paper": "2606.00001"}), True),
        (Invocation(CHANNEL, MEMBER, "help"), True),
    ],
)
async def test_a_command_is_acknowledged_before_any_work_and_answered_once(
    recorded: tuple[Handlers, Recorder], invocation: Invocation, ephemeral: bool
) -> None:
    handlers, recorder = recorded
    answer = await handlers.command(invocation, recorder)
    assert recorder.log[0] == "acknowledge"
    assert recorder.log[-1] == "answer"
    assert recorder.log.count("answer") == 1
    assert recorder.declared == [command_reply(invocation.command)]
    assert recorder.answers == [answer]
    assert answer.ephemeral is ephemeral


async def test_errors_are_only_for_the_user_even_where_the_answer_would_be_public(
    recorded: tuple[Handlers, Recorder],
) -> None:
    handlers, recorder = recorded
    subscribe = Invocation(CHANNEL, MEMBER, "subscribe", {"topic": "nothing"})
    answer = await handlers.command(subscribe, recorder)
    assert recorder.declared == [command_reply("subscribe")]
    assert not recorder.declared[0].ephemeral
    assert answer.ephemeral and "no topic" in answer.text
    unknown = await handlers.command(Invocation(CHANNEL, MEMBER, "nope"), recorder)
    assert recorder.declared[-1] == PRIVATE
    assert unknown.ephemeral and "Unknown command `nope`" in unknown.text


async def test_an_action_is_acknowledged_first_and_never_answered_more_publicly(
    recorded: tuple[Handlers, Recorder],
) -> None:
    handlers, recorder = recorded
    press = ActionEvent(MessageRef(CHANNEL, "m1"), MEMBER, NOMINATE, "2606.00001")
    answer = await handlers.action(press, recorder)
    assert recorder.log[0] == "acknowledge"
    assert recorder.declared == [action_reply(NOMINATE)]
    assert answer.ephemeral and "Nominated" in answer.text
    stale = await handlers.action(ActionEvent(press.message, MEMBER, "vanished", "1"), recorder)
    assert stale.text == "That button is no longer in use."
