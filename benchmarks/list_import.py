"""List import speed: a 50 MB list read and imported, hostile lines read, real lists read.

1. A list written from the corpus dump (every paper an llmsys entry with the start of its abstract
   as its note, sections by category and month), grown to --megabytes: read time, MB/s, and the
   import into a fresh SQLite (and PostgreSQL) database, with the process's peak memory.
2. Hostile shapes (a line of `[`, runs of spaces, a heading per entry...) at --hostile bytes and at
   a quarter of that: the time ratio is about 4 when reading is linear (the old reader's was 16 or
   more, and some shapes never finished).
3. Files made to be slow, just under the import's limits (bytes, lines, entries, sections), read
   as `paperbot list import` reads them: how long the worst file allowed takes.
4. The real lists in ../shared/data/lists, read.

Numbers, not assertions: run it, read them.

    .venv/bin/python benchmarks/list_import.py [--megabytes 50] [--hostile 1000000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import resource
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import psycopg

from digest.clock import SystemClock
from digest.list_import import (
    MAX_IMPORT_ENTRIES,
    MAX_LIST_BYTES,
    MAX_LIST_LINES,
    ListImportError,
    import_list,
    read_list_file,
)
from digest.list_markdown import read_list
from digest.models import Platform
from storage.engine import create_engine, sqlite_url
from storage.migrate import upgrade
from storage.store import SqlStore

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CORPUS = SHARED / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
LISTS = SHARED / "lists"
PG_ADMIN = os.environ.get("PAPERBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

HOSTILE: dict[str, Callable[[int], str]] = {
    "a line of [": lambda n: "- " + "[" * n,
    "link starts [a](": lambda n: "- " + "[a](" * (n // 4),
    "spaces in a heading": lambda n: "# a" + " " * n + "b",
    "spaces after bold": lambda n: "**a**" + " " * n + "x",
    "spaces in a table rule": lambda n: "| a |\n|---" + " " * n + "x|",
    "image starts ![": lambda n: "- x " + "![" * (n // 2),
    "tag starts <a": lambda n: "- x " + "<a" * (n // 2),
    "comments": lambda n: "- x " + "<!-- -->" * (n // 8),
    "a label over many lines": lambda n: "- [" + "\na[" * (n // 3),
    "a heading per entry": lambda n: "\n".join(f"## s{i}\n- t{i}" for i in range(n // 14)),
    "titles sharing a first word": lambda n: "\n".join(
        f"- [Towards a thing number {i}](https://x.org/{i})" for i in range(n // 45)
    ),
}


def corpus_list(megabytes: float) -> str:
    """The corpus as one Markdown list of about `megabytes` MB."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        papers = [json.loads(line) for line in lines]
    sections: dict[str, list[dict[str, str]]] = defaultdict(list)
    for paper in papers:
        sections[f"{paper['categories'][0]} {paper['daily_file_date'][:7]}"].append(paper)
    # Notes as long as it takes to reach the size (a title and link are about 130 bytes).
    note_chars = max(0, int(megabytes * 1_000_000 / len(papers)) - 140)
    out = ["# The corpus as a list", ""]
    for name in sorted(sections):
        out.append(f"## {name}")
        for paper in sections[name]:
            title = " ".join(paper["title"].split()).replace("[", "\\[").replace("]", "\\]")
            note = " ".join(paper["summary"].split())[:note_chars]
            note = note.replace("|", "/").replace("[", "(").replace("]", ")")
            out.append(f"- [{title}](https://arxiv.org/abs/{paper['id']}) | {note}")
        out.append("")
    return "\n".join(out)


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000


async def import_into(url: str, text: str, label: str) -> None:
    """Read and import `text` into an empty database; print the times."""
    engine = create_engine(url)
    await upgrade(engine)
    store = SqlStore(engine, SystemClock())
    try:
        async with store.unit() as unit:
            workspace = await unit.workspaces.get_or_create(Platform.CONSOLE, "bench", "Bench")
        start = time.perf_counter()
        read = read_list(text)
        reading = time.perf_counter() - start
        start = time.perf_counter()
        async with store.unit() as unit:
            report = await import_list(unit, workspace.id, read, SystemClock().now())
        importing = time.perf_counter() - start
    finally:
        await store.close()
    size = len(text.encode()) / 1_000_000
    print(
        f"{label:<11} {size:5.1f} MB: read {reading:5.1f} s ({size / reading:4.2f} MB/s), "
        f"import {importing:5.1f} s; {report.added:,} entries, {report.sections} sections, "
        f"{len(read.duplicates)} duplicates; peak memory {peak_mb():,.0f} MB"
    )


async def big_list(megabytes: float, postgres: bool) -> None:
    """Part 1."""
    if not CORPUS.is_file():
        print(f"skipped the {megabytes:g} MB list: {CORPUS} is absent")
        return
    text = corpus_list(megabytes)
    print(f"list import limit: {MAX_LIST_BYTES / 1_000_000:g} MB")
    with tempfile.TemporaryDirectory() as scratch:
        await import_into(sqlite_url(Path(scratch) / "bench.db"), text, "SQLite")
    if postgres:
        name = f"paperbot_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
            await import_into(f"{base}/{name}", text, "PostgreSQL")
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def hostile(size: int) -> None:
    """Part 2."""
    print(f"\nhostile shapes at {size:,} and {size // 4:,} characters:")
    for name, make in HOSTILE.items():
        times = []
        for n in (size // 4, size):
            text = make(n)
            start = time.perf_counter()
            read_list(text)
            times.append(time.perf_counter() - start)
        print(
            f"  {name:<28} {times[1]:6.2f} s  ({size / times[1] / 1_000_000:5.2f} MB/s), "
            f"{times[1] / times[0]:4.1f}x the time for 4x the text"
        )


# Shapes of a whole file at the limits: the most lines, or the most bytes in lines that cost the
# most per byte without adding entries or sections (which have limits of their own).
AT_LIMITS: dict[str, Callable[[], str]] = {
    "table rows without known columns": lambda: "| a | b |\n" * (MAX_LIST_LINES - 1),
    "bold lines": lambda: "**Old**\n" * (MAX_LIST_LINES - 1),
    "one heading over and over, full of <": lambda: (
        ("## x " + "<a" * (MAX_LIST_BYTES // MAX_LIST_LINES // 2 - 4) + "\n") * (MAX_LIST_LINES - 1)
    ),
    "entries up to the entry limit": lambda: "\n".join(
        f"- [Towards a thing number {i}](https://x.org/{i})" for i in range(MAX_IMPORT_ENTRIES)
    ),
}


def at_limits() -> None:
    """Part 3."""
    print("\nthe slowest files the limits allow, read as `paperbot list import` reads them:")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "list.md"
        for name, make in AT_LIMITS.items():
            path.write_text(make(), encoding="utf-8")
            size = path.stat().st_size / 1_000_000
            start = time.perf_counter()
            try:
                read = read_list_file(path)
                outcome = f"{len(read.document.items):,} entries"
            except ListImportError as exc:
                outcome = f"refused: {exc}"
            took = time.perf_counter() - start
            print(f"  {name:<38} {size:5.1f} MB {took:6.1f} s  {outcome}")


def real_lists() -> None:
    """Part 4."""
    if not LISTS.is_dir():
        return
    print("\nreal lists:")
    for path in sorted(LISTS.glob("**/*.md")):
        text = path.read_text(encoding="utf-8")
        if len(text) < 3_000:
            continue
        start = time.perf_counter()
        read = read_list(text)
        took = time.perf_counter() - start
        print(
            f"  {path.relative_to(LISTS)!s:<45} {len(text) / 1000:7.0f} kB {took:6.2f} s, "
            f"{len(read.document.items):,} entries"
        )


def main() -> None:
    """Run the four parts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--hostile", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    asyncio.run(big_list(args.megabytes, not args.no_postgres))
    hostile(args.hostile)
    at_limits()
    real_lists()


if __name__ == "__main__":
    main()
