"""Every event the manifest subscribes to is handled; the topic dialog; reactions taken back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.commands import BY_NAME
from bot.slack.manifest import bot_events
from bot.slack.modals import DIALOG_COMMANDS, TOPIC_VIEW
from digest.clock import FixedClock
from storage.store import SqlStore
from tests.bot.slack.conftest import form, json_headers, signed_headers
from tests.bot.slack.slack_api import SlackApi
from tests.bot.slack.world import PAPERS, TEAM, SlackWorld, slack_world
from tests.factories import make_paper


@pytest.fixture
async def world(
    shared: Path, slack_api: SlackApi, sqlite_store: SqlStore, clock: FixedClock
) -> SlackWorld:
    async with sqlite_store.unit() as unit:
        await unit.papers.upsert_many([make_paper("2606.00002", "Mixture-of-Experts Routing")])
    return await slack_world(slack_api, sqlite_store, clock, shared)


async def _event(world: SlackWorld, kind: str, **event: Any) -> int:
    body = json.dumps(
        {
            "token": "x",
            "team_id": TEAM,
            "api_app_id": "A0PAPER",
            "type": "event_callback",
            "event_id": "Ev" + kind,
            "event_time": 1,
            "event": {"type": kind, **event},
        }
    )
    return await world.dispatch(body, json_headers(body, world.stamp()))


async def test_every_manifest_event_has_a_listener_and_others_do_not(world: SlackWorld) -> None:
    reaction = {
        "user": "U0BO",
        "reaction": "star",
        "item": {"type": "message", "channel": "C1", "ts": "1.2"},
    }
    for kind in bot_events():
        extra = reaction if kind.startswith("reaction_") else {}
        assert await _event(world, kind, **extra) == 200, kind
    assert await _event(world, "message", text="hi", channel="C1", user="U0BO") == 404


async def test_removing_the_reaction_withdraws_the_vote(
    world: SlackWorld, sqlite_store: SqlStore
) -> None:
    await world.command("U0BO", PAPERS, "nominate 2606.00002")
    ts = world.api.posts()[0]["ts"]  # the review message, posted where it was nominated
    await world.react("U0CY", PAPERS, ts, "star")
    async with sqlite_store.unit() as unit:
        [workspace] = await unit.workspaces.all()
        nomination = await unit.nominations.get_for_paper(workspace.id, "2606.00002")
    assert nomination is not None
    assert sorted(nomination.voters) == ["U0BO", "U0CY"]
    await world.react("U0CY", PAPERS, ts, "star", added=False)
    async with sqlite_store.unit() as unit:
        nomination = await unit.nominations.get_for_paper(workspace.id, "2606.00002")
    assert nomination is not None
    assert nomination.voters == ("U0BO",)


def test_the_dialog_fields_are_the_commands_options() -> None:
    for command, first in DIALOG_COMMANDS.items():
        assert [o.name for o in BY_NAME[command].options] == [first, "rule"]


async def _submit(world: SlackWorld, view: dict[str, Any], user: str, **values: str) -> None:
    state = {
        name: {"value": {"type": "plain_text_input", "value": v}} for name, v in values.items()
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "lab"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0PAPER",
        "token": "x",
        "trigger_id": "1.2.3",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }
    body = form({"payload": json.dumps(payload)})
    assert await world.dispatch(body, signed_headers(body, world.stamp())) == 200


async def test_topic_add_without_a_rule_opens_a_dialog_and_its_answer_is_posted(
    world: SlackWorld, sqlite_store: SqlStore
) -> None:
    api = world.api
    await world.dispatch(*_typed(world, "U0ADA", "topic-add moe"))
    [opened] = api.calls_to("views.open")
    assert opened.args["trigger_id"] == "111.111.xxx"
    view = opened.args["view"]
    assert view["callback_id"] == TOPIC_VIEW
    assert view["blocks"][0]["element"]["initial_value"] == "moe"
    assert view["blocks"][1]["element"]["multiline"] is True

    await _submit(world, view, "U0ADA", name="moe", rule='ti:"mixture of experts"\nOR ti:moe')
    [post] = api.posts(PAPERS)
    assert "moe" in str(post["blocks"])
    async with sqlite_store.unit() as unit:
        [topic] = await unit.topics.list()
    assert (topic.name, topic.rule) == ("moe", 'ti:"mixture of experts"\nOR ti:moe')

    # A rule that does not parse: only the admin sees why, in the channel.
    await _submit(world, view, "U0ADA", name="bad", rule="ti:(moe")
    [told] = api.calls_to("chat.postEphemeral")
    assert told.args["user"] == "U0ADA"
    assert "does not parse" in str(told.args["blocks"])
    # A member's dialog is refused like the command.
    await _submit(world, view, "U0BO", name="mine", rule="ti:x")
    assert "Only admins" in str(api.calls_to("chat.postEphemeral")[-1].args["blocks"])


def _typed(world: SlackWorld, user: str, text: str) -> tuple[str, dict[str, str]]:
    from tests.bot.slack.conftest import slash_command

    body = form(
        slash_command(
            world.shared,
            team_id=TEAM,
            channel_id=PAPERS,
            channel_name="papers",
            user_id=user,
            text=text,
            response_url=world.api.response_url("typed"),
        )
    )
    return body, signed_headers(body, world.stamp())
