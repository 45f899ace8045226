"""How the core runs CPU-heavy pure work off the event loop: the Offload it is given.

The bot passes a thread or process pool (bot/offload.py); command-line tools and tests may pass
`inline`, which runs the work where it is called.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Offload(Protocol):
    """Runs `fn(*args)` somewhere else and gives its result; `fn` and its arguments must pickle."""

    def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        """The awaitable result of `fn(*args, **kwargs)`."""
        ...


async def inline(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run the work here, on the caller's thread (for one-shot tools and tests)."""
    return fn(*args, **kwargs)
