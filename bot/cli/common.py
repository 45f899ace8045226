"""What every `paperbot` sub-command shares: errors, argument types, opening the store."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from sqlalchemy.engine import make_url

from bot.app import defaults_from, open_store
from config import Settings
from digest.clock import SystemClock
from digest.models import Platform, Workspace
from digest.ports import Unit
from storage.store import SqlStore

# The external id (and name) of the command line's workspace on a fresh database.
LOCAL_WORKSPACE = "local"
MAX_WEEKS = 520  # ten years of papers


class CliError(Exception):
    """A problem the user of the command line can fix; printed without a traceback."""


def iso_date(text: str) -> date:
    """An argparse type for `2026-06-22`."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-22") from exc


def database_problem(settings: Settings, reason: str) -> str:
    """`cannot use the database at URL: reason`, the URL's password and every secret hidden."""
    where = make_url(settings.database_url_text).render_as_string(hide_password=True)
    for secret in settings.secrets:
        reason = reason.replace(secret, "***")
    return f"cannot use the database at {where}: {reason or 'no reason given'}"


def week_count(text: str) -> int:
    """An argparse type for a number of weeks, 1 to MAX_WEEKS."""
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_WEEKS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of weeks from 1 to {MAX_WEEKS}")
    return int(text)


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[SqlStore]:
    """The migrated store on the real clock, closed afterwards."""
    try:
        store = await open_store(settings, SystemClock())
    except OSError as exc:  # a SQLite file whose folder cannot be made or opened
        raise CliError(database_problem(settings, f"{exc.strerror}: {exc.filename}")) from exc
    try:
        yield store
    finally:
        await store.close()


async def pick_workspace(unit: Unit, wanted: str | None, settings: Settings) -> Workspace:
    """The workspace `wanted` names (id, external id or name), else the only one; on a fresh
    database the local workspace, made now, which the first Discord guild or Slack team adopts."""
    workspaces = await unit.workspaces.all()
    if not workspaces and wanted in (None, LOCAL_WORKSPACE):
        initial = defaults_from(settings).workspace_settings()
        return await unit.workspaces.get_or_create(
            Platform.LOCAL, LOCAL_WORKSPACE, LOCAL_WORKSPACE, initial
        )
    if wanted:
        chosen = [w for w in workspaces if wanted in (w.external_id, w.name, str(w.id))]
        if not chosen:
            raise CliError(f"no workspace {wanted!r} (workspaces: {workspace_names(workspaces)})")
        workspaces = chosen
    if len(workspaces) > 1:
        raise CliError(
            f"several workspaces; pick one with --workspace: {workspace_names(workspaces)}"
        )
    return workspaces[0]


def workspace_names(workspaces: list[Workspace]) -> str:
    """Workspaces as `--workspace` takes them: `#id platform external id (name)`."""
    return ", ".join(f"#{w.id} {w.platform} {w.external_id} ({w.name})" for w in workspaces)
