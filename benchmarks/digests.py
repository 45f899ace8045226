"""Benchmark: build the weekly digests of 1,000 subscriptions over one real arXiv week.

    .venv/bin/python benchmarks/digests.py [--subscriptions 1000] [--no-pg] [--repeats 1]

Loads ../shared/data/corpus/one-week-2026-06-22.jsonl (1,090 papers) into scratch databases on
SQLite and PostgreSQL, two per engine: N subscriptions (default 1,000: 50 workspaces with 8
realistic topics each and 8 channels of 2-3 topics, 400 channels; N / 20 workspaces) and 10N
(the same 50 workspaces and nine times as many more), with some papers already on the lists,
already shown, or nominated. Then, on each engine, it times and counts the SQL statements
(SQLAlchemy `before_cursor_execute` events) of:

  baseline   the foundation's per-channel build (a query per subscription, all shown ids, all
             listed ids, every candidate paper loaded; at N only), side by side with
  batched    weekly.build_digests: every channel in one go
  per-chan   weekly.build_digest, one transaction per channel (what each cron job does)
  +record    per-chan plus writing digest, items, outbox and watermarks (rolled back after)

each run at N followed at once by the same run at 10N, so that a slow spell of the shared
machine falls on both sizes and the growth (10x/1x) is not one size's bad luck; the best of
--repeats at each size is shown, between two runs of the fixed baseline (benchmarks/baseline.py),
at two digest sizes (cap 5 and cap 50), to show the statement count does not follow the number
of papers per digest. Timings on a shared machine: read them as rough. Ranking is
the rule order here; `benchmarks/ranking.py --build-only [--subscriptions N]` times the same
build in the rule and the learned order side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from baseline import run_baseline, steadiest  # benchmarks/ is the script's folder
from sqlalchemy import delete, event, update

from bot.messages import digest_messages
from bot.scheduler import group_by_channel
from digest import weekly
from digest.clock import FixedClock
from digest.ingest import read_corpus
from digest.matching import Matcher
from digest.models import (
    Digest,
    DigestItem,
    Match,
    NewListEntry,
    Platform,
    Subscription,
    Topic,
)
from storage.engine import create_engine, sqlite_url
from storage.migrate import upgrade
from storage.store import SqlStore
from storage.tables import DigestRow, OutboxRow, SubscriptionRow

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "one-week-2026-06-22.jsonl"
SUBSCRIPTIONS_PER_WORKSPACE = 20
TOPICS_PER_WORKSPACE = 8
CHANNEL_TOPICS = (3, 3, 3, 3, 2, 2, 2, 2)  # 20 subscriptions a workspace, 1,000 in all
WATERMARK = datetime(2026, 6, 22, 7, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 29, 7, 0, tzinfo=UTC)

RULES = {
    "llm-serving": 'abs:"LLM serving" OR abs:"inference serving" OR (ti:serving AND ti:llm*)',
    "kv-cache": 'ti:"kv cache" OR abs:"kv cache" OR abs:"key-value cache"',
    "moe": 'ti:moe OR abs:"mixture of experts" OR abs:"mixture-of-experts"',
    "speculative": 'abs:"speculative decoding" OR ti:speculative',
    "quantization": "ti:quantization OR ti:quantized OR (abs:quantization AND abs:llm*)",
    "distributed-training": '(abs:"distributed training" OR abs:"data parallel") AND cat:cs.DC',
    "rag": 'abs:"retrieval-augmented" OR abs:"retrieval augmented" OR ti:rag',
    "agents": 'ti:agent OR ti:agents OR ti:agentic OR abs:"llm agents"',
    "code-gen": 'abs:"code generation" OR ti:code AND abs:llm*',
    "reasoning": 'ti:reasoning AND (abs:llm OR abs:"language model")',
    "diffusion": 'ti:diffusion OR abs:"diffusion model"',
    "video": "ti:video AND cat:cs.CV",
    "3d": 'ti:3d OR abs:"gaussian splatting" OR ti:nerf',
    "rl": 'abs:"reinforcement learning" OR ti:rl OR ti:rlhf',
    "robotics": "cat:cs.RO OR ti:robot OR ti:robotic",
    "gnn": 'abs:"graph neural network" OR ti:gnn OR ti:graph',
    "federated": 'abs:"federated learning" OR ti:federated',
    "privacy": 'ti:privacy OR abs:"differential privacy"',
    "security": "cat:cs.CR AND (abs:llm* OR abs:attack*)",
    "jailbreak": "ti:jailbreak* OR abs:jailbreak*",
    "alignment": 'ti:alignment OR abs:"preference optimization" OR abs:dpo',
    "interpretability": 'ti:interpretability OR abs:"mechanistic interpretability" OR ti:probing',
    "multimodal": 'ti:multimodal OR abs:"vision-language" OR abs:"vision language"',
    "speech": "cat:eess.AS OR ti:speech OR ti:asr",
    "recsys": "cat:cs.IR AND (ti:recommendation OR ti:recommender)",
    "compilers": "ti:compiler OR abs:mlir OR abs:tvm",
    "gpu-kernels": 'ti:gpu OR abs:"cuda kernel" OR ti:kernel*',
    "scheduling": "cat:cs.DC AND ti:scheduling",
    "storage-systems": "cat:cs.DB OR cat:cs.OS OR ti:storage",
    "networking": "cat:cs.NI",
    "edge": 'ti:edge AND (abs:inference OR abs:"on-device")',
    "long-context": 'abs:"long context" OR abs:"long-context" OR ti:long-context',
    "benchmarks": "ti:benchmark OR ti:benchmarking",
    "time-series": 'ti:"time series" OR ti:forecasting',
    "medical": "ti:medical OR ti:clinical OR ti:healthcare",
    "optimization": "cat:math.OC AND abs:convergence",
    "theory": "cat:cs.LG AND (ti:bound OR ti:bounds OR ti:theory)",
    "fairness": "ti:fairness OR ti:bias",
    "tokenization": "ti:tokenization OR ti:tokenizer",
    "pruning": "ti:pruning OR ti:sparsity OR ti:sparse",
}


@dataclass
class Counter:
    """SQL statements seen by an engine."""

    statements: int = 0

    def __call__(self, *_: Any) -> None:
        self.statements += 1


@dataclass(frozen=True)
class Run:
    """One measured run."""

    seconds: float
    statements: int
    digests: int
    papers: int


async def setup(store: SqlStore, workspaces: int = 50, first: int = 0) -> list[list[Subscription]]:
    """Papers, topics, matches, subscriptions and some history; returns the channels.

    With `first`, adds workspaces `first` ... `first + workspaces - 1` to a store set up before
    (the papers are there already).
    """
    rng = random.Random(2026 + first)
    papers = list(read_corpus(CORPUS))
    if first == 0:
        async with store.unit() as unit:
            await unit.papers.upsert_many(papers)
    by_day = {p.arxiv_id: p.announced for p in papers}
    # A rule matches the same papers in every workspace: each is matched once.
    every_rule = [Topic(i, 0, name, rule) for i, (name, rule) in enumerate(sorted(RULES.items()))]
    found_by_rule: dict[str, list[Match]] = {name: [] for name in RULES}
    for m in Matcher(every_rule).match(papers):
        found_by_rule[every_rule[m.topic_id].name].append(m)
    channels: list[list[Subscription]] = []
    for w in range(first, first + workspaces):
        async with store.unit() as unit:
            ws = await unit.workspaces.get_or_create(Platform.CONSOLE, f"ws-{w}", f"lab {w}")
            names = rng.sample(sorted(RULES), TOPICS_PER_WORKSPACE)
            topics = [await unit.topics.create(ws.id, n, RULES[n], "", "u-admin") for n in names]
            found = [
                Match(m.paper_id, t.id, m.score, m.terms, _ingested(by_day[m.paper_id]))
                for t in topics
                for m in found_by_rule[t.name]
            ]
            await unit.matches.add_many(found)
            matched = sorted({m.paper_id for m in found})
            section = await unit.lists.add_section(ws.id, "Papers", None)
            listed = rng.sample(matched, min(10, len(matched)))
            await unit.lists.add_entries(
                ws.id, [NewListEntry(section.id, p, paper_id=p) for p in listed], WATERMARK
            )
            for paper_id in rng.sample(matched, min(10, len(matched))):
                nomination = await unit.nominations.create(ws.id, paper_id, WATERMARK)
                for voter in range(rng.randint(1, 3)):
                    await unit.nominations.add_vote(nomination.id, f"u-{voter}", "reaction", NOW)
            topic_at = 0
            for c, count in enumerate(CHANNEL_TOPICS):
                subs = []
                for topic in [topics[(topic_at + k) % len(topics)] for k in range(count)]:
                    subs.append(
                        await unit.subscriptions.create(
                            ws.id, f"c-{c}", topic.id, 0, NOW.time(), "UTC", 15, WATERMARK
                        )
                    )
                topic_at += count
                channels.append(subs)
                # Shown before: a few of this week's papers reached the channel with the backlog.
                shown = rng.sample(matched, min(5, len(matched)))
                await unit.digests.save(_old_digest(ws.id, f"c-{c}", shown, topics[0], papers))
    return channels


def _ingested(day: date | None) -> datetime:
    """When the nightly ingestion stored a paper announced on `day`."""
    assert day is not None, "every paper of the recorded week has its announcement day"
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1, minutes=30)


def _old_digest(
    workspace_id: int, channel: str, ids: Sequence[str], topic: Topic, papers: list[Any]
) -> Digest:
    by_id = {p.arxiv_id: p for p in papers}
    items = tuple(DigestItem(by_id[i], topic.id, topic.name, 1.0) for i in ids)
    return Digest(workspace_id, channel, None, WATERMARK, items, (topic.name,))


async def set_cap(store: SqlStore, cap: int) -> None:
    """Give every subscription the same cap."""
    async with store.unit() as unit:
        await unit.session.execute(update(SubscriptionRow).values(cap=cap))


async def reset(store: SqlStore) -> None:
    """Forget what `+record` wrote."""
    async with store.unit() as unit:
        await unit.session.execute(delete(OutboxRow))
        await unit.session.execute(delete(DigestRow).where(DigestRow.window_end == NOW))
        await unit.session.execute(update(SubscriptionRow).values(watermark=WATERMARK))


@dataclass(frozen=True)
class Built:
    """What a step keeps of each digest it builds. A cron job builds one, posts it and lets it
    go: a step holding all 4,000 (their overflow too, 170,000 items) would have the garbage
    collector walk them again and again, a cost that grows with the subscriptions but is the
    benchmark's own."""

    cap: int
    papers: int

    @classmethod
    def of(cls, digest: Digest) -> Built:
        return cls(digest.cap, len(digest.items))


async def baseline(store: SqlStore, channels: list[list[Subscription]]) -> list[Built]:
    """The foundation's build, per channel: a query per subscription, whole id sets."""
    built = []
    for subs in channels:
        async with store.unit() as unit:
            ws, channel = subs[0].workspace_id, subs[0].channel_id
            topics = await unit.topics.get_many(s.topic_id for s in subs)
            on_list = await unit.lists.paper_ids_on_list(ws)
            shown = await unit.digests.shown_paper_ids(ws, channel)
            best: dict[str, Match] = {}
            for sub in subs:
                for match in await unit.matches.for_topics([sub.topic_id], sub.watermark, NOW):
                    if match.paper_id not in best or match.score > best[match.paper_id].score:
                        best[match.paper_id] = match
            candidates = [m for p, m in best.items() if p not in on_list and p not in shown]
            papers = await unit.papers.get_many(m.paper_id for m in candidates)
            candidates.sort(key=lambda m: (-m.score, m.paper_id))
            kept = candidates[: max(s.cap for s in subs)]
            items = tuple(
                DigestItem(papers[m.paper_id], m.topic_id, topics[m.topic_id].name, m.score)
                for m in kept
            )
            cap = max(s.cap for s in subs)
            built.append(Built.of(Digest(ws, channel, subs[0].watermark, NOW, items, (), cap=cap)))
    return built


async def batched(store: SqlStore, channels: list[list[Subscription]]) -> list[Built]:
    """Every channel's digest in one unit (all held at once: that is what it does)."""
    async with store.unit() as unit:
        return [Built.of(d) for d in await weekly.build_digests(unit, channels, NOW)]


async def per_channel(store: SqlStore, channels: list[list[Subscription]]) -> list[Built]:
    """One unit per channel, as the cron jobs run."""
    built = []
    for subs in channels:
        async with store.unit() as unit:
            ws, channel = subs[0].workspace_id, subs[0].channel_id
            built.append(Built.of(await weekly.build_digest(unit, ws, channel, subs, NOW)))
    return built


async def per_channel_recorded(store: SqlStore, channels: list[list[Subscription]]) -> list[Built]:
    """One unit per channel, building and recording (digest, items, outbox, watermarks)."""
    built = []
    for subs in channels:
        async with store.unit() as unit:
            ws, channel = subs[0].workspace_id, subs[0].channel_id
            digest = await weekly.build_digest(unit, ws, channel, subs, NOW)
            built.append(Built.of(await weekly.record_digest(unit, digest, _payloads)))
    return built


def _payloads(digest: Digest) -> list[dict[str, Any]]:
    return [m.to_payload() for m in digest_messages(digest, "⭐", False)]


Step = Callable[[SqlStore, list[list[Subscription]]], Awaitable[list[Built]]]


async def measure(store: SqlStore, counter: Counter, step: Step, cap: int) -> Run:
    """One run of a step: its time and its statements; what it wrote is undone after."""
    channels = await load_channels(store)
    counter.statements = 0
    started = time.perf_counter()
    digests = await step(store, channels)
    seconds = time.perf_counter() - started
    statements = counter.statements
    await reset(store)
    assert all(d.cap == cap for d in digests)
    return Run(seconds, statements, len(digests), sum(d.papers for d in digests))


async def load_channels(store: SqlStore) -> list[list[Subscription]]:
    """Every channel's subscriptions, as the scheduler reads them."""
    async with store.unit() as unit:
        return list(group_by_channel(await unit.subscriptions.all_active()).values())


STEPS: tuple[tuple[str, Step], ...] = (
    ("foundation", baseline),
    ("batched", batched),
    ("per-chan", per_channel),
    ("+record", per_channel_recorded),
)
# The foundation's build takes minutes at 10x; it is the reference at the first size only.
AT_TEN_TIMES = ("batched", "per-chan", "+record")


@dataclass(frozen=True)
class Size:
    """The runs at one number of subscriptions, and the yardstick's seconds beside them."""

    subscriptions: int
    runs: dict[tuple[int, str], Run]
    yardstick: float


@dataclass
class Scale:
    """One database of the benchmark: N subscriptions, or 10N."""

    store: SqlStore
    counter: Counter
    subscriptions: int = 0


async def open_scale(url: str) -> Scale:
    """A migrated, empty database whose statements are counted."""
    engine = create_engine(url)
    await upgrade(engine)
    counter = Counter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    return Scale(SqlStore(engine, FixedClock(NOW)), counter)


async def fill(name: str, scale: Scale, workspaces: int, chunk: int) -> None:
    """`workspaces` workspaces of papers, topics, subscriptions and history, set up `chunk` at a
    time (the N of the benchmark: so the 10N database holds the N one and nine more like it)."""
    started = time.perf_counter()
    for first in range(0, workspaces, chunk):
        await setup(scale.store, min(chunk, workspaces - first), first)
    if scale.store.engine.dialect.name == "postgresql":
        # The statistics a running database has (autovacuum analyses tables as they grow): a
        # bulk load measured at once would be planned on the empty tables' estimates.
        async with scale.store.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
    channels = await load_channels(scale.store)
    every = [s for subs in channels for s in subs]
    async with scale.store.unit() as unit:
        matches = await unit.digests.candidates(every, {s.id: WATERMARK for s in every}, NOW)
    scale.subscriptions = len(every)
    print(
        f"{name}: {len(every):,} subscriptions in {len(channels):,} channels of {workspaces} "
        f"workspaces, {len(matches):,} candidate matches; setup "
        f"{time.perf_counter() - started:.1f}s",
        flush=True,
    )


async def measure_both(small: Scale, large: Scale, repeats: int) -> tuple[Size, Size]:
    """Every step at both caps, each run at N followed by the same run at 10N (so a slow spell
    of the shared machine falls on both sizes, not on one), between two runs of the fixed
    baseline work; the best of `repeats` at each size."""
    before = run_baseline()
    runs: tuple[dict[tuple[int, str], Run], dict[tuple[int, str], Run]] = ({}, {})
    for cap in (5, 50):
        for scale in (small, large):
            await set_cap(scale.store, cap)
        for label, step in STEPS:
            for _ in range(repeats):
                for scale, kept in zip((small, large), runs, strict=True):
                    if scale is large and label not in AT_TEN_TIMES:
                        continue
                    run = await measure(scale.store, scale.counter, step, cap)
                    if (cap, label) not in kept or run.seconds < kept[(cap, label)].seconds:
                        kept[(cap, label)] = run
            ten = runs[1].get((cap, label))
            print(
                f"  cap {cap:>2} {label:<10} {runs[0][(cap, label)].seconds:8.3f} s"
                + (f" {ten.seconds:8.3f} s" if ten else ""),
                flush=True,
            )
    yardstick = steadiest(before, run_baseline()).wall
    return (
        Size(small.subscriptions, runs[0], yardstick),
        Size(large.subscriptions, runs[1], yardstick),
    )


def print_sizes(small: Size, large: Size) -> None:
    """Both sizes side by side: seconds, seconds over the yardstick's, statements a digest."""
    n, big = small.subscriptions, large.subscriptions
    print(
        f"yardstick (benchmarks/baseline.py) {small.yardstick:.3f} s, run before and after both "
        f"sizes; 'x base' is seconds over the yardstick's"
    )
    print(
        f"{'cap':>4} {'step':<10} {f'{n:,} subs':>10} {'x base':>7} {'stmt/dig':>8} "
        f"{f'{big:,} subs':>11} {'x base':>7} {'stmt/dig':>8} {'10x/1x':>7}"
    )
    for (cap, label), one in small.runs.items():
        ten = large.runs.get((cap, label))
        row = (
            f"{cap:>4} {label:<10} {one.seconds:>9.3f}s {one.seconds / small.yardstick:>7.1f} "
            f"{one.statements / one.digests:>8.2f}"
        )
        if ten is not None:
            row += (
                f" {ten.seconds:>10.3f}s {ten.seconds / large.yardstick:>7.1f} "
                f"{ten.statements / ten.digests:>8.2f} {ten.seconds / one.seconds:>6.1f}x"
            )
        print(row, flush=True)


async def bench_engine(name: str, urls: tuple[str, str], repeats: int, workspaces: int) -> None:
    """Set up N subscriptions in one database and 10N in another, measure both, print both."""
    small, large = await open_scale(urls[0]), await open_scale(urls[1])
    print(f"\n{name}: setting up {workspaces} and {10 * workspaces} workspaces ...", flush=True)
    await fill(name, small, workspaces, workspaces)
    await fill(name, large, 10 * workspaces, workspaces)
    print(f"{name}: each step at both sizes in turn, best of {repeats}", flush=True)
    sizes = await measure_both(small, large, repeats)
    print(f"\n{name}:")
    print_sizes(*sizes)
    for scale in (small, large):
        await scale.store.close()


def _postgres(admin: str) -> tuple[str, Callable[[], None]] | None:
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            name = f"paperbot_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"\nPostgreSQL at {admin} is unreachable ({exc}); skipping it.")
        return None

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = admin.rsplit("/", 1)[0] + f"/{name}"
    return url.replace("postgresql://", "postgresql+psycopg://", 1), drop


async def main() -> int:
    """Run the benchmark on SQLite, then PostgreSQL if reachable."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs per step at each size (best is shown)"
    )
    parser.add_argument(
        "--subscriptions", type=int, default=1000, help="how many (20 a workspace; 1000)"
    )
    args = parser.parse_args()
    if not CORPUS.is_file():
        print(f"{CORPUS} is absent: this benchmark needs ../shared/data beside the checkout.")
        return 2
    workspaces = max(1, args.subscriptions // SUBSCRIPTIONS_PER_WORKSPACE)
    with tempfile.TemporaryDirectory() as scratch:
        urls = (sqlite_url(Path(scratch) / "n.db"), sqlite_url(Path(scratch) / "10n.db"))
        await bench_engine("SQLite", urls, args.repeats, workspaces)
    if args.no_pg or (small := _postgres(args.pg)) is None:
        return 0
    large = _postgres(args.pg)
    try:
        if large is not None:
            await bench_engine("PostgreSQL", (small[0], large[0]), args.repeats, workspaces)
    finally:
        for pg in (small, large):
            if pg is not None:
                pg[1]()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
