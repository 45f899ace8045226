"""Round trips of the real lists: each file in ../shared/data/lists imported and exported again.

Every Markdown file under ../shared/data/lists is read as `paperbot list import` reads it,
imported into a fresh SQLite database, and exported in the style it was read in; the export is
compared with the file line by line. Prints, per file, its lines, the lines that differ (a line
changed, dropped or added counts once), and the total.

Numbers, not assertions: run it, read them.

    .venv/bin/python benchmarks/list_round_trip.py
"""

from __future__ import annotations

import asyncio
import difflib
import tempfile
from pathlib import Path

from digest.clock import SystemClock
from digest.list_import import import_list, read_list_file
from digest.lists import export_markdown, load_list
from digest.models import Platform
from storage.engine import create_engine, sqlite_url
from storage.migrate import upgrade
from storage.store import SqlStore

ROOT = Path(__file__).resolve().parents[1]
LISTS = ROOT.parent / "shared" / "data" / "lists"


def differing(before: list[str], after: list[str]) -> int:
    """Lines changed, dropped or added between two texts, each counted once."""
    count = 0
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            count += max(i2 - i1, j2 - j1)
    return count


async def round_trip(store: SqlStore, path: Path, number: int) -> str:
    """The file imported into a workspace of its own and exported in its style."""
    read = read_list_file(path)
    async with store.unit() as unit:
        workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, f"w{number}", "W")
        await import_list(unit, workspace.id, read, SystemClock().now())
        view = await load_list(unit, workspace.id, read.document.title)
    return export_markdown(view, read.style)


async def main() -> None:
    files = sorted(LISTS.rglob("*.md"))
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url(Path(folder) / "round-trip.db")
        engine = create_engine(url)
        await upgrade(engine)
        store = SqlStore(engine, SystemClock())
        total_lines = total_differing = identical = 0
        print(f"{'file':60} {'lines':>6} {'differ':>6}")
        for number, path in enumerate(files):
            original = path.read_text(encoding="utf-8-sig").splitlines()
            exported = (await round_trip(store, path, number)).splitlines()
            count = differing(original, exported)
            total_lines += len(original)
            total_differing += count
            identical += count == 0
            print(f"{path.relative_to(LISTS)!s:60} {len(original):6} {count:6}")
        await store.close()
    print(
        f"{len(files)} files, {identical} identical (line endings aside); "
        f"{total_differing:,} of {total_lines:,} lines differ"
    )


if __name__ == "__main__":
    asyncio.run(main())
