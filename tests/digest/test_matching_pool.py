"""A big run split over worker processes finds what one process finds, in the same order."""

from __future__ import annotations

import gc
import itertools

import pytest

from digest.matching import PARALLEL_MIN, Matcher
from digest.matching_pool import BATCH, batch_bounds, can_fork, match_in_workers
from digest.models import Paper, Topic
from tests.factories import make_paper

pytestmark = pytest.mark.skipif(not can_fork(), reason="worker processes are forked")

WORDS = ["serving", "caches", "moe", "experts", "scheduling", "graphs", "privacy", "kernels"]
NAMES = ["Ion Stoica", "I. Stoica", "Wei Zhang", "Zhang Wei", "Ada Lovelace", "Adrian Del Maestro"]
RULES = [
    'ti:serving OR abs:"moe experts"',
    "cach* ANDNOT privacy",
    'au:"ion stoica" OR au:zhang_w',
    'au:"adrian del maestro" AND cat:cs.LG',
    "(scheduling graphs) OR (kernels AND cat:cs.DC)",
]


def _papers(count: int) -> list[Paper]:
    return [
        make_paper(
            arxiv_id=f"2606.{i:05d}",
            title=f"{WORDS[i % 8].title()} for {WORDS[i * 3 % 8]}",
            abstract=" ".join(WORDS[(i + j) % 8] for j in range(i % 5 + 1)),
            categories=("cs.DC",) if i % 2 == 0 else ("cs.LG", "cs.DC"),
            authors=(NAMES[i % 6], NAMES[i * 5 % 6]),
        )
        for i in range(count)
    ]


def _matcher() -> Matcher:
    return Matcher(Topic(id=i, workspace_id=1, name=f"t{i}", rule=r) for i, r in enumerate(RULES))


def test_workers_send_back_the_rows_of_one_process() -> None:
    papers = _papers(2 * BATCH + 100)  # four batches of 4,121 papers
    matcher = _matcher()
    rows = matcher.rows(papers)
    assert len({rule for _, rule, _, _ in rows}) == len(RULES)
    unpacked = [
        (start + index, rule, score, table[term])
        for (start, _), (indexes, rules, scores, terms, table) in match_in_workers(
            matcher, papers, 2
        )
        for index, rule, score, term in zip(indexes, rules, scores, terms, strict=True)
    ]
    assert unpacked == rows


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        (3, [3]),
        (BATCH, [BATCH]),
        (BATCH + 1, [2049, 2048, 2048, 2048]),
        (2 * BATCH + 100, [4121, 4121, 4121, 4121]),
        (74_728, [6228] * 4 + [6227] * 8),
    ],
)
def test_a_long_run_is_cut_in_fours_of_one_size(count: int, sizes: list[int]) -> None:
    bounds = batch_bounds(count)
    assert [stop - start for start, stop in bounds] == sizes
    assert bounds[0][0] == 0 and bounds[-1][1] == count
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))


def test_a_big_run_with_workers_matches_as_one_process_does() -> None:
    papers = _papers(PARALLEL_MIN)
    assert _matcher().match(papers, workers=2) == _matcher().match(papers)
    assert gc.isenabled()  # paused during the run, resumed after
