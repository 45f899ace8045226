"""Ingestion speed: load the 74,728-paper corpus into SQLite and PostgreSQL, twice each.

Prints papers per second for the first load (all new) and the second (all already stored), with
five topics matched inside store_papers, the cost of that matching, the corpus reader's speed,
and the Atom parser's throughput in entries per second. Beside each load runs the fixed baseline
of benchmarks/baseline.py: the idle-equivalent rate multiplies a rate by the load the baseline
saw. PAPERBOT_BENCH_CODE=PATH measures another checkout's code (the code before a change) with
the same script. Numbers, not assertions: run it, read them.

    .venv/bin/python benchmarks/ingest.py [--no-postgres] [--limit N]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(os.environ.get("PAPERBOT_BENCH_CODE", ROOT))))
sys.path.insert(0, str(ROOT / "benchmarks"))

from baseline import Baseline, run_baseline, steadiest  # noqa: E402

from digest.arxiv import parse_feed  # noqa: E402
from digest.clock import SystemClock  # noqa: E402
from digest.ingest import read_corpus, store_papers  # noqa: E402
from digest.models import Paper, Platform  # noqa: E402
from storage.engine import create_engine, sqlite_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.store import SqlStore  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
CORPUS = SHARED / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
PG_ADMIN = os.environ.get("PAPERBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TOPICS = {
    "llm-serving": 'ti:"LLM serving" OR abs:"KV cache" OR (abs:inference AND abs:throughput)',
    "moe": 'abs:"mixture of experts" OR ti:MoE',
    "systems": "cat:cs.DC OR cat:cs.OS",
    "rl": 'abs:"reinforcement learning" ANDNOT cat:cs.RO',
    "venues": "venue:OSDI OR venue:SOSP OR venue:NSDI OR venue:MLSys OR has:code",
}


CPU: list[float] = []  # CPU seconds of the last timed call (this process, every thread)


async def timed(run: Callable[[], Awaitable[object]]) -> float:
    """Seconds one awaited call takes (its CPU seconds go to CPU)."""
    start, cpu = time.perf_counter(), time.process_time()
    await run()
    CPU[:] = [time.process_time() - cpu]
    return time.perf_counter() - start


async def open_store(url: str, topics: bool = False) -> SqlStore:
    """A migrated store, with the benchmark topics when asked."""
    engine = create_engine(url)
    await upgrade(engine)
    store = SqlStore(engine, SystemClock())
    if topics:
        async with store.unit() as unit:
            ws = await unit.workspaces.get_or_create(Platform.CONSOLE, "bench", "Bench")
            for name, rule in TOPICS.items():
                await unit.topics.create(ws.id, name, rule, "", None)
    return store


def _rate(label: str, n: int, seconds: float, load: Baseline, note: str) -> None:
    idle = n / seconds * load.load
    print(
        f"{label:<23} {n / seconds:>9,.0f} papers/s  ({seconds:6.2f} s; load {load.load:4.1f}, "
        f"idle-equivalent {idle:>7,.0f} papers/s){note}"
    )


async def two_loads(url: str, papers: list[Paper], label: str) -> None:
    """Load `papers` with five topics into an empty database, then again; papers per second."""
    store = await open_store(url, topics=True)
    try:
        before = run_baseline()
        first = await timed(lambda: store_papers(store, papers))
        first_cpu = CPU[0]
        between = run_baseline()
        second = await timed(lambda: store_papers(store, papers))
        second_cpu = CPU[0]
        after = run_baseline()
        async with store.unit() as unit:
            count = await unit.papers.count()
    finally:
        await store.close()
    n = len(papers)
    _rate(f"{label} first load", n, first, steadiest(before, between), f", {count:,} rows")
    _rate(f"{label} reload", n, second, steadiest(between, after), "")
    # CPU time of this process is stretched less by other jobs than wall time (the database
    # server's own CPU is not in it): papers per CPU second, and per baseline CPU second
    base = min(before.cpu, between.cpu, after.cpu)
    for kind, cpu in (("first load", first_cpu), ("reload", second_cpu)):
        print(
            f"{label + ' ' + kind:<23} {n / cpu:>9,.0f} papers per CPU s ({cpu:6.2f} CPU s, "
            f"{cpu / base:6.1f}x the baseline's CPU time)"
        )


async def matching_cost(papers: list[Paper], folder: Path) -> None:
    """First load into SQLite with no topics and with five topics: the matcher's share."""
    bare = await open_store(sqlite_url(folder / "bare.db"))
    matched = await open_store(sqlite_url(folder / "topics.db"), topics=True)
    try:
        without = await timed(lambda: store_papers(bare, papers))
        report = None

        async def with_topics() -> None:
            nonlocal report
            report = await store_papers(matched, papers)

        with_them = await timed(with_topics)
    finally:
        await bare.close()
        await matched.close()
    n = len(papers)
    print(f"matching    no topics   {n / without:>9,.0f} papers/s  ({without:6.2f} s)")
    print(f"matching    {len(TOPICS)} topics    {n / with_them:>9,.0f} papers/s  "
          f"({with_them:6.2f} s; matching {with_them - without:+.2f} s, "
          f"{report.matches if report else 0:,} matches)")  # fmt: skip


def parse_throughput() -> None:
    """Entries per second of parse_feed over the recorded API pages."""
    pages = [
        p.read_bytes() for p in sorted((SHARED / "arxiv-api" / "recorded-2026").glob("q_*.xml"))
    ]
    entries = rounds = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 3.0:
        for body in pages:
            entries += len(parse_feed(body).papers)
        rounds += 1
    elapsed = time.perf_counter() - start
    print(
        f"Atom parse  {entries / elapsed:>9,.0f} entries/s ({len(pages)} recorded pages x {rounds})"
    )


def postgres_url() -> str | None:
    """A scratch PostgreSQL database, or None when the server is unreachable."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
            name = f"paperbot_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL at {PG_ADMIN} is unreachable ({exc}); skipping it")
        return None
    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+psycopg://")


def drop_postgres(url: str) -> None:
    """Drop the scratch database."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main(postgres: bool, limit: int | None) -> int:
    """Run every measurement and print it."""
    if not CORPUS.is_file():
        print(f"{CORPUS} is absent: this benchmark needs ../shared/data beside the checkout")
        return 2
    start = time.perf_counter()
    papers = list(itertools.islice(read_corpus(CORPUS), limit))
    read = time.perf_counter() - start
    print(
        f"corpus      read        {len(papers) / read:>9,.0f} papers/s  ({read:6.2f} s for "
        f"{len(papers):,} papers: gunzip, JSON, venue and code detection)"
    )
    parse_throughput()
    with tempfile.TemporaryDirectory() as folder:
        await two_loads(sqlite_url(Path(folder) / "bench.db"), papers, "SQLite")
        if postgres and (url := postgres_url()):
            try:
                await two_loads(url, papers, "PostgreSQL")
            finally:
                drop_postgres(url)
        await matching_cost(papers, Path(folder))
    print("(2 shared cores, other jobs running: compare idle-equivalents; one run each)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--limit", type=int, help="load only the first N papers")
    options = parser.parse_args()
    sys.exit(asyncio.run(main(not options.no_postgres, options.limit)))
