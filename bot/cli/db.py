"""`paperbot db upgrade | current`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `db`."""
    db = commands.add_parser("db", help="database schema", description="Database schema.")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="migrate the database to the latest schema")
    actions.add_parser("current", help="print the schema revision of the database")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate, or print the revision."""
    from storage.engine import create_engine
    from storage.migrate import current_revision, upgrade

    engine = create_engine(settings.database_url_text)
    try:
        if args.db_command == "upgrade":
            await upgrade(engine)
            print(f"database at revision {await current_revision(engine)}")
        else:
            print(await current_revision(engine) or "not migrated (run `paperbot db upgrade`)")
    finally:
        await engine.dispose()
    return 0
