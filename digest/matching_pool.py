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
    from digest.matching import Matcher
    from digest.models import Paper

BATCH = 8192  # most papers turned into postings at a time (bounds memory on long runs)
BATCH_GROUPS = 4  # a long run's batches come in fours (see batch_bounds)

# (papers by their index in the slice, rules, scores, indexes into the terms table, the table of
# distinct matched terms)
Packed = tuple["array[int]", "array[int]", "array[float]", "array[int]", list[tuple[str, ...]]]

# A worker's run (matcher and papers), put here when it starts. Passed as the pool's initargs,
# which a forked worker inherits as they are in memory: nothing is pickled on the way in.
_run: list[tuple[Matcher, Sequence[Paper]]] = []


def can_fork() -> bool:
    """Whether worker processes can start as copies of this one (not on Windows or macOS)."""
    return "fork" in multiprocessing.get_all_start_methods()


def match_in_workers(
    matcher: Matcher, papers: Sequence[Paper], workers: int
) -> Iterator[tuple[tuple[int, int], Packed]]:
    """The rows of `matcher.rows(papers)` matched by `workers` forked processes, slice by slice
    in order as ((start, stop) of the slice, its packed rows), each as soon as it is ready (this
    process turns one slice's rows into matches while the workers match the next ones)."""
    slices = batch_bounds(len(papers))
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_run.append, initargs=((matcher, papers),)) as pool:
        yield from zip(slices, pool.imap(_match_slice, slices), strict=True)


def batch_bounds(count: int) -> list[tuple[int, int]]:
    """(start, stop) of the batches a run over `count` papers is matched in, by one process or
    by workers alike (so both give the rows in the same order): one batch up to BATCH papers,
    above that a multiple of BATCH_GROUPS batches of one size (give or take a paper), so that
    two or four workers take as many and end together, instead of one waiting on a short last
    batch."""
    if count <= BATCH:
        return [(0, count)]
    groups = -(-count // (BATCH * BATCH_GROUPS))  # rounded up
    parts = groups * BATCH_GROUPS
    size, extra = divmod(count, parts)
    bounds, start = [], 0
    for part in range(parts):
        stop = start + size + (part < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def _match_slice(bounds: tuple[int, int]) -> Packed:
    """In a worker: one slice of the run's papers matched, packed for the way back."""
    [(matcher, papers)] = _run  # set when match_in_workers started this worker
    start, stop = bounds
    rows = matcher.rows(papers[start:stop])
    if not rows:
        return array("q"), array("q"), array("d"), array("q"), []
    # column by column in C: zip, dict.fromkeys and map instead of four appends a row
    indexes, rules, scores, hits = zip(*rows, strict=True)
    table = list(dict.fromkeys(hits))
    position = {terms: number for number, terms in enumerate(table)}
    return (
        array("q", indexes),
        array("q", rules),
        array("d", scores),
        array("q", map(position.__getitem__, hits)),
        table,
    )
