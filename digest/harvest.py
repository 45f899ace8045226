"""Harvest arXiv by announcement windows, so that no paper is missed and none is stored twice.

A window is one arXiv mailing: the papers whose latest version was submitted between two
consecutive deadlines (14:00 US/Eastern). The API is queried by lastUpdatedDate for that range,
which is exactly the set the mailing announced: a paper submitted on Friday afternoon lies in the
window that closes on Monday at 14:00 and goes out that evening, however late it shows up.

The API's index lags the announcement, sometimes by hours. A window is therefore read once its
mailing is `lag` old (so digests are timely) and read again once it is `settle` old; the
watermark of a category (the end of its last settled window) moves only after that second read
has stored every page. A crash, an error or a fault of arXiv leaves the watermark where it was,
and the next run reads the same windows again; upserts make that harmless. A re-read stops after
its first page when that page brings nothing new and the store already holds as many papers of
the window as the API reports, which is the usual case and costs one request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from digest.announcements import (
    deadline_at_or_before,
    deadline_of_listing,
    deadlines_between,
    last_mailed_deadline,
    listing_of,
    mailing_of,
)
from digest.arxiv import category_query
from digest.ingest import IngestReport, compile_topics, store_papers
from digest.matching import Matcher
from digest.models import Topic
from digest.ports import PaperSource, SourcePage, Store, UpsertResult
from digest.query import QueryError, parse, terms_of
from digest.taxonomy import has_subcategories

log = logging.getLogger(__name__)


class HarvestError(RuntimeError):
    """The API's answer contradicts what is stored (for example, an empty window we hold)."""


@dataclass(frozen=True, slots=True)
class HarvestPolicy:
    """When windows are read and when they count as done."""

    lag: timedelta = timedelta(minutes=30)
    settle: timedelta = timedelta(hours=24)
    backfill: timedelta = timedelta(days=7)


# The longest search query one request sends (arXiv answers far longer ones, but a URL under
# about 2,000 characters passes every proxy): categories beyond it go in a second query.
MAX_QUERY_CHARS = 1000


@dataclass(frozen=True, slots=True)
class HarvestWindow:
    """One mailing of some categories: their papers last updated in [start, end)."""

    categories: tuple[str, ...]
    start: datetime
    end: datetime
    listing: date
    settled: bool

    @property
    def label(self) -> str:
        """The categories as a person reads them: `cs.DC, cs.LG`."""
        return ", ".join(self.categories)


@dataclass(frozen=True, slots=True)
class HarvestFailure:
    """A window that could not be harvested; its category's watermark stayed put."""

    category: str
    listing: date
    error: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class HarvestReport:
    """What a harvest stored and matched, how many requests it made, and what failed."""

    ingested: IngestReport
    windows: int = 0
    pages: int = 0
    stopped_early: int = 0
    failures: tuple[HarvestFailure, ...] = ()

    @property
    def stored(self) -> UpsertResult:
        """The upsert totals."""
        return self.ingested.stored

    @property
    def matches(self) -> int:
        """New topic matches."""
        return self.ingested.matches


class HarvestProgress:
    """Hooks a caller (the CLI's progress bar) gets while a harvest runs; these do nothing."""

    def planned(self, windows: Sequence[HarvestWindow]) -> None:
        """Every window this run will read, before the first request."""

    def page(self, window: HarvestWindow, page: SourcePage, stored: IngestReport) -> None:
        """One page was stored."""

    def window_done(self, window: HarvestWindow) -> None:
        """A window was read (fully or up to an early stop)."""


def harvest_category(text: str) -> str:
    """A category as the API wants it: `cs.dc` -> `cs.DC`, an archive `cs` -> `cs.*`."""
    archive, dot, subject = text.strip().partition(".")
    archive = archive.lower()
    if not dot:
        # An archive split into categories (`cat:cs` in a rule) means every one of them.
        return f"{archive}.*" if has_subcategories(archive) else archive
    return f"{archive}.{subject.upper() if len(subject) == 2 else subject.lower()}"


def categories_for_topics(topics: Iterable[Topic]) -> set[str]:
    """The categories the topics' rules name (`cat:` terms), as the API spells them."""
    found: set[str] = set()
    for topic in topics:
        try:
            node = parse(topic.rule)
        except QueryError as exc:
            log.warning("topic %s has a rule that does not parse: %s", topic.name, exc)
            continue
        found.update(harvest_category(t.words[0]) for t in terms_of(node) if t.field == "cat")
    return found


def first_window_start(since: date) -> datetime:
    """The start of the window of the first listing on or after `since`."""
    return deadline_at_or_before(deadline_of_listing(since) - timedelta(seconds=1))


def plan_windows(
    categories: str | Sequence[str], start: datetime, now: datetime, policy: HarvestPolicy
) -> list[HarvestWindow]:
    """The windows from `start` to the last mailing the API has had `lag` to index, oldest first."""
    together = (categories,) if isinstance(categories, str) else tuple(categories)
    last = last_mailed_deadline(now, policy.lag)
    windows = []
    for deadline in deadlines_between(start, last):
        settled = mailing_of(deadline) + policy.settle <= now
        windows.append(HarvestWindow(together, start, deadline, listing_of(deadline), settled))
        start = deadline
    return windows


def query_groups(
    starts: dict[str, datetime], limit: int = MAX_QUERY_CHARS
) -> list[tuple[tuple[str, ...], datetime]]:
    """Categories that start at the same instant, in groups whose OR'd query fits `limit`.

    Categories harvested together share their windows: one query per window for all of them,
    not one per category (after a first run every category's watermark is the same).
    """
    by_start: dict[datetime, list[str]] = {}
    for category, start in starts.items():
        by_start.setdefault(start, []).append(category)
    groups: list[tuple[tuple[str, ...], datetime]] = []
    for start, categories in sorted(by_start.items()):
        group: list[str] = []
        for category in sorted(categories):
            if group and len(category_query([*group, category])) > limit:
                groups.append((tuple(group), start))
                group = []
            group.append(category)
        groups.append((tuple(group), start))
    return groups


async def _closed(pages: AsyncIterator[SourcePage]) -> None:
    close = getattr(pages, "aclose", None)
    if close is not None:
        await close()


@dataclass
class _WindowResult:
    report: IngestReport
    pages: int = 0
    stopped_early: bool = False


async def harvest_window(
    store: Store,
    source: PaperSource,
    window: HarvestWindow,
    matcher: Matcher,
    progress: HarvestProgress | None = None,
) -> _WindowResult:
    """Store every page of one window (newest first), stopping once nothing new can follow."""
    result = _WindowResult(IngestReport(UpsertResult(), 0))
    pages = source.window(list(window.categories), window.start, window.end)
    try:
        async for page in pages:
            result.pages += 1
            got = await store_papers(store, page.papers, matcher=matcher)
            result.report = result.report + got
            if progress:
                progress.page(window, page, result.report)
            if got.stored.inserted or got.stored.updated:
                continue
            async with store.unit() as unit:
                held = await unit.papers.count_updated_between(
                    window.categories, window.start, window.end
                )
            if page.total == 0 and held:
                raise HarvestError(
                    f"the API reports no papers in {window.label} for {window.listing}, "
                    f"where {held} are stored; treating it as one of its empty answers"
                    + (f" ({page.url})" if page.url else "")
                )
            if page.start + len(page.papers) < page.total and held >= page.total:
                result.stopped_early = True
                break
    finally:
        await _closed(pages)
    return result


async def harvest(
    store: Store,
    source: PaperSource,
    categories: Iterable[str],
    now: datetime,
    policy: HarvestPolicy | None = None,
    since: date | None = None,
    progress: HarvestProgress | None = None,
) -> HarvestReport:
    """Harvest each category's windows from its watermark (or `since`) up to the last mailing.

    Categories at the same watermark are read together, one query a window. A window that
    fails is reported for each of its categories, which stop there (their watermarks stay
    before it); the other categories go on.
    """
    policy = policy or HarvestPolicy()
    progress = progress or HarvestProgress()
    wanted = sorted({harvest_category(c) for c in categories})
    matcher = await compile_topics(store)
    async with store.unit() as unit:
        marks = await unit.harvest.all()
    starts: dict[str, datetime] = {}
    for category in wanted:
        start = marks.get(category)
        if since is not None:
            start = first_window_start(since)
        elif start is None:
            start = first_window_start((now - policy.backfill).date())
        starts[category] = start
    plans = [
        (group, plan_windows(group, start, now, policy)) for group, start in query_groups(starts)
    ]
    progress.planned([w for _, plan in plans for w in plan])

    total = IngestReport(UpsertResult(), 0)
    windows = pages = early = 0
    failures: list[HarvestFailure] = []
    for group, plan in plans:
        for window in plan:
            try:
                result = await harvest_window(store, source, window, matcher, progress)
            except RuntimeError as exc:
                url = str(getattr(exc, "url", ""))
                log.error("harvest of %s for %s failed: %s", window.label, window.listing, exc)
                failures += (HarvestFailure(c, window.listing, str(exc), url) for c in group)
                break
            finally:
                progress.window_done(window)
            total = total + result.report
            windows += 1
            pages += result.pages
            early += result.stopped_early
            if window.settled:
                moved = [c for c in group if (m := marks.get(c)) is None or window.end > m]
                if moved:
                    async with store.unit() as unit:
                        for category in moved:
                            await unit.harvest.set_watermark(category, window.end)
                    marks.update(dict.fromkeys(moved, window.end))
    return HarvestReport(total, windows, pages, early, tuple(failures))
