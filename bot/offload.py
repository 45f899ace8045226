"""Where CPU-heavy work runs in the bot: a process pool, so the event loop and its GIL stay free.

Matching a rule over the backlog and training the section model are pure functions of picklable
values (digest.topics.match_part, digest.sections.SectionModel). In a thread they would still
share the interpreter lock with the event loop; in a separate process they do not, so every
other command is answered while they run (benchmarks/responsiveness.py measures both).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ProcessOffload:
    """An Offload (digest.offload) on a pool of worker processes, started on first use.

    Workers are spawned, not forked: a fork of a process running an event loop and threads
    (aiosqlite, the scheduler) may copy a held lock.
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        """Run `fn(*args, **kwargs)` in a worker process."""
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return asyncio.get_running_loop().run_in_executor(self._pool, partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Stop the workers; work not started is dropped (it was only ever a convenience)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
