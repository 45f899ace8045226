"""What every `paperbot` sub-command shares: errors, argument types, opening the store.

The modules of bot/cli import what their commands need inside the commands: building the parser
(`paperbot --help`) must not import SQLAlchemy, Alembic or the chat libraries.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config import Settings
    from digest.models import Workspace
    from digest.ports import Unit
    from storage.store import SqlStore


class CliError(Exception):
    """A problem the user of the command line can fix; printed without a traceback."""


def iso_date(text: str) -> date:
    """An argparse type for `2026-06-22`."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-22") from exc


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[SqlStore]:
    """The migrated store on the real clock, closed afterwards."""
    from bot.app import open_store
    from digest.clock import SystemClock

    store = await open_store(settings, SystemClock())
    try:
        yield store
    finally:
        await store.close()


async def pick_workspace(unit: Unit, wanted: str | None) -> Workspace:
    """The one workspace, or the one `wanted` names (id, external id or name)."""
    workspaces = await unit.workspaces.all()
    if wanted:
        workspaces = [w for w in workspaces if wanted in (w.external_id, w.name, str(w.id))]
    if not workspaces:
        raise CliError("no such workspace" if wanted else "no workspace yet: add the bot first")
    if len(workspaces) > 1:
        names = ", ".join(f"{w.external_id} ({w.name})" for w in workspaces)
        raise CliError(f"several workspaces; pick one with --workspace: {names}")
    return workspaces[0]
