"""Pausing Python's cyclic garbage collector while a big run allocates objects that live on."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for the block; reference counting frees as usual.

    A big run (matching the corpus, building every channel's digest) allocates hundreds of
    thousands of objects that live on or hold no cycles; each collection it triggers walks every
    live object of the process again: a fifth of a 10,000-rule run, a third of 10,000 digests.
    Around awaits too: the block lasts seconds, and cycles other tasks make meanwhile are
    collected when it ends. The first to pause resumes; a nested pause, or one made by another
    thread's run, is left to its owner.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
