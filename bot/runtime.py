"""A running bot from start to stop, whatever its platform: `paperbot run` serves through here.

Start: take the database (on SQLite, as its only process), migrate it, start the health endpoint,
the scheduler (every process posts the outbox) and the campaign for the scheduler's lead (the
leader harvests and builds digests), then the platform's session. Stop, on SIGTERM or SIGINT or
when the session ends: take no new work (scheduler, chat events, the lead's jobs), let the post
being made finish or release it, close the platforms, cancel what still runs (its transaction
rolls back: nothing is half-written), give up the lead, close the database; all within
PAPERBOT_SHUTDOWN_SECONDS, then exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from bot.app import Bot, open_store
from bot.health import HealthServer
from bot.leader import Leadership, SqliteLeadership, leadership_for
from bot.offload import ProcessOffload
from bot.ports import ChatPlatform
from config import Settings
from digest.clock import SystemClock
from digest.models import Platform
from digest.ports import Clock
from storage.engine import create_engine
from storage.store import SqlStore

log = logging.getLogger(__name__)

Session = Callable[[Bot], Awaitable[object]]
# The chat platforms, made once the store is open (Slack keeps its installations there).
Platforms = Callable[[SqlStore, Clock], Mapping[Platform, ChatPlatform]]
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Each closing step gets at least this long, even when the grace period is spent.
CLOSE_SECONDS = 2.0


@dataclass
class StopSignals:
    """SIGTERM and SIGINT set `stopped` (and name the signal) instead of killing the process."""

    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    received: str | None = None

    def _receive(self, number: signal.Signals) -> None:
        if self.received is None:
            self.received = number.name
            log.info("%s received: stopping", number.name)
        self.stopped.set()

    @contextlib.contextmanager
    def installed(self) -> Iterator[StopSignals]:
        """Catch the signals meanwhile (only the main thread can; elsewhere they stay as they
        were)."""
        loop = asyncio.get_running_loop()
        installed = []
        for number in STOP_SIGNALS:
            try:
                loop.add_signal_handler(number, self._receive, number)
            except (ValueError, RuntimeError, NotImplementedError):
                continue
            installed.append(number)
        try:
            yield self
        finally:
            for number in installed:
                loop.remove_signal_handler(number)


_tracking: ContextVar[object] = ContextVar("paperbot_tracking", default=None)


@contextlib.contextmanager
def tracked_tasks() -> Iterator[weakref.WeakSet[asyncio.Future[Any]]]:
    """Every task the bot starts meanwhile (its jobs, a harvest, a model's training), so that
    stopping cancels those and no other: a test or host program may share the event loop.

    A task is the bot's when it is created in a context that descends from this one (context
    variables pass to tasks and to callbacks, such as the scheduler's timers).
    """
    loop = asyncio.get_running_loop()
    started: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()
    previous = loop.get_task_factory()

    def factory(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **options: Any
    ) -> asyncio.Future[Any]:
        if previous is not None:
            task = previous(loop, coro, **options)
        else:
            task = asyncio.Task(coro, loop=loop, **options)
        if _tracking.get() is started:
            started.add(task)
        return task

    token = _tracking.set(started)
    loop.set_task_factory(factory)  # type: ignore[arg-type]
    try:
        yield started
    finally:
        loop.set_task_factory(previous)
        _tracking.reset(token)


async def take_database(settings: Settings) -> Leadership:
    """The leadership for the configured database; on SQLite, taken now or SingleProcessOnly."""
    probe = create_engine(settings.database_url_text)  # connects to nothing: only its URL is read
    try:
        leadership = leadership_for(probe, settings.leader_poll_seconds)
    finally:
        await probe.dispose()
    if isinstance(leadership, SqliteLeadership):
        leadership.acquire()
    return leadership


async def serve(settings: Settings, platforms: Platforms, session: Session) -> int:
    """Run the bot on the platforms `platforms` makes until `session` ends or a stop signal;
    exit status 0. `session` connects the platforms to the bot and starts them."""
    clock = SystemClock()
    leadership = await take_database(settings)
    try:
        store = await open_store(settings, clock)
    except BaseException:
        await leadership.close()
        raise
    offload = ProcessOffload()
    bot = Bot(settings, store, clock, platforms(store, clock), offload=offload)
    health = None
    if settings.health_port is not None:
        health = HealthServer(
            bot, lambda: leadership.leading, settings.health_host, settings.health_port, clock.now()
        )
    running: list[asyncio.Task[object]] = []
    chat: asyncio.Task[object] | None = None
    with StopSignals().installed() as signals, tracked_tasks() as tasks:
        try:
            if health is not None:
                await health.start()
            await bot.scheduler.start(leading=False)
            running.append(asyncio.create_task(_campaign(bot, leadership)))
            await bot.handlers.warm_up()
            chat = asyncio.create_task(_session(session, bot))
            running.append(chat)
            stop = asyncio.create_task(signals.stopped.wait())
            await asyncio.wait([chat, stop], return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
        finally:
            await _shutdown(
                bot, leadership, running, tasks, health, offload, settings.shutdown_seconds
            )
    failure = (
        chat.exception() if chat is not None and chat.done() and not chat.cancelled() else None
    )
    if failure is not None:
        raise failure  # the session's own failure (a refused token, say), once stopped
    return 0


async def _session(session: Session, bot: Bot) -> object:
    return await session(bot)


async def _campaign(bot: Bot, leadership: Leadership) -> None:
    async def elected() -> None:
        try:
            await bot.scheduler.lead()
        except asyncio.CancelledError:
            raise
        except Exception:
            # The jobs that were added run; the catch-up job tries the rest again.
            log.exception("taking up the scheduler's lead failed part way")

    async def deposed() -> None:
        bot.scheduler.step_down()

    await leadership.run(elected, deposed)


async def _shutdown(
    bot: Bot,
    leadership: Leadership,
    running: list[asyncio.Task[object]],
    tasks: weakref.WeakSet[asyncio.Future[Any]],
    health: HealthServer | None,
    offload: ProcessOffload,
    grace: float,
) -> None:
    started = time.monotonic()

    def left() -> float:
        return max(grace - (time.monotonic() - started), CLOSE_SECONDS)

    if health is not None:
        health.stopping = True
    # No new work: no job starts, nothing more is posted; the post being made finishes, or is
    # released in doubt once the grace period is spent (whichever task is making it).
    await bot.scheduler.stop()
    await bot.delivery.stop(max(grace - (time.monotonic() - started), 0.0))
    # Then no chat event is read any more, and the campaign for the lead ends.
    for task in running:
        task.cancel()
    for platform in bot.platforms.values():
        await _bounded(platform.close(), left(), f"closing {platform.platform.value}")
    if health is not None:
        await _bounded(health.close(), left(), "closing the health endpoint")
    # What still runs (a digest being built, a harvest) is cancelled: its transaction rolls back.
    current = asyncio.current_task()
    others = [job for job in list(tasks) if job is not current and not job.done()]
    for job in others:
        job.cancel()
    if others:
        await asyncio.wait(others, timeout=left())
    await _bounded(leadership.close(), left(), "giving up the lead")
    offload.close()
    await _bounded(bot.store.close(), left(), "closing the database")
    log.info("stopped in %.1f s", time.monotonic() - started)


async def _bounded(step: Awaitable[object], seconds: float, what: str) -> None:
    try:
        async with asyncio.timeout(seconds):
            await step
    except TimeoutError:
        log.warning("%s took over %.0f s; going on without it", what, seconds)
    except Exception:
        log.exception("%s failed", what)
