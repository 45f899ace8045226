"""Duplicates inside one list: the same arXiv id twice, or titles that are nearly the same.

The work is bounded by the list's size: titles are grouped by exact key in one pass, and a title
is compared for near-sameness with a bounded number of others (all titles sharing its first word
when they are few, its neighbours in sorted order when they are many), each comparison on at most
`NEAR_MAX_CHARS` characters, and at most `near_budget(n)` comparisons in all.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from digest.list_document import Duplicate, ListDocument, ListItem
from digest.text import tokens

_NUMBER_WORD = re.compile(r"[^ ]*\d[^ ]*")
NEAR_TITLE_RATIO = 0.93
MIN_TITLE_CHARS = 12  # shorter titles ("Llama 2") say too little to call two of them the same
NEAR_MAX_CHARS = 200  # longer "titles" are prose: only exact repeats of them are reported
SMALL_BUCKET = 32  # titles sharing a first word are all compared with each other up to this many
NEIGHBOURS = 4  # beyond it, each with the next few in sorted order, forwards and word-reversed


def title_key(title: str) -> str:
    """A title folded to its words, for comparing titles written differently."""
    return " ".join(tokens(title))


def near_budget(keys: int) -> int:
    """How many full title comparisons a list of `keys` distinct titles may cost at most."""
    return 2_000 + 2 * keys


def _numbers(key: str) -> frozenset[str]:
    """Numbers in a title: "Llama 2" and "Llama 3" differ in them and are different papers."""
    return frozenset(_NUMBER_WORD.findall(key))


@dataclass(frozen=True, slots=True)
class _Title:
    key: str
    item: ListItem
    numbers: frozenset[str]
    chars: Counter[str]


@dataclass(slots=True)
class NearSearch:
    """What the near-title search did: comparisons made, and whether the budget cut it short."""

    compared: int = 0
    budget: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether some pairs were left uncompared."""
        return self.compared >= self.budget


def _candidates(bucket: list[_Title]) -> Iterator[tuple[_Title, _Title]]:
    """Pairs worth comparing inside one first-word bucket, at most a few per title."""
    if len(bucket) <= SMALL_BUCKET:
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                yield a, b
        return
    for order in (
        sorted(bucket, key=lambda t: t.key),
        sorted(bucket, key=lambda t: t.key.split()[::-1]),
    ):
        for i, a in enumerate(order):
            for b in order[i + 1 : i + 1 + NEIGHBOURS]:
                yield (a, b) if a.item.line <= b.item.line else (b, a)


def _near(a: _Title, b: _Title, search: NearSearch) -> bool:
    if a.numbers != b.numbers:
        return False
    size_a, size_b = len(a.key), len(b.key)
    if 2 * min(size_a, size_b) < NEAR_TITLE_RATIO * (size_a + size_b):
        return False  # the lengths alone rule it out
    # SequenceMatcher.quick_ratio, from counts made once per title: an upper bound of ratio().
    common = sum((a.chars & b.chars).values())
    if 2 * common < NEAR_TITLE_RATIO * (size_a + size_b):
        return False
    search.compared += 1
    return SequenceMatcher(None, a.key, b.key, autojunk=False).ratio() >= NEAR_TITLE_RATIO


def find_duplicates(document: ListDocument, search: NearSearch | None = None) -> list[Duplicate]:
    """Groups of items that are the same paper, by arXiv id first, then by title."""
    items = document.items
    found: list[Duplicate] = []
    by_id: dict[str, list[ListItem]] = defaultdict(list)
    by_key: dict[str, list[ListItem]] = defaultdict(list)
    for item in items:
        if item.arxiv_id:
            by_id[item.arxiv_id].append(item)
        key = title_key(item.title)
        if len(key) >= MIN_TITLE_CHARS:
            by_key[key].append(item)
    for arxiv_id, group in by_id.items():
        if len(group) > 1:
            found.append(
                Duplicate(
                    f"arXiv {arxiv_id} appears {len(group)} times",
                    tuple(i.line for i in group),
                    group[0].title,
                )
            )
    buckets: dict[str, list[_Title]] = defaultdict(list)
    for key, group in by_key.items():
        # One item per arXiv id: two items of one id were reported as that id already.
        seen: set[str] = set()
        distinct = []
        for item in group:
            if item.arxiv_id is None or item.arxiv_id not in seen:
                distinct.append(item)
                if item.arxiv_id:
                    seen.add(item.arxiv_id)
        if len(distinct) > 1:
            reason = "same title" if len(distinct) == 2 else f"same title, {len(distinct)} times"
            found.append(Duplicate(reason, tuple(i.line for i in distinct), distinct[0].title))
        if len(key) <= NEAR_MAX_CHARS:
            buckets[key.split(" ", 1)[0]].append(_Title(key, group[0], _numbers(key), Counter(key)))
    if search is None:
        search = NearSearch()
    search.budget = near_budget(len(by_key))
    paired: set[tuple[int, int]] = set()
    for bucket in buckets.values():
        for a, b in _candidates(bucket):
            if search.exhausted:
                break
            pair = (a.item.line, b.item.line)
            if pair in paired or (a.item.arxiv_id and a.item.arxiv_id == b.item.arxiv_id):
                continue
            if _near(a, b, search):
                paired.add(pair)
                found.append(Duplicate("nearly the same title", pair, a.item.title))
    return sorted(found, key=lambda d: d.lines)
