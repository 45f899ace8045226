"""Harvesting by announcement windows against a local fake of the API's index."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from digest.announcements import ARXIV_ZONE, mailing_of
from digest.arxiv_fetch import ArxivApiSource
from digest.clock import FixedClock
from digest.harvest import (
    HarvestPolicy,
    HarvestProgress,
    HarvestReport,
    HarvestWindow,
    categories_for_topics,
    harvest,
    harvest_category,
    query_groups,
)
from digest.ingest import IngestReport
from digest.models import Platform, Topic
from digest.ports import SourcePage
from storage.store import SqlStore
from tests.digest.arxiv_server import ApiServer, FakeArxiv, Reply, Responder
from tests.digest.atom import Entry

Serve = Callable[[Responder], ApiServer]
MakeSource = Callable[..., ArxivApiSource]
POLICY = HarvestPolicy(lag=timedelta(minutes=30), settle=timedelta(hours=24))


def eastern(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A 2026 New York wall-clock time, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=ARXIV_ZONE).astimezone(UTC)


def daily_run(day: int) -> datetime:
    """The bot's daily harvest time (01:30 UTC) on a June 2026 day."""
    return datetime(2026, 6, day, 1, 30, tzinfo=UTC)


THURSDAY_DEADLINE = eastern(6, 18, 14)
FRIDAY_DEADLINE = eastern(6, 19, 14)
MONDAY_DEADLINE = eastern(6, 22, 14)


class Recorder(HarvestProgress):
    """Remembers which window each stored paper came in."""

    def __init__(self) -> None:
        self.window_of: dict[str, HarvestWindow] = {}
        self.planned_windows: list[HarvestWindow] = []

    def planned(self, windows: Sequence[HarvestWindow]) -> None:
        self.planned_windows = list(windows)

    def page(self, window: HarvestWindow, page: SourcePage, stored: IngestReport) -> None:
        for paper in page.papers:
            self.window_of.setdefault(paper.arxiv_id, window)


async def run(
    store: SqlStore,
    source: ArxivApiSource,
    clock: FixedClock,
    at: datetime,
    categories: Sequence[str] = ("cs.DC",),
    progress: HarvestProgress | None = None,
    since: date | None = None,
) -> HarvestReport:
    """One harvest at the instant `at`."""
    clock.set(at)
    return await harvest(store, source, categories, at, POLICY, since=since, progress=progress)


async def watermark(store: SqlStore, category: str = "cs.DC") -> datetime | None:
    """A category's stored watermark."""
    async with store.unit() as unit:
        return await unit.harvest.get_watermark(category)


async def set_watermark(store: SqlStore, mark: datetime, category: str = "cs.DC") -> None:
    """Pretend the bot has harvested up to `mark`."""
    async with store.unit() as unit:
        await unit.harvest.set_watermark(category, mark)


async def test_friday_afternoon_submission_lands_in_the_monday_mailing_window(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    afternoon = Entry("2606.10001", published=eastern(6, 19, 15, 30), title="Friday afternoon")
    morning = Entry("2606.10002", published=eastern(6, 19, 10), title="Friday morning")
    fake = FakeArxiv(clock, [afternoon, morning])
    source = make_source(serve(fake))
    await set_watermark(sqlite_store, THURSDAY_DEADLINE)
    recorder = Recorder()

    for day in (20, 21):  # the weekend: no mailing since Thursday's
        report = await run(sqlite_store, source, clock, daily_run(day), progress=recorder)
        assert report.windows == 0
    await run(sqlite_store, source, clock, daily_run(22), progress=recorder)  # after Sunday's
    async with sqlite_store.unit() as unit:
        assert await unit.papers.get("2606.10001") is None
        sunday = await unit.papers.get("2606.10002")
    assert sunday is not None and sunday.announced == date(2026, 6, 22)  # listed Monday
    assert recorder.window_of["2606.10002"].end == FRIDAY_DEADLINE

    await run(sqlite_store, source, clock, daily_run(23), progress=recorder)  # after Monday's
    async with sqlite_store.unit() as unit:
        monday = await unit.papers.get("2606.10001")
    assert monday is not None
    window = recorder.window_of["2606.10001"]
    # Monday's mailing: deadline Monday 14:00, out Monday 20:00 New York time, listed Tuesday.
    assert (window.start, window.end) == (FRIDAY_DEADLINE, MONDAY_DEADLINE)
    assert mailing_of(window.end) == eastern(6, 22, 20)
    assert monday.announced == window.listing == date(2026, 6, 23)
    # Sunday's window has settled and was stored in full; Monday's is read again tomorrow.
    assert await watermark(sqlite_store) == FRIDAY_DEADLINE


async def test_index_lag_is_caught_by_the_settling_read(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    prompt = Entry("2606.20001", published=eastern(6, 22, 9))
    late = Entry("2606.20002", published=eastern(6, 22, 10))
    fake = FakeArxiv(clock, [prompt, late], lag={"2606.20002": timedelta(hours=5)})
    source = make_source(serve(fake))
    await set_watermark(sqlite_store, FRIDAY_DEADLINE)

    first = await run(sqlite_store, source, clock, daily_run(23))
    assert first.stored.inserted == 1  # the index did not have the late one yet
    assert await watermark(sqlite_store) == FRIDAY_DEADLINE  # not settled: no move

    second = await run(sqlite_store, source, clock, daily_run(24))
    assert second.stored.inserted == 1
    async with sqlite_store.unit() as unit:
        assert await unit.papers.get("2606.20002") is not None
    assert await watermark(sqlite_store) == MONDAY_DEADLINE


async def test_rereading_a_complete_window_stops_after_one_page(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    entries = [
        Entry(f"2606.3{i:04d}", published=eastern(6, 22, 9) + timedelta(minutes=i))
        for i in range(25)
    ]
    server = serve(FakeArxiv(clock, entries))
    source = make_source(server, page_size=10)
    await set_watermark(sqlite_store, FRIDAY_DEADLINE)

    first = await run(sqlite_store, source, clock, daily_run(23))
    assert (first.stored.inserted, first.pages, len(server.requests)) == (25, 3, 3)
    again = await run(sqlite_store, source, clock, daily_run(24))
    # Two windows: Monday's again (one page, then it stops) and Tuesday's new, empty one.
    assert (again.stored.inserted, again.windows, again.pages, again.stopped_early) == (0, 2, 2, 1)
    assert len(server.requests) == 5
    assert await watermark(sqlite_store) == MONDAY_DEADLINE


async def test_crash_mid_window_keeps_the_watermark_and_reruns_cleanly(
    sqlite_store: SqlStore,
    clock: FixedClock,
    serve: Serve,
    make_source: MakeSource,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entries = [
        Entry(f"2606.4{i:04d}", published=eastern(6, 19, 9) + timedelta(minutes=i))
        for i in range(25)
    ]
    fake = FakeArxiv(clock, entries)
    server = serve(fake)
    source = make_source(server, page_size=10, attempts=2)
    await set_watermark(sqlite_store, THURSDAY_DEADLINE)
    clock.set(daily_run(23))
    first_page = fake(
        {
            "search_query": "(cat:cs.DC) AND lastUpdatedDate:[202606181800 TO 202606191759]",
            "start": "0",
            "max_results": "10",
        }
    )
    truncated = Reply(b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>")
    server.faults = [first_page, truncated, truncated]

    with caplog.at_level(logging.WARNING):
        broken = await run(sqlite_store, source, clock, daily_run(23))
    (failure,) = broken.failures
    assert failure.category == "cs.DC" and failure.listing == date(2026, 6, 22)
    assert "start=10" in failure.url and failure.url in caplog.text
    assert await watermark(sqlite_store) == THURSDAY_DEADLINE  # malformed page: no move
    async with sqlite_store.unit() as unit:
        assert await unit.papers.count() == 10  # the first page was stored

    # The next run reads the window again: its first page is known but the window is not.
    healed = await run(sqlite_store, source, clock, daily_run(23))
    assert healed.failures == ()
    assert healed.stored.inserted == 15 and healed.stopped_early == 0
    async with sqlite_store.unit() as unit:
        assert await unit.papers.count() == 25
    assert await watermark(sqlite_store) == FRIDAY_DEADLINE


async def test_same_harvest_twice_leaves_the_same_rows(
    store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    entries = [
        Entry(
            f"2606.5{i:04d}",
            published=eastern(6, 19 + i % 4, 9 + i % 8),
            categories=("cs.DC", "cs.LG"),
        )
        for i in range(30)
    ]
    source = make_source(serve(FakeArxiv(clock, entries)), page_size=7)
    first = await run(
        store, source, clock, daily_run(25), ("cs.DC", "cs.LG"), since=date(2026, 6, 19)
    )
    async with store.unit() as unit:
        before = await unit.papers.get_many(e.arxiv_id for e in entries)
    second = await run(
        store, source, clock, daily_run(25), ("cs.DC", "cs.LG"), since=date(2026, 6, 19)
    )
    async with store.unit() as unit:
        after = await unit.papers.get_many(e.arxiv_id for e in entries)
        count = await unit.papers.count()
    assert first.stored.inserted == 30 and first.failures == ()
    assert (second.stored.inserted, second.stored.updated) == (0, 0)
    assert before == after and count == 30


async def test_replacement_updates_and_a_stale_version_never_overwrites(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    v1 = Entry("2606.60001", version=1, title="First", published=eastern(6, 18, 9))
    fake = FakeArxiv(clock, [v1])
    source = make_source(serve(fake))
    await run(sqlite_store, source, clock, daily_run(22), since=date(2026, 6, 18))
    # Replaced on Monday: the index now lists v2, updated Monday, in Monday's window.
    v2 = Entry(
        "2606.60001", version=2, title="Second", published=v1.published, updated=eastern(6, 22, 11)
    )
    fake.entries = [v2]
    report = await run(sqlite_store, source, clock, daily_run(23))
    assert report.stored.updated == 1
    # A stale copy of v1 turning up again (an old window re-read) changes nothing.
    fake.entries = [v1, v2]
    stale = await run(sqlite_store, source, clock, daily_run(23), since=date(2026, 6, 18))
    assert (stale.stored.inserted, stale.stored.updated) == (0, 0)
    async with sqlite_store.unit() as unit:
        paper = await unit.papers.get("2606.60001")
    assert paper is not None and (paper.version, paper.title) == (2, "Second")
    assert paper.announced == date(2026, 6, 19)  # its first listing, not the replacement's


async def test_cross_lists_are_stored_and_matched_once(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    async with sqlite_store.unit() as unit:
        ws = await unit.workspaces.get_or_create(Platform.CONSOLE, "lab", "Lab")
        await unit.topics.create(ws.id, "dc", "cat:cs.DC", "", None)
    cross = Entry(
        "2606.70001", primary="cs.LG", categories=("cs.LG", "cs.DC"), published=eastern(6, 22, 9)
    )
    source = make_source(serve(FakeArxiv(clock, [cross])))
    report = await run(
        sqlite_store, source, clock, daily_run(23), ("cs.LG", "cs.DC"), since=date(2026, 6, 23)
    )
    # both categories in one query per window: the cross-list comes once, not once per category
    assert (report.stored.inserted, report.stored.unchanged, report.matches) == (1, 0, 1)
    async with sqlite_store.unit() as unit:
        paper = await unit.papers.get("2606.70001")
    assert paper is not None and paper.categories == ("cs.LG", "cs.DC")


async def test_an_empty_answer_for_a_window_we_hold_is_a_failure(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    entry = Entry("2606.80001", published=eastern(6, 22, 9))
    fake = FakeArxiv(clock, [entry])
    source = make_source(serve(fake))
    await set_watermark(sqlite_store, FRIDAY_DEADLINE)
    await run(sqlite_store, source, clock, daily_run(23))
    fake.entries = []  # the API "forgets" the window, as its flaky empty answers do
    report = await run(sqlite_store, source, clock, daily_run(24))
    assert report.failures and "no papers" in report.failures[0].error
    assert await watermark(sqlite_store) == FRIDAY_DEADLINE


async def test_a_new_category_starts_with_the_backfill(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    source = make_source(serve(FakeArxiv(clock, [])))
    recorder = Recorder()
    await run(sqlite_store, source, clock, daily_run(23), progress=recorder)
    listings = [w.listing for w in recorder.planned_windows]
    assert listings == [date(2026, 6, d) for d in (16, 17, 18, 19, 22, 23)]
    assert await watermark(sqlite_store) == FRIDAY_DEADLINE


def test_categories_come_from_the_topics_rules() -> None:
    topics = [
        Topic(1, 1, "a", "cat:cs.dc AND ti:serving"),
        Topic(2, 1, "b", "(cat:cs OR cat:stat.ml) ANDNOT cat:physics.acc-ph"),
        Topic(3, 1, "c", "ti:(unbalanced"),
    ]
    assert categories_for_topics(topics) == {"cs.DC", "cs.*", "stat.ML", "physics.acc-ph"}
    assert harvest_category("quant-ph") == "quant-ph"
    assert (harvest_category("Astro-ph"), harvest_category("cond-mat")) == (
        "astro-ph.*",
        "cond-mat.*",
    )


async def test_categories_at_one_watermark_share_one_query_per_window(
    sqlite_store: SqlStore, clock: FixedClock, serve: Serve, make_source: MakeSource
) -> None:
    entries = [
        Entry("2606.90001", primary="cs.DC", categories=("cs.DC",), published=eastern(6, 22, 9)),
        Entry(
            "2606.90002",
            primary="cs.LG",
            categories=("cs.LG", "cs.DC"),
            published=eastern(6, 22, 10),
        ),
        Entry("2606.90003", primary="cs.OS", categories=("cs.OS",), published=eastern(6, 23, 9)),
    ]
    server = serve(FakeArxiv(clock, entries))
    source = make_source(server)
    categories = ("cs.DC", "cs.LG", "cs.OS")
    for category in categories:
        await set_watermark(sqlite_store, FRIDAY_DEADLINE, category)
    await set_watermark(sqlite_store, MONDAY_DEADLINE, "cs.OS")  # cs.OS is a window ahead

    first = await run(sqlite_store, source, clock, daily_run(24), categories)
    queries = [r["search_query"] for r in server.requests]
    # cs.DC and cs.LG: Monday's and Tuesday's windows, one query each; cs.OS: Tuesday's alone
    assert queries == [
        "(cat:cs.DC OR cat:cs.LG) AND lastUpdatedDate:[202606191800 TO 202606221759]",
        "(cat:cs.DC OR cat:cs.LG) AND lastUpdatedDate:[202606221800 TO 202606231759]",
        "(cat:cs.OS) AND lastUpdatedDate:[202606221800 TO 202606231759]",
    ]
    assert (first.stored.inserted, first.stored.unchanged, first.windows) == (3, 0, 3)
    for category in categories:
        assert await watermark(sqlite_store, category) == MONDAY_DEADLINE

    # now at one watermark, all three go in one query a window, and the re-read stops early
    server.requests.clear()
    again = await run(sqlite_store, source, clock, daily_run(25), categories)
    assert [r["search_query"].split(" AND ")[0] for r in server.requests] == [
        "(cat:cs.DC OR cat:cs.LG OR cat:cs.OS)"
    ] * 2
    assert (again.stored.inserted, again.stored.unchanged, again.failures) == (0, 1, ())


def test_query_groups_keep_each_query_short() -> None:
    mark = FRIDAY_DEADLINE
    starts = {f"cs.{chr(65 + i)}{chr(65 + j)}": mark for i in range(10) for j in range(10)}
    starts["stat.ML"] = MONDAY_DEADLINE
    groups = query_groups(starts, limit=200)
    assert sum(len(group) for group, _ in groups) == 101
    assert all(len(" OR ".join(f"cat:{c}" for c in group)) <= 200 for group, _ in groups)
    assert len(groups) == 8 and groups[-1] == (("stat.ML",), MONDAY_DEADLINE)
