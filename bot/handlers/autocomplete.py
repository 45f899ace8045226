"""Suggestions for a command option while the user is still typing it."""

from __future__ import annotations

from zoneinfo import available_timezones

from bot.handlers.context import Context
from bot.ports import ChannelRef
from digest import lists
from digest.list_view import section_paths
from digest.models import NominationStatus

MAX_SUGGESTIONS = 25


async def option_values(ctx: Context, channel: ChannelRef, kind: str, prefix: str) -> list[str]:
    """Up to 25 values of an option of this kind that contain what was typed."""
    prefix = prefix.strip().lower()
    if kind == "timezone":
        zones = sorted(z for z in available_timezones() if prefix in z.lower())
        return zones[:MAX_SUGGESTIONS]
    async with ctx.store.unit() as unit:
        workspace = await ctx.workspace(unit, channel)
        if kind == "topic":
            names = [t.name for t in await unit.topics.list(workspace.id)]
        elif kind == "nomination":
            pending = await unit.nominations.list(workspace.id, NominationStatus.PENDING)
            names = [n.paper_id for n in pending]
        elif kind == "section":
            paths = section_paths(await unit.lists.sections(workspace.id))
            names = [lists.SECTION_SEPARATOR.join(path) for path in paths.values()]
        elif kind == "entry":
            names = [f"#{e.id} {e.title}"[:100] for e in await unit.lists.entries(workspace.id)]
        else:
            names = []
    return [name for name in names if prefix in name.lower()][:MAX_SUGGESTIONS]
