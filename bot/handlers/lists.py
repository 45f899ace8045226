"""`/paper list` and the list's admin commands: list-move, list-remove, section-rename, -move,
-remove."""

from __future__ import annotations

from bot import messages
from bot.command_words import unquoted
from bot.handlers.context import Context
from bot.ports import Invocation, OutboundMessage
from bot.rich_text import Part, bold, code, lines, text
from digest import lists
from digest.list_view import section_paths
from digest.lists import section_path_of


async def show_list(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """The group's list, section by section, with the latest entries of each."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        sections = await unit.lists.sections(workspace.id)
        entries = await unit.lists.entries(workspace.id)
    if not entries:
        return messages.reply(
            "The list is empty. Nominate papers with ", code("/paper nominate"), "."
        )
    paths = section_paths(sections)
    rows: list[Part] = []
    for section in sections:
        inside = [e for e in entries if e.section_id == section.id]
        if inside:
            path = lists.SECTION_SEPARATOR.join(paths[section.id])
            rows.append(text(bold(path), f" ({len(inside)})"))
            rows += [
                f"• #{e.id} {e.title}" + (f" ({e.venue})" if e.venue else "") for e in inside[-5:]
            ]
    return messages.reply(lines(*rows), title=workspace.settings.list_title)


async def move_entry(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Move a list entry to another section, created if new."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        entry, path = await lists.move_entry(
            unit, workspace.id, invocation.options["entry"], unquoted(invocation.options["section"])
        )
    await ctx.list_changed(workspace.id)
    return messages.public(f"Moved {lists.describe_entry(entry)} to {path}.")


async def remove_entry(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Take an entry off the list; it stays in the list's history."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        entry, path = await lists.remove_entry(
            unit,
            workspace.id,
            invocation.options["entry"],
            invocation.user.id,
            ctx.clock.now(),
        )
    await ctx.list_changed(workspace.id)
    return messages.public(
        f"Removed {lists.describe_entry(entry)} from {path}. It stays in the list's history."
    )


async def rename_section(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Rename a section of the list."""
    old = unquoted(invocation.options["section"])
    title = unquoted(invocation.options["title"])
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        section = await lists.rename_section(unit, workspace.id, old, title)
        path = await section_path_of(unit, workspace.id, section.id)
    await ctx.list_changed(workspace.id)
    return messages.public(f"Renamed section “{old}” to “{path}”.")


async def move_section(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Reorder a section among its siblings."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        section, position, count = await lists.reorder_section(
            unit, workspace.id, unquoted(invocation.options["section"]), invocation.options["where"]
        )
        path = await section_path_of(unit, workspace.id, section.id)
    return messages.public(f"“{path}” is now section {position} of {count} at its level.")


async def remove_section(ctx: Context, invocation: Invocation) -> OutboundMessage:
    """Remove an empty section (and the empty sections below it); one with entries stays."""
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, invocation.channel)
        path, below = await lists.remove_section(
            unit,
            workspace.id,
            unquoted(invocation.options["section"]),
            invocation.user.id,
            ctx.clock.now(),
        )
    await ctx.list_changed(workspace.id)
    return messages.public(f"Removed {lists.describe_removed_section(path, below)} from the list.")
