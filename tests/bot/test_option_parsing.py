"""Options are parsed one way for every chat command: shell words, curly quotes too; quotes
around a name are not part of it; `9:00` is a time; re-subscribing says what changed."""

from __future__ import annotations

from datetime import time

import pytest

from bot.command_words import first_word, unquoted
from bot.commands import parse_command_line
from bot.handlers import Handlers
from bot.handlers.context import UserError
from bot.handlers.parsing import parse_time
from bot.ports import ChannelRef, Invocation, UserRef
from digest.clock import FixedClock
from digest.list_import import import_list
from digest.list_markdown import read_list
from digest.models import Platform
from storage.store import SqlStore

CHANNEL = ChannelRef(Platform.CONSOLE, "lab", "papers", workspace_name="Lab")
ADMIN = UserRef("root", "Root", platform_admin=True)
LIST = """# Lab list
## LLM Systems
### Inference
- [vLLM](https://arxiv.org/abs/2309.06180): Paged KV cache memory for LLM serving
## Training
- [ZeRO](https://arxiv.org/abs/1910.02054): Memory optimizations for data parallel training
"""


def test_words_follow_the_shell_with_curly_quotes() -> None:
    assert parse_command_line("/paper section-move first “LLM Systems / Inference”") == (
        "section-move",
        {"where": "first", "section": "“LLM Systems / Inference”"},
    )
    assert parse_command_line("/paper section-rename 'LLM Systems' “New name”") == (
        "section-rename",
        {"section": "LLM Systems", "title": "“New name”"},
    )
    assert parse_command_line('/paper subscribe "llm-serving" mon 9:00') == (
        "subscribe",
        {"topic": "llm-serving", "weekday": "mon", "time": "9:00"},
    )
    assert first_word("a\\b c") == ("a\\b", "c")  # a backslash is a character
    assert parse_command_line('/paper subscribe "llm-serving mon') == (  # never closed: as typed
        "subscribe",
        {"topic": '"llm-serving', "weekday": "mon"},
    )


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ('"LLM Systems / Inference"', "LLM Systems / Inference"),
        ("“LLM Systems / Inference”", "LLM Systems / Inference"),
        ("‘Training’", "Training"),
        ("'Training'", "Training"),
        ("Training", "Training"),
        ('"a" / "b"', '"a" / "b"'),
    ],
)
def test_quotes_around_a_name_are_not_part_of_it(typed: str, name: str) -> None:
    assert unquoted(typed) == name


def test_times_with_one_digit_hours() -> None:
    assert parse_time("9:00") == time(9, 0)
    assert parse_time("09:30") == time(9, 30)
    assert parse_time("7") == time(7, 0)
    for bad in ("25:00", "9:60", "nine", "9:0"):
        with pytest.raises(UserError):
            parse_time(bad)


def _typed(line: str) -> Invocation:
    name, options = parse_command_line(line)
    return Invocation(CHANNEL, ADMIN, name, options)


async def test_list_and_section_moves_with_quoted_names(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    async with sqlite_store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await import_list(unit, workspace.id, read_list(LIST), clock.now())
    handlers = Handlers(sqlite_store, clock)
    moved = await handlers.command(_typed('/paper list-move zero "LLM Systems / Inference"'))
    assert moved.text.endswith("to LLM Systems / Inference.")
    reordered = await handlers.command(_typed("/paper section-move last “LLM Systems”"))
    assert reordered.text == "“LLM Systems” is now section 2 of 2 at its level."
    renamed = await handlers.command(_typed("/paper section-rename Training ‘Learning’"))
    assert renamed.text == "Renamed section “Training” to “Learning”."
    emptied = await handlers.command(_typed("/paper section-remove “Learning”"))
    assert emptied.text == "Removed section “Learning” from the list."


async def test_resubscribing_applies_new_options_and_says_what_changed(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = Handlers(sqlite_store, clock)
    await handlers.command(_typed("/paper topic-add serving ti:serving"))
    await handlers.command(_typed("/paper topic-add moe ti:moe"))
    first = await handlers.command(_typed("/paper subscribe serving"))
    assert "First digest: Mon 29 Jun 09:00 UTC." in first.text
    assert "moved" not in first.text
    same = await handlers.command(_typed("/paper subscribe serving"))
    assert same.text == "This channel is already subscribed to serving."
    again = await handlers.command(_typed("/paper subscribe serving tue 8:30"))
    assert again.text == (
        "This channel was already subscribed to serving. The channel's digest moved from "
        "Mon 09:00 UTC to Tue 08:30 UTC. Next digest: Tue 30 Jun 08:30 UTC."
    )
    other = await handlers.command(_typed("/paper subscribe moe wed 9:00 Europe/Berlin"))
    assert other.text == (
        "Subscribed this channel to moe. First digest: Wed 01 Jul 09:00 Europe/Berlin. The "
        "channel's digest moved from Tue 08:30 UTC to Wed 09:00 Europe/Berlin (for serving "
        "too: a channel has one digest)."
    )
    listed = await handlers.command(_typed("/paper digest"))
    assert "schedule: wed 09:00 Europe/Berlin" in listed.text
