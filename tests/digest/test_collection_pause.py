"""The cyclic collector's pause: on for the block, back after, left to its owner when nested."""

from __future__ import annotations

import asyncio
import gc

import pytest

from digest.collection_pause import collection_paused


def _failed_run() -> None:
    with collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failed run")


def test_the_collector_is_paused_in_the_block_and_resumed_after_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="a failed run"):
        _failed_run()
    assert gc.isenabled()


def test_a_nested_pause_leaves_resuming_to_the_outer_one() -> None:
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block did not resume it under the outer one
    assert gc.isenabled()


def test_a_pause_held_across_awaits_is_resumed_when_the_task_ends_or_is_cancelled() -> None:
    async def build(started: asyncio.Event) -> None:
        with collection_paused():
            started.set()
            await asyncio.sleep(3600)

    async def run() -> None:
        started = asyncio.Event()
        task = asyncio.create_task(build(started))
        await started.wait()
        assert not gc.isenabled()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert gc.isenabled()

    asyncio.run(run())
