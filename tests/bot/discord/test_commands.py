"""The `/paper` group: every command of the table, within Discord's limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.commands import COMMANDS, CommandSpec
from bot.discord.commands import paper_group
from tests.bot.discord.discord_limits import command_problems


async def _run(
    interaction: discord.Interaction, spec: CommandSpec, options: Mapping[str, str]
) -> None:
    raise AssertionError("not run in these tests")


async def _complete(interaction: discord.Interaction, kind: str, current: str) -> list[str]:
    raise AssertionError("not run in these tests")


def _payload() -> dict[str, Any]:
    group = paper_group(_run, _complete)
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    tree.add_command(group)
    return group.to_dict(tree)


def test_the_group_holds_every_command_of_the_table_in_order() -> None:
    payload = _payload()
    assert payload["name"] == "paper"
    assert [sub["name"] for sub in payload["options"]] == [spec.name for spec in COMMANDS]
    assert all(sub["type"] == 1 for sub in payload["options"])  # sub-commands


def test_the_json_is_within_discords_limits() -> None:
    payload = _payload()
    assert command_problems(payload) == []
    assert len(payload["options"]) <= 25


def test_the_checker_sees_a_broken_command() -> None:
    broken = {
        "name": "Paper",
        "description": "d" * 101,
        "options": [
            {"type": 3, "name": "a", "description": "x", "required": False},
            {"type": 3, "name": "b", "description": "x", "required": True},
            {
                "type": 3,
                "name": "c",
                "description": "x",
                "choices": [{"name": str(n), "value": str(n)} for n in range(26)],
            },
        ],
    }
    problems = command_problems(broken)
    assert len(problems) == 4, problems


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda spec: spec.name)
def test_each_option_keeps_its_help_choices_and_completion(spec: CommandSpec) -> None:
    (sub,) = [s for s in _payload()["options"] if s["name"] == spec.name]
    assert sub["description"] == spec.help
    # Discord lists required options first; the table already does.
    by_name = {option["name"]: option for option in sub["options"]}
    assert [o["name"] for o in sub["options"]] == [o.name for o in spec.options]
    for option in spec.options:
        sent = by_name[option.name]
        assert sent["type"] == 3  # string
        assert sent["description"] == option.help
        assert sent["required"] is option.required
        assert sent.get("autocomplete", False) is bool(option.autocomplete)
        assert [c["value"] for c in sent.get("choices", [])] == list(option.choices)
