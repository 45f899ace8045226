"""`paperbot export-all` and `import-all`: the whole database as one JSON file, and back."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError

if TYPE_CHECKING:
    from config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `export-all` and `import-all`."""
    export = commands.add_parser(
        "export-all",
        help="write the whole database (every workspace) to one JSON file",
        description="Write every row of the database (topics, subscriptions, digests, "
        "nominations with votes and decisions, the list with its history, papers, ...) to one "
        "versioned JSON file: a backup, or the way to move to another database.",
    )
    export.add_argument(
        "-o", "--output", type=Path, help="the file to write (default: standard output)"
    )
    load = commands.add_parser(
        "import-all",
        help="load a file of `paperbot export-all` into an empty database",
        description="Load an export into the configured database, which must be empty (ids are "
        "kept, so buttons posted before the move keep working). All or nothing.",
    )
    load.add_argument("file", type=Path, help="the export to load")


def _summary(counts: dict[str, int]) -> str:
    kept = {name: count for name, count in counts.items() if count}
    return ", ".join(f"{count} {name}" for name, count in kept.items()) or "no rows"


async def _export(settings: Settings, output: Path | None) -> dict[str, int]:
    import asyncio

    from digest.clock import SystemClock
    from storage.backup import export_all
    from storage.engine import create_engine
    from storage.migrate import upgrade

    engine = create_engine(settings.database_url_text)
    try:
        await upgrade(engine)
        if output is None:
            return await export_all(engine, sys.stdout, SystemClock().now())
        # Written aside, then moved in place: a failed export leaves no half file.
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                counts = await export_all(engine, out, SystemClock().now())
            await asyncio.to_thread(os.replace, partial, output)
        finally:
            partial.unlink(missing_ok=True)
        return counts
    finally:
        await engine.dispose()


async def _import(settings: Settings, path: Path) -> dict[str, int]:
    from storage.backup import import_all, read_export
    from storage.engine import create_engine
    from storage.migrate import upgrade

    try:
        with path.open(encoding="utf-8") as source:
            document = read_export(source)
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from error
    engine = create_engine(settings.database_url_text)
    try:
        await upgrade(engine)
        return await import_all(engine, document)
    finally:
        await engine.dispose()


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Export or import; the counts go to stderr."""
    from storage.backup import BackupError

    try:
        if args.command == "export-all":
            counts = await _export(settings, args.output)
            where = args.output or "standard output"
            print(f"exported {_summary(counts)} to {where}", file=sys.stderr)
        else:
            counts = await _import(settings, args.file)
            print(f"imported {_summary(counts)} from {args.file}", file=sys.stderr)
    except BackupError as error:
        raise CliError(str(error)) from error
    return 0
