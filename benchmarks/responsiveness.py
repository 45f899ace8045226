"""Benchmark: how fast other commands are answered while a rule is matched over a big backlog.

A `/paper topic-check` of a costly rule over 16 weeks of the real corpus (about 10 s of matching)
runs while a member sends `/paper topics` every 0.2 s; the latency of each of those is measured.
Side by side: the foundation's check (all papers read in one query, matched on the event loop),
and this version's day-by-day scan run inline, in a thread, and in a worker process. Run from
the repository root:

    .venv/bin/python benchmarks/responsiveness.py [--weeks 16]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.handlers import Defaults, Handlers  # noqa: E402
from bot.offload import ProcessOffload  # noqa: E402
from bot.ports import ChannelRef, Invocation, UserRef  # noqa: E402
from digest.clock import FixedClock  # noqa: E402
from digest.ingest import read_corpus, store_papers  # noqa: E402
from digest.matching import Matcher  # noqa: E402
from digest.models import Platform, Topic  # noqa: E402
from digest.offload import Offload, inline  # noqa: E402
from storage.engine import create_engine, sqlite_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.store import SqlStore  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
UNTIL = date(2026, 6, 28)
CHANNEL = ChannelRef(Platform.CONSOLE, "bench", "papers", workspace_name="Bench")
MEMBER = UserRef("bo", "bo")
WORDS = ("model", "learning", "data", "network", "method", "system", "training", "language")
# Many OR'd phrases of common words: every paper is a candidate, each term is looked up.
COSTLY = " OR ".join(f'abs:"{a} {b}"' for a in WORDS for b in reversed(WORDS) if a != b)
PAUSE = 0.2


async def _store(folder: Path, weeks: int, clock: FixedClock) -> SqlStore:
    engine = create_engine(sqlite_url(folder / "bench.db"))
    await upgrade(engine)
    store = SqlStore(engine, clock)
    since = UNTIL - timedelta(weeks=weeks)
    papers = [p for p in read_corpus(CORPUS) if p.announced and since <= p.announced <= UNTIL]
    await store_papers(store, papers)
    print(f"{len(papers):,} papers announced in the {weeks} weeks to {UNTIL}")
    return store


def _clock() -> FixedClock:
    return FixedClock(datetime(UNTIL.year, UNTIL.month, UNTIL.day, 20, 0, tzinfo=UTC))


async def _foundation_check(store: SqlStore, rule: str, weeks: int) -> int:
    """The check as the foundation ran it: one read, then the whole match on the event loop."""
    async with store.unit() as unit:
        papers = await unit.papers.announced_between(UNTIL - timedelta(weeks=weeks), UNTIL)
    return len(Matcher([Topic(0, 0, "check", rule)]).match(papers))


async def _measure(job: Awaitable[object], ask: Callable[[], Awaitable[object]]) -> list[float]:
    """Latencies of `ask`, called every PAUSE seconds until `job` is done (and once at least)."""
    task = asyncio.ensure_future(job)
    latencies = []
    while True:
        start = time.perf_counter()
        await ask()
        latencies.append(time.perf_counter() - start)
        if task.done():
            break
        await asyncio.sleep(PAUSE)
    await task
    return latencies


async def main() -> int:
    """Print the job's duration and the other command's median and worst latency per mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=16)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"{CORPUS} is absent: this benchmark needs ../shared/data beside the checkout.")
        return 1
    pool = ProcessOffload()
    with tempfile.TemporaryDirectory() as folder:
        clock = _clock()
        store = await _store(Path(folder), args.weeks, clock)
        await pool(len, "warm the worker up")
        modes: dict[str, Offload | None] = {
            "foundation (on the loop)": None,
            "inline, day by day": inline,
            "thread": asyncio.to_thread,
            "worker process": pool,
        }
        defaults = Defaults(backlog_weeks=args.weeks, match_budget=600.0)
        check = Invocation(CHANNEL, MEMBER, "topic-check", {"rule": COSTLY})
        topics = Invocation(CHANNEL, MEMBER, "topics")
        idle_handlers = Handlers(store, clock, defaults)
        idle = [await _timed(idle_handlers.command(topics)) for _ in range(20)]
        base = statistics.median(idle)
        print(f"/paper topics alone: median {base * 1000:.1f} ms")
        print(
            f"{'mode':26} {'job s':>6} {'asked':>5} {'median ms':>9} {'worst ms':>9} {'x idle':>7}"
        )
        for name, offload in modes.items():
            handlers = Handlers(store, clock, defaults, offload=offload)
            job = (
                _foundation_check(store, COSTLY, args.weeks)
                if offload is None
                else handlers.command(check)
            )
            start = time.perf_counter()
            latencies = await _measure(job, lambda h=handlers: h.command(topics))
            took = time.perf_counter() - start
            worst = max(latencies)
            print(
                f"{name:26} {took:6.1f} {len(latencies):5} "
                f"{statistics.median(latencies) * 1000:9.1f} {worst * 1000:9.1f} "
                f"{worst / base:7.0f}"
            )
        await store.close()
    pool.close()
    return 0


async def _timed(work: Awaitable[object]) -> float:
    start = time.perf_counter()
    await work
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
