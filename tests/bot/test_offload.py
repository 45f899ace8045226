"""CPU-heavy work runs off the event loop with a cost bound: other commands are answered while
a rule is matched or the section model trained in a worker process, and a rule that costs too
much is refused instead of run."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import ParamSpec, TypeVar

import pytest

from bot.handlers import Defaults, Handlers
from bot.offload import ProcessOffload
from bot.ports import ChannelRef, Invocation, UserRef
from digest.clock import FixedClock
from digest.ingest import store_papers
from digest.models import Platform
from digest.offload import Offload
from digest.sections import Example, SectionSuggester
from digest.topics import ScanPart, match_part
from storage.store import SqlStore
from tests.factories import make_paper

P = ParamSpec("P")
T = TypeVar("T")
CHANNEL = ChannelRef(Platform.CONSOLE, "lab", "papers", workspace_name="Lab")
ADMIN = UserRef("root", "Root", platform_admin=True)


def _run(command: str, **options: str) -> Invocation:
    return Invocation(CHANNEL, ADMIN, command, options)


async def _backlog(store: SqlStore, clock: FixedClock) -> None:
    today = clock.now().date()
    await store_papers(
        store,
        [
            make_paper(f"2606.{n:05d}", f"Paged attention {n}", announced=today - timedelta(n))
            for n in range(1, 8)
        ],
    )


def gated(gate: str, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `fn` once the file `gate` exists (in a worker process: the test holds the job)."""
    deadline = time.monotonic() + 60
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.01)
    return fn(*args, **kwargs)


def worker_pid() -> int:
    """The id of the process this runs in."""
    return os.getpid()


class GatedOffload:
    """The process pool, but each job waits for the gate file first: a job that runs long."""

    def __init__(self, pool: ProcessOffload, gate: Path) -> None:
        self.pool = pool
        self.gate = str(gate)

    def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        return self.pool(gated, self.gate, fn, *args, **kwargs)


class CostlyOffload:
    """Runs the work inline but says each part took one CPU second (a slow rule, at no cost)."""

    async def __call__(
        self, fn: Callable[P, ScanPart], /, *args: P.args, **kwargs: P.kwargs
    ) -> ScanPart:
        part = fn(*args, **kwargs)
        return replace(part, cpu_seconds=1.0) if part.finished else part


def test_matching_stops_when_its_budget_is_spent() -> None:
    papers = [make_paper(f"2606.{n:05d}", "Paged attention") for n in range(1, 300)]
    whole = match_part("ti:attention", papers)
    assert (whole.finished, whole.scanned, len(whole.matches)) == (True, 299, 299)
    stopped = match_part("ti:attention", papers, cpu_left=0.0)
    assert (stopped.finished, stopped.scanned) == (False, 0)


async def test_a_rule_over_its_budget_is_refused_and_nothing_is_saved(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    await _backlog(sqlite_store, clock)
    costly: Offload = CostlyOffload()  # type: ignore[assignment]
    handlers = Handlers(sqlite_store, clock, Defaults(match_budget=2.5), offload=costly)
    for reply in (
        await handlers.command(_run("topic-check", rule="ti:attention")),
        await handlers.command(_run("topic-add", name="pa", rule="ti:attention")),
    ):
        assert reply.ephemeral
        assert reply.text.startswith(
            "That rule is too costly to match: it used its 2.5 s budget on 3 papers"
        )
        assert "Make it narrower" in reply.text
    async with sqlite_store.unit() as unit:
        assert await unit.topics.list() == []
    roomy = Handlers(sqlite_store, clock, Defaults(match_budget=10), offload=costly)
    assert "Matches 7 of 7 papers" in (await roomy.command(_run("topic-check", rule="ti:pa*"))).text


@pytest.fixture
async def pool() -> ProcessOffload:
    offload = ProcessOffload()
    yield offload  # type: ignore[misc]
    offload.close()


async def test_other_commands_are_answered_while_a_rule_is_matched_in_a_worker(
    sqlite_store: SqlStore, clock: FixedClock, pool: ProcessOffload, tmp_path: Path
) -> None:
    assert await pool(worker_pid) != os.getpid()  # the work runs in another process
    await _backlog(sqlite_store, clock)
    gate = tmp_path / "go"
    handlers = Handlers(sqlite_store, clock, offload=GatedOffload(pool, gate))  # type: ignore[arg-type]
    check = asyncio.create_task(handlers.command(_run("topic-check", rule="ti:attention")))
    await asyncio.sleep(0.05)  # the check is underway, its first day held in the worker
    topics = await handlers.command(_run("topics"))
    nominated = await handlers.command(_run("nominate", paper="2606.00001"))
    assert "No topics yet" in topics.text
    assert "Nominated “Paged attention 1”" in nominated.text
    assert not check.done()  # both were answered while the matching was still held
    gate.touch()
    assert "Matches 7 of 7 papers" in (await check).text


async def test_the_section_model_trains_in_a_worker_process(pool: ProcessOffload) -> None:
    examples = [
        Example("Paged KV cache for LLM serving", "Serving"),
        Example("Continuous batching to serve language models", "Serving"),
        Example("Pipeline parallel training of large models", "Training"),
        Example("ZeRO memory optimizations for data parallel training", "Training"),
    ]
    suggester = SectionSuggester(run=pool)
    await suggester.train(1, examples)
    assert suggester.ready(1, examples)
    paper = Example("Serving LLMs with a paged cache")
    assert (await suggester.suggest(1, examples, paper))[0].section == "Serving"
