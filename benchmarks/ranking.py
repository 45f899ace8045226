"""Benchmark: does the learned order put the papers a group keeps into its digest's top 15?

    .venv/bin/python benchmarks/ranking.py [--list FILE [--section TITLE] --rule RULE] [--weeks]
        [--no-build | --build-only [--subscriptions 1000] [--repeats 3]]

Quality. For a list and the arXiv corpus in ../shared/data, the entries the corpus holds are split
by date: the model trains on the older entries (every entry outside the corpus counts as older,
by its title alone), and on what the older weeks' digests would have shown and the group let
pass (the top 15 of the rule's matches in today's order, less the entries). For every newer week,
the papers the rule matches are the digest's candidates and the list's entries among them the
papers the group chose; the table gives, per week, the share of those chosen that reach the top
15 (recall@15) under today's order (match score, then date), a random order (the mean of 20)
and the learned order (digest.relevance), side by side. Without --list it runs on the lists in
../shared with broad rules of their own topics: the sections of cv-arxiv-daily (the other lists
there have too few entries in the corpus's months).

Speed. The digest build of benchmarks/digests.py (1,000 subscriptions in 400 channels, one
transaction per channel, as the cron jobs run), in the rule order and the learned order (every
workspace has a list of 30 entries and a trained model), in turns so that they share the
machine's load, with each run's ratio and the best of each; the goal is at most 1.5x. The
learned build starts with no paper read or scored (as in a new week), then runs again with
what the first one cached. The baseline (benchmarks/baseline.py) runs beside them for the load.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the digest build's setup: benchmarks/digests.py

import digests  # noqa: E402
from baseline import run_baseline, steadiest  # noqa: E402

from digest import weekly  # noqa: E402
from digest.clock import FixedClock  # noqa: E402
from digest.ingest import read_corpus  # noqa: E402
from digest.list_markdown import read_list  # noqa: E402
from digest.matching import Matcher  # noqa: E402
from digest.models import Match, NewListEntry, Paper, Subscription, Topic  # noqa: E402
from digest.offload import inline  # noqa: E402
from digest.relevance import (  # noqa: E402
    Example,
    Relevance,
    RelevanceModel,
    TrainingSet,
    learned_rank,
    training_set,
)
from storage.engine import create_engine, sqlite_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.store import SqlStore  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
CORPUS = SHARED / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
CV_DAILY = SHARED / "lists" / "Vincentqyw_cv-arxiv-daily" / "README.md"
CAP = 15
RANDOM_ORDERS = 20
# Share of the entries the corpus holds that are "older" (trained on); the rest are tested.
TRAIN_SHARE = 0.5
# A list needs this many entries in the corpus to be split and measured.
MIN_HELD = 10


@dataclass(frozen=True)
class Case:
    """A list (or one section of it) and a broad rule of its topic."""

    name: str
    path: Path
    section: str | None
    rule: str


CASES = (
    Case("cv-daily SLAM", CV_DAILY, "SLAM", "cat:cs.RO OR ti:mapping OR ti:localization"),
    Case(
        "cv-daily NeRF",
        CV_DAILY,
        "NeRF",
        'ti:3d OR abs:rendering OR abs:"novel view" OR abs:"neural field"',
    ),
    Case(
        "cv-daily matching",
        CV_DAILY,
        "Image Matching",
        "ti:matching OR abs:correspondence* OR abs:registration OR ti:feature*",
    ),
    Case(
        "cv-daily localization",
        CV_DAILY,
        "Visual Localization",
        "ti:localization OR ti:retrieval OR abs:pose OR ti:place",
    ),
)


@dataclass(frozen=True)
class Week:
    """One tested week: its candidates, how many were chosen, and the hits of each order."""

    monday: date
    candidates: int
    chosen: int
    today: int
    random: float
    learned: int


def entries_of(path: Path, section: str | None) -> list[tuple[str, str | None]]:
    """(title, arXiv id) of the list's items, in one section (and those below it) if named."""
    document = read_list(path.read_text(encoding="utf-8")).document
    return [
        (item.title, item.arxiv_id)
        for s in document.sections
        if section is None or section in s.path
        for item in s.items
    ]


def monday(day: date) -> date:
    """The Monday of the week that holds `day`."""
    return day - timedelta(days=day.weekday())


def today_key(match: Match, papers: dict[str, Paper]) -> tuple[float, int, str]:
    """Today's order: match score, then the newest announcement (weekly._rank_key, no votes)."""
    day = papers[match.paper_id].announced or date.min
    return (-match.score, -day.toordinal(), match.paper_id)


def hits(order: Sequence[Match], chosen: set[str]) -> int:
    """How many chosen papers are in the first CAP of an order."""
    return sum(1 for m in order[:CAP] if m.paper_id in chosen)


def evaluate(case: Case, corpus: dict[str, Paper], matches: Sequence[Match]) -> list[Week]:
    """Train on the older entries, then the hits per newer week under the three orders."""
    entries = entries_of(case.path, case.section)
    dated = sorted(
        (corpus[i].announced or date.min, i) for _, i in entries if i is not None and i in corpus
    )
    if len(dated) < MIN_HELD:
        return []
    split = monday(dated[int(len(dated) * TRAIN_SHARE)][0])
    listed = {i for _, i in entries if i}
    older = {i for day, i in dated if day < split}
    by_week: dict[date, list[Match]] = defaultdict(list)
    for match in matches:
        day = corpus[match.paper_id].announced
        if day is not None and match.paper_id not in older:
            by_week[monday(day)].append(match)
    kept = [
        Example.of(corpus[i]) if i in corpus else Example(title)
        for title, i in entries
        if i is None or i not in corpus or i in older
    ]
    let_pass = []
    for week, found in by_week.items():
        if week < split:
            shown = sorted(found, key=lambda m: today_key(m, corpus))[:CAP]
            let_pass += [corpus[m.paper_id] for m in shown if m.paper_id not in listed]
    training = TrainingSet(
        (*kept, *(Example.of(p, kept=False) for p in let_pass)), entries=len(kept)
    )
    model = RelevanceModel(training)
    rng = random.Random(16)
    weeks = []
    for week, found in sorted(by_week.items()):
        chosen = {m.paper_id for m in found if m.paper_id in listed}
        if week < split or not chosen:
            continue
        today = sorted(found, key=lambda m: today_key(m, corpus))
        relevance = dict(
            zip(
                (m.paper_id for m in found),
                model.rank([Example.of(corpus[m.paper_id]) for m in found]),
                strict=True,
            )
        )
        learned = sorted(
            found,
            key=lambda m: (-learned_rank(relevance[m.paper_id], m.score), today_key(m, corpus)),
        )
        shuffled = []
        for _ in range(RANDOM_ORDERS):
            order = list(found)
            rng.shuffle(order)
            shuffled.append(hits(order, chosen))
        weeks.append(
            Week(
                week,
                len(found),
                len(chosen),
                hits(today, chosen),
                sum(shuffled) / RANDOM_ORDERS,
                hits(learned, chosen),
            )
        )
    return weeks


def print_case(
    case: Case, weeks: list[Week], verbose: bool, held: tuple[int, int]
) -> tuple[float, float, float]:
    """The per-week table (with --weeks) and the case's totals; returns the three recalls.
    `held` is how many of the list's entries the corpus holds, and how many it has."""
    print(f"\n{case.name}: rule {case.rule}")
    if not weeks:
        print(
            f"  too few of the list's entries are in the corpus: {held[0]} of {held[1]} (at"
            f" least {MIN_HELD} are needed, some of them newer than the rest)"
        )
        return (0.0, 0.0, 0.0)
    if verbose:
        print(f"  {'week':10} {'cands':>5} {'chosen':>6} {'today':>6} {'random':>6} {'learned':>7}")
        for w in weeks:
            print(
                f"  {w.monday:%Y-%m-%d} {w.candidates:5} {w.chosen:6} {w.today / w.chosen:6.0%}"
                f" {w.random / w.chosen:6.0%} {w.learned / w.chosen:7.0%}"
            )
    chosen = sum(w.chosen for w in weeks)
    best = sum(min(w.chosen, CAP) for w in weeks)
    recalls = tuple(sum(get(w) for w in weeks) / chosen for get in _ORDERS)
    cands = sum(w.candidates for w in weeks) / len(weeks)
    print(
        f"  {len(weeks)} weeks, {cands:.0f} candidates and {chosen / len(weeks):.1f} chosen a"
        f" week; recall@{CAP}: today {recalls[0]:.0%}, random {recalls[1]:.0%},"
        f" learned {recalls[2]:.0%} (at most {best / chosen:.0%})"
    )
    return (recalls[0], recalls[1], recalls[2])


_ORDERS: tuple[Callable[[Week], float], ...] = (
    lambda w: w.today,
    lambda w: w.random,
    lambda w: w.learned,
)


def quality(cases: Sequence[Case], verbose: bool) -> None:
    """Load the corpus once and print every case."""
    started = time.perf_counter()
    corpus = {p.arxiv_id: p for p in read_corpus(CORPUS)}
    print(f"corpus: {len(corpus):,} papers read in {time.perf_counter() - started:.0f}s")
    topics = [Topic(i, 1, case.name, case.rule) for i, case in enumerate(cases)]
    by_case: dict[int, list[Match]] = defaultdict(list)
    for match in Matcher(topics).match(list(corpus.values())):
        by_case[match.topic_id].append(match)
    rows = []
    for i, case in enumerate(cases):
        started = time.perf_counter()
        weeks = evaluate(case, corpus, by_case[i])
        entries = entries_of(case.path, case.section)
        held = (sum(1 for _, p in entries if p is not None and p in corpus), len(entries))
        rows.append((case, print_case(case, weeks, verbose, held)))
        print(f"  ({time.perf_counter() - started:.1f}s)")
    print(f"\n{'list':24} {'today':>6} {'random':>6} {'learned':>7}   recall@{CAP}, all weeks")
    for case, (today, rand, learned) in rows:
        print(f"{case.name:24} {today:6.0%} {rand:6.0%} {learned:7.0%}")


ENTRIES = 30


async def learned_lists(store: SqlStore, rng: random.Random) -> None:
    """Give every workspace ENTRIES more entries (titles of other papers) and the learned order."""
    async with store.unit() as unit:
        titles = [p.title for p in await unit.papers.announced_between(date.min, date.max)]
        workspaces = await unit.workspaces.all()
        for workspace in workspaces:
            section = (await unit.lists.sections(workspace.id))[0]
            entries = [NewListEntry(section.id, t) for t in rng.sample(titles, ENTRIES)]
            await unit.lists.add_entries(workspace.id, entries, digests.WATERMARK)
            learned = replace(workspace.settings, ranking="learned")
            await unit.workspaces.update_settings(workspace.id, learned)


async def trained(store: SqlStore) -> Relevance:
    """A new ranker (no paper read or scored yet, as in a new week) with every workspace's
    model trained."""
    async with store.unit() as unit:
        workspaces = await unit.workspaces.all()
    relevance = Relevance(run=inline)
    for workspace in workspaces:
        async with store.unit() as unit:
            await relevance.train(workspace.id, await training_set(unit, workspace.id))
    return relevance


async def per_channel(
    store: SqlStore, channels: Sequence[Sequence[Subscription]], relevance: Relevance | None
) -> float:
    """Seconds to build every channel's digest, one transaction per channel (as cron does)."""
    started = time.perf_counter()
    for subs in channels:
        async with store.unit() as unit:
            ws, channel = subs[0].workspace_id, subs[0].channel_id
            await weekly.build_digest(unit, ws, channel, subs, digests.NOW, relevance)
    return time.perf_counter() - started


async def build_times(subscriptions: int, repeats: int) -> None:
    """The digest build of `subscriptions` subscriptions in the rule and the learned order, run
    in turns (rule, learned, rule, ...) so both see the same load, beside the baseline."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(sqlite_url(Path(scratch) / "bench.db"))
        await upgrade(engine)
        store = SqlStore(engine, FixedClock(digests.NOW))
        started = time.perf_counter()
        workspaces = max(1, subscriptions // digests.SUBSCRIPTIONS_PER_WORKSPACE)
        channels = await digests.setup(store, workspaces)
        await learned_lists(store, random.Random(16))
        relevance = await trained(store)
        count = sum(len(subs) for subs in channels)
        print(
            f"\nbuild: {count} subscriptions in {len(channels)} channels of {workspaces}"
            f" workspaces, every one with {ENTRIES}+ entries and a model (setup and training"
            f" {time.perf_counter() - started:.0f}s); one transaction per channel, SQLite"
        )
        await per_channel(store, channels, None)  # warm the engine's statement caches
        yardsticks = [run_baseline()]
        off, cold, warm = [], [], []
        print(f"{'run':>4} {'rule':>8} {'learned':>8} {'ratio':>6} {'again':>8} {'ratio':>6}")
        for run in range(repeats):
            off.append(await per_channel(store, channels, None))
            if run:
                relevance = await trained(store)  # outside the timed builds
            cold.append(await per_channel(store, channels, relevance))
            warm.append(await per_channel(store, channels, relevance))
            yardsticks.append(run_baseline())
            print(
                f"{run + 1:>4} {off[-1]:8.3f} {cold[-1]:8.3f} {cold[-1] / off[-1]:5.2f}x"
                f" {warm[-1]:8.3f} {warm[-1] / off[-1]:5.2f}x",
                flush=True,
            )
        await store.close()
    load = steadiest(*yardsticks).load
    print(f"{'ranking':10} {'seconds':>8}  (best of {repeats}; load {load:.2f}: baseline wall/CPU)")
    print(f"{'rule':10} {min(off):8.3f}")
    print(
        f"{'learned':10} {min(cold):8.3f}  {min(cold) / min(off):.2f}x (goal <= 1.5x; every"
        " paper read, tokenised and scored afresh, as in a new week)"
    )
    print(
        f"{'  again':10} {min(warm):8.3f}  {min(warm) / min(off):.2f}x (the same week built"
        " again: tokens and scores cached)"
    )


def main() -> int:
    """Print the recall table, then the build times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", type=Path, help="a Markdown list (default: those in ../shared)")
    parser.add_argument("--section", help="only this section of the list (and those below it)")
    parser.add_argument("--rule", help="the topic rule, with --list")
    parser.add_argument("--weeks", action="store_true", help="print every week's recall")
    parser.add_argument("--no-build", action="store_true", help="skip the build-time part")
    parser.add_argument("--build-only", action="store_true", help="only the build-time part")
    parser.add_argument(
        "--subscriptions", type=int, default=1000, help="how many to build (20 a workspace)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="builds in each order")
    args = parser.parse_args()
    if not CORPUS.is_file():
        print(f"{CORPUS} is absent: this benchmark needs ../shared/data beside the checkout.")
        return 2
    if args.list is not None:
        if not args.rule:
            parser.error("--list needs --rule")
        cases: Sequence[Case] = (Case(args.list.name, args.list, args.section, args.rule),)
    else:
        cases = CASES
    if not args.build_only:
        quality(cases, args.weeks)
    if not args.no_build:
        asyncio.run(build_times(args.subscriptions, args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
