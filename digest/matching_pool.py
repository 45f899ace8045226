"""A big matching run split over worker processes, each matching slices of the papers.

For runs over many papers (the corpus, a backlog) on a machine with cores to spare. Workers
are forked, so they start with the compiled rules and the papers already in memory (pickling
papers costs more than matching them), and send their rows back as flat arrays: paper, rule,
score, and the matched terms as an index into a table of the distinct tuples, which cost little
to pickle. A daily run stays in one process.
"""

from __future__ import annotations

import multiprocessing
from array import array
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.matching import Matcher, Row
    from digest.models import Paper

SLICE = 8192  # papers a worker matches at a time: small enough that both workers end together

# (papers, rules, scores, indexes into the terms table, the table of distinct matched terms)
Packed = tuple["array[int]", "array[int]", "array[float]", "array[int]", list[tuple[str, ...]]]

# A worker's run (matcher and papers), put here when it starts. Passed as the pool's initargs,
# which a forked worker inherits as they are in memory: nothing is pickled on the way in.
_run: list[tuple[Matcher, Sequence[Paper]]] = []


def can_fork() -> bool:
    """Whether worker processes can start as copies of this one (not on Windows or macOS)."""
    return "fork" in multiprocessing.get_all_start_methods()


def match_in_workers(matcher: Matcher, papers: Sequence[Paper], workers: int) -> Iterator[Row]:
    """The rows of `matcher.rows(papers)`, in order, matched by `workers` forked processes."""
    slices = [(start, min(start + SLICE, len(papers))) for start in range(0, len(papers), SLICE)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_run.append, initargs=((matcher, papers),)) as pool:
        packed = pool.map(_match_slice, slices, chunksize=1)
    for indexes, rules, scores, terms, table in packed:
        for index, rule, score, term in zip(indexes, rules, scores, terms, strict=True):
            yield index, rule, score, table[term]


def _match_slice(bounds: tuple[int, int]) -> Packed:
    """In a worker: one slice of the run's papers matched, packed for the way back."""
    [(matcher, papers)] = _run  # set when match_in_workers started this worker
    start, stop = bounds
    indexes, rules, scores, terms = array("q"), array("q"), array("d"), array("q")
    table: dict[tuple[str, ...], int] = {}
    for index, rule, score, hits in matcher.rows(papers[start:stop]):
        indexes.append(index + start)
        rules.append(rule)
        scores.append(score)
        terms.append(table.setdefault(hits, len(table)))
    return indexes, rules, scores, terms, list(table)
