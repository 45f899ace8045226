"""Creating a topic: its rule matched against the stored backlog, at today's size and at 10x.

Loads the corpus into SQLite once, then times digest.topics.scan_backlog (what `topic-add`
runs before saving) over the default 4 weeks of backlog and over 40 weeks, which holds ten
times as many papers. The fixed baseline of benchmarks/baseline.py runs beside each timing.
PAPERBOT_BENCH_CODE=PATH measures another checkout's code with the same script.

    .venv/bin/python benchmarks/topic_backlog.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(os.environ.get("PAPERBOT_BENCH_CODE", ROOT))))
sys.path.insert(0, str(ROOT / "benchmarks"))

from baseline import run_baseline, steadiest  # noqa: E402

from digest.clock import SystemClock  # noqa: E402
from digest.ingest import read_corpus, store_papers  # noqa: E402
from digest.topics import scan_backlog  # noqa: E402
from storage.engine import create_engine, sqlite_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.store import SqlStore  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
RULE = 'abs:"KV cache" OR ti:serving OR (abs:inference AND cat:cs.DC)'


async def main() -> int:
    """Load the corpus, then time the backlog scans and print them."""
    if not CORPUS.is_file():
        print(f"{CORPUS} is absent: this benchmark needs ../shared/data beside the checkout")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(sqlite_url(Path(folder) / "backlog.db"))
        await upgrade(engine)
        store = SqlStore(engine, SystemClock())
        try:
            await store_papers(store, read_corpus(CORPUS))
            async with store.unit() as unit:
                newest = await unit.papers.newest_announced()
            assert newest is not None
            for weeks in (4, 40):
                before = run_baseline()
                start = time.perf_counter()
                async with store.unit() as unit:
                    scan = await scan_backlog(unit, RULE, newest - timedelta(weeks=weeks), newest)
                seconds = time.perf_counter() - start
                load = steadiest(before, run_baseline()).load
                print(
                    f"topic backlog {weeks:>2} weeks {scan.scanned:>7,} papers "
                    f"{seconds:6.2f} s  {scan.scanned / seconds:>8,.0f} papers/s  (load "
                    f"{load:4.1f}, idle-equivalent {seconds / load:5.2f} s), "
                    f"{len(scan.matches):,} matches"
                )
        finally:
            await store.close()
    print("(2 shared cores, other jobs running: compare idle-equivalents; one run each)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
