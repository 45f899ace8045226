"""Benchmark: the compiled matcher over the whole corpus, against a per-rule regex baseline.

Generates realistic rules (tests/rule_generator.py: phrases and words from the corpus, categories,
authors, prefixes, ANDNOT clauses), then for each rule count prints compile time, the time to
match all 74,728 papers and the memory of the compiled rules. Beside each timing runs a fixed
baseline (benchmarks/baseline.py: 100 rules as regexes over 1,000 texts) so that the figures
of a loaded shared machine can be compared: `x baseline` is how many baselines the matcher's
run takes, both in CPU seconds (one thread: what an idle machine's wall clock would show).
With --ref the same rules are matched by another checkout's matcher (the code before a
change) in a child process, beside its own baseline run. With --workers 2 the run is split over
two forked processes (Matcher.match's `workers`): CPU seconds then add up the workers' and this
process's, and `wall x baseline` (the run's wall time over the baseline's, both stretched alike
by the load) is the figure to compare, what an idle two-core machine's wall clock would show. The
compiled matcher is checked against the reference evaluator (tests/matching_reference.py) on a
slice. Run from the repository root:

    .venv/bin/python benchmarks/matching.py [--rules 1000 10000] [--repeat N] [--ref ../main]
        [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
# the code measured: this checkout, or (in the child process of --ref) another one
CODE = Path(os.environ.get("PAPERBOT_BENCH_CODE", ROOT))
sys.path.insert(0, str(CODE))
sys.path.insert(0, str(ROOT / "benchmarks"))

from baseline import run_baseline, steadiest  # noqa: E402

from digest.ingest import read_corpus  # noqa: E402
from digest.matching import Matcher  # noqa: E402
from digest.models import Paper, Topic  # noqa: E402

T = TypeVar("T")
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "arxiv-cs-2025-03_2026-07.jsonl.gz"
REFERENCE_PAPERS = 200


def _topics(rules: Sequence[str]) -> list[Topic]:
    # 20 workspaces: the same rule text in two workspaces is compiled once, as in production
    return [Topic(id=i, workspace_id=i % 20, name=f"t{i}", rule=r) for i, r in enumerate(rules)]


def _timed(work: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (worker processes)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _cpu_timed(work: Callable[[], T]) -> tuple[float, float, T]:
    """(wall, CPU) seconds of `work`, and its result."""
    wall, cpu = time.perf_counter(), _cpu()
    result = work()
    return time.perf_counter() - wall, _cpu() - cpu, result


def measure(
    rules: Sequence[str], papers: Sequence[Paper], count: int, repeat: int, workers: int = 1
) -> dict[str, float]:
    """Compile and match `count` rules over every paper, best of `repeat`, with baselines."""
    topics = _topics(rules[:count])
    best: dict[str, float] = {"match": float("inf")}
    yardsticks = [run_baseline()]
    for _ in range(repeat):
        compile_s, matcher = _timed(lambda: Matcher(topics))
        match_s, match_cpu, found = _cpu_timed(lambda m=matcher: _match(m, papers, workers))
        if match_s < best["match"]:
            best.update(compile=compile_s, match=match_s, cpu=match_cpu, matches=len(found))
        del found
        yardsticks.append(run_baseline())
    steady = steadiest(*yardsticks)
    best.update(base_wall=steady.wall, base_cpu=steady.cpu)
    best["rules"] = Matcher(topics).rule_count
    return best


def _match(matcher: Matcher, papers: Sequence[Paper], workers: int) -> list[object]:
    if workers == 1:
        return list(matcher.match(papers))  # the code before `workers` existed
    return list(matcher.match(papers, workers=workers))


def _print(
    label: str, count: int, result: dict[str, float], papers: int, wall_ratio: bool = False
) -> None:
    # CPU seconds: the matcher is one thread, so its CPU time is what an idle machine's wall
    # time would be (the load of a shared machine stretches the wall time, not this)
    ratio = result["cpu"] / result["base_cpu"]
    print(
        f"  {label:<14} compile {result['compile']:6.2f} s   match {result['match']:6.2f} s wall, "
        f"{result['cpu']:6.2f} s CPU ({papers / result['cpu']:7,.0f} papers/CPU s, "
        f"{int(result['matches']):,} matches)   baseline {result['base_cpu']:5.2f} s CPU -> "
        f"{ratio:5.1f}x baseline"
        + (f", wall {result['match'] / result['base_wall']:5.1f}x baseline" if wall_ratio else "")
    )


def _memory(topics: list[Topic], papers: Sequence[Paper]) -> tuple[float, float]:
    """MB held by the compiled rules, and the peak while matching 10,000 papers."""
    tracemalloc.start()
    matcher = Matcher(topics)
    compiled, _ = tracemalloc.get_traced_memory()
    matcher.match(papers[:10_000])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return compiled / 2**20, peak / 2**20


def _check_reference(rules: Sequence[str], papers: Sequence[Paper]) -> str:
    from digest.query import parse
    from tests.matching_reference import reference_match

    slice_ = random.Random(1).sample(list(papers), REFERENCE_PAPERS)
    nodes = [parse(rule) for rule in rules]
    expected = {
        (paper.arxiv_id, topic_id)
        for paper in slice_
        for topic_id, node in enumerate(nodes)
        if reference_match(node, paper) is not None
    }
    found = {(m.paper_id, m.topic_id) for m in Matcher(_topics(rules)).match(slice_)}
    agree = "agrees" if found == expected else f"DISAGREES ({len(found)} vs {len(expected)})"
    return f"{agree} with the reference on {len(slice_)} papers ({len(found)} matches)"


def _child(args: argparse.Namespace) -> int:
    rules = json.loads(args.child.read_text(encoding="utf-8"))
    papers = list(read_corpus(args.corpus))
    results = {
        str(count): measure(rules, papers, count, args.repeat, args.workers) for count in args.rules
    }
    print(json.dumps(results))
    return 0


def _ref(ref: Path, rules: Sequence[str], args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """The same rules matched by another checkout's matcher, in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        rules_file = Path(folder) / "rules.json"
        rules_file.write_text(json.dumps(list(rules)), encoding="utf-8")
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(rules_file)]
        command += ["--repeat", str(args.repeat), "--corpus", str(args.corpus.resolve())]
        # the code before a change may have no `workers`: it runs in one process, as it did
        command += ["--rules", *map(str, args.rules), "--workers", "1"]
        env = {**os.environ, "PAPERBOT_BENCH_CODE": str(ref.resolve()), "PYTHONPATH": str(ref)}
        out = subprocess.run(command, env=env, cwd="/", capture_output=True, text=True, check=True)
    results: dict[str, dict[str, float]] = json.loads(out.stdout.splitlines()[-1])
    return results


def main() -> int:
    """Load the corpus, generate rules, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--repeat", type=int, default=1, help="match the corpus N times, report the fastest (1)"
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--ref", type=Path, help="another checkout to compare (before)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes for the run (1; 2 for two cores)"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"{args.corpus} is absent: this benchmark needs ../shared/data", file=sys.stderr)
        return 1
    if args.child:
        return _child(args)
    from tests.rule_generator import RuleGenerator

    load_s, papers = _timed(lambda: list(read_corpus(args.corpus)))
    print(f"loaded {len(papers):,} papers in {load_s:.1f} s (parsing, venue and code detection)")
    sample = random.Random(0).sample(papers, 5000)
    rules = RuleGenerator(sample, seed=0).rules(max(args.rules))
    print("example rules:", *rules[:5], sep="\n  ")
    before = _ref(args.ref, rules, args) if args.ref else {}
    for count in args.rules:
        result = measure(rules, papers, count, args.repeat, args.workers)
        print(f"\n{count:,} rules ({int(result['rules']):,} distinct), {len(papers):,} papers")
        _print("this checkout", count, result, len(papers), args.workers > 1)
        if str(count) in before:
            old = before[str(count)]
            _print("--ref", count, old, len(papers), args.workers > 1)
            if args.workers > 1:  # wall against wall: the run's time to an answer
                gain = (old["match"] / old["base_wall"]) / (result["match"] / result["base_wall"])
            else:
                gain = (old["cpu"] / old["base_cpu"]) / (result["cpu"] / result["base_cpu"])
            print(f"  {'':<14} {gain:.1f}x faster than --ref, relative to each one's baseline")
        compiled, peak = _memory(_topics(rules[:count]), papers)
        print(f"  compiled rules {compiled:.1f} MB; peak matching 10,000 papers {peak:.1f} MB")
        print(f"  {_check_reference(rules[: min(count, 1000)], papers)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
