"""Split long lists into chunks that stay under the engines' bound-parameter limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
BATCH = 500


def batches(items: Iterable[T], size: int = BATCH) -> Iterable[Sequence[T]]:
    """Consecutive chunks of at most `size` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
