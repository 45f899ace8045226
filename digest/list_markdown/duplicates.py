"""Duplicates inside one list: the same arXiv id twice, or titles that are nearly the same."""

from __future__ import annotations

from collections import defaultdict
from difflib import SequenceMatcher

from digest.list_document import Duplicate, ListDocument, ListItem
from digest.text import tokens

NEAR_TITLE_RATIO = 0.93


def title_key(title: str) -> str:
    """A title folded to its words, for comparing titles written differently."""
    return " ".join(tokens(title))


def _numbers(key: str) -> set[str]:
    """Numbers in a title: "Llama 2" and "Llama 3" differ in them and are different papers."""
    return {word for word in key.split() if any(ch.isdigit() for ch in word)}


def find_duplicates(document: ListDocument) -> list[Duplicate]:
    """Groups of items that are the same paper, by arXiv id first, then by title."""
    items = document.items
    found: list[Duplicate] = []
    by_id: dict[str, list[ListItem]] = defaultdict(list)
    for item in items:
        if item.arxiv_id:
            by_id[item.arxiv_id].append(item)
    paired: set[tuple[int, int]] = set()
    for arxiv_id, group in by_id.items():
        if len(group) > 1:
            found.append(
                Duplicate(
                    f"arXiv {arxiv_id} appears {len(group)} times",
                    tuple(i.line for i in group),
                    group[0].title,
                )
            )
            paired.update((a.line, b.line) for a in group for b in group)
    # Compare titles only within a bucket of the same first word: near-duplicates share it.
    buckets: dict[str, list[tuple[str, ListItem]]] = defaultdict(list)
    for item in items:
        key = title_key(item.title)
        if len(key) >= 12:
            buckets[key.split(" ", 1)[0]].append((key, item))
    for bucket in buckets.values():
        for i, (key_a, a) in enumerate(bucket):
            for key_b, b in bucket[i + 1 :]:
                if (a.line, b.line) in paired or (a.arxiv_id and a.arxiv_id == b.arxiv_id):
                    continue
                same = key_a == key_b
                if same or (
                    _numbers(key_a) == _numbers(key_b)
                    and SequenceMatcher(None, key_a, key_b).ratio() >= NEAR_TITLE_RATIO
                ):
                    paired.add((a.line, b.line))
                    reason = "same title" if same else "nearly the same title"
                    found.append(Duplicate(reason, (a.line, b.line), a.title))
    return sorted(found, key=lambda d: d.lines)
