"""The `/paper` application command group, built from bot/commands.py's one table."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.commands import COMMANDS, CommandSpec, OptionSpec

# Discord's limits for application commands (and what the tests check the JSON against).
MAX_SUBCOMMANDS = 25
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_DESCRIPTION = 100
MAX_NAME = 32
MAX_CHOICE_TEXT = 100

GROUP_NAME = "paper"
GROUP_HELP = "paperbot: weekly arXiv digests and the group's paper list"

CommandRunner = Callable[[discord.Interaction, CommandSpec, Mapping[str, str]], Awaitable[None]]
Completer = Callable[[discord.Interaction, str, str], Awaitable[list[str]]]


def paper_group(run: CommandRunner, complete: Completer) -> app_commands.Group:
    """`/paper` with one sub-command per row of the table; options become typed string options.

    `run` gets the command and the options the user gave (absent optional ones are left out);
    `complete` gets the option's autocomplete kind and what was typed so far.
    """
    group = app_commands.Group(
        name=GROUP_NAME,
        description=GROUP_HELP,
        # A workspace is a guild: there is no paperbot in direct messages.
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )
    for spec in COMMANDS:
        group.add_command(_command(spec, run, complete))
    return group


def _command(
    spec: CommandSpec, run: CommandRunner, complete: Completer
) -> app_commands.Command[Any, ..., None]:
    async def callback(interaction: discord.Interaction, **options: str | None) -> None:
        given = {name: value for name, value in options.items() if value is not None}
        await run(interaction, spec, given)

    # discord.py reads a command's options from its callback's signature; the table decides it.
    callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "interaction",
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=discord.Interaction,
            ),
            *(_parameter(option) for option in spec.options),
        ]
    )
    decorated: Any = callback
    if spec.options:
        decorated = app_commands.describe(**{o.name: o.help for o in spec.options})(decorated)
    choices = {
        o.name: [app_commands.Choice(name=c, value=c) for c in o.choices]
        for o in spec.options
        if o.choices
    }
    if choices:
        decorated = app_commands.choices(**choices)(decorated)
    completers = {
        o.name: _completer(o.autocomplete, complete) for o in spec.options if o.autocomplete
    }
    if completers:
        decorated = app_commands.autocomplete(**completers)(decorated)
    return app_commands.Command(name=spec.name, description=spec.help, callback=decorated)


def _parameter(option: OptionSpec) -> inspect.Parameter:
    if option.required:
        return inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, annotation=str)
    return inspect.Parameter(
        option.name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None, default=None
    )


def _completer(
    kind: str, complete: Completer
) -> Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    async def suggest(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        values = await complete(interaction, kind, current)
        # A choice's name and value are 100 characters at most; longer ones could not be sent.
        return [
            app_commands.Choice(name=value[:MAX_CHOICE_TEXT], value=value[:MAX_CHOICE_TEXT])
            for value in values[:MAX_CHOICES]
        ]

    return suggest
