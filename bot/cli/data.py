"""`paperbot db | ingest | topic check | digest preview | list export`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from rich.progress import Progress

from bot.app import open_store
from config import Settings
from digest import weekly
from digest.arxiv import ArxivApiSource
from digest.clock import SystemClock
from digest.ingest import IngestReport, harvest, read_corpus, store_papers
from digest.lists import export_bibtex, export_json, export_markdown, load_list
from digest.matching import Matcher
from digest.models import Paper, Subscription, Topic, Workspace
from digest.ports import Unit
from digest.query import QueryError
from digest.topics import check_rule
from storage.engine import create_engine
from storage.migrate import current_revision, upgrade
from storage.store import SqlStore


class CliError(Exception):
    """A problem the user of the command line can fix; printed without a traceback."""


async def db_upgrade(settings: Settings) -> int:
    """Migrate the configured database to the latest schema."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        print(f"database at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


async def db_current(settings: Settings) -> int:
    """Print the schema revision."""
    engine = create_engine(settings.database_url)
    try:
        print(await current_revision(engine) or "not migrated (run `paperbot db upgrade`)")
    finally:
        await engine.dispose()
    return 0


def _print_report(report: IngestReport) -> None:
    stored = report.stored
    print(
        f"stored {stored.inserted} new and {stored.updated} newer papers "
        f"({stored.unchanged} already known); {report.matches} new topic matches"
    )


async def ingest_file(settings: Settings, path: Path) -> int:
    """Load a JSONL dump."""
    if not await asyncio.to_thread(path.exists):
        raise CliError(f"{path}: no such file")
    store = await open_store(settings, SystemClock())
    try:
        with Progress(transient=True) as progress:
            task = progress.add_task(f"loading {path.name}", total=None)

            def counted() -> Iterator[Paper]:
                for paper in read_corpus(path):
                    progress.advance(task)
                    yield paper

            report = await store_papers(store, counted())
        _print_report(report)
    finally:
        await store.close()
    return 0


async def ingest_api(settings: Settings, since: date, categories: Sequence[str] | None) -> int:
    """Harvest the arXiv API since a date."""
    clock = SystemClock()
    store = await open_store(settings, clock)
    source = ArxivApiSource(
        settings.arxiv_api_url,
        settings.arxiv_page_size,
        settings.arxiv_delay_seconds,
        settings.arxiv_timeout_seconds,
    )
    try:
        start = datetime.combine(since, time(0), tzinfo=UTC)
        cats = list(categories or settings.arxiv_categories)
        print(
            f"harvesting {', '.join(cats)} since {since} (one request every "
            f"{settings.arxiv_delay_seconds:g} s, as arXiv asks)"
        )
        _print_report(await harvest(store, source, cats, start, clock.now()))
    finally:
        await store.close()
    return 0


async def topic_check(settings: Settings, rule: str, weeks: int) -> int:
    """Parse a rule and count what it matches."""
    store = await open_store(settings, SystemClock())
    try:
        async with store.unit() as unit:
            newest = await _newest_day(unit)
            check = await check_rule(unit, rule, newest, weeks)
    except QueryError as exc:
        print(rule, file=sys.stderr)
        print(" " * exc.position + "^", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    print(f"understood as: {check.normalised}")
    print(f"matches {check.matched} of {check.scanned} papers in the {weeks} weeks to {newest}")
    for title in check.sample:
        print(f"  e.g. {title}")
    return 0


async def _newest_day(unit: Unit) -> date:
    """The newest announcement day stored (today when nothing is)."""
    today = datetime.now(UTC).date()
    recent = await unit.papers.announced_between(today - timedelta(days=7), today)
    return max((p.announced for p in recent if p.announced), default=today)


async def _workspace(unit: Unit, wanted: str | None) -> Workspace:
    workspaces = await unit.workspaces.all()
    if wanted:
        workspaces = [w for w in workspaces if wanted in (w.external_id, w.name, str(w.id))]
    if not workspaces:
        raise CliError("no such workspace" if wanted else "no workspace yet: add the bot first")
    if len(workspaces) > 1:
        names = ", ".join(f"{w.external_id} ({w.name})" for w in workspaces)
        raise CliError(f"several workspaces; pick one with --workspace: {names}")
    return workspaces[0]


async def digest_preview(
    settings: Settings, topic_name: str, week: date | None, workspace_id: str | None
) -> int:
    """Print what the next digest of a topic would hold (or a past week's papers)."""
    clock = SystemClock()
    store = await open_store(settings, clock)
    try:
        async with store.unit() as unit:
            workspace = await _workspace(unit, workspace_id)
            topic = await unit.topics.get_by_name(workspace.id, topic_name)
            if topic is None:
                raise CliError(f"no topic {topic_name!r} in {workspace.name}")
            lines = await (
                _week_lines(unit, topic, week) if week else _next_lines(unit, workspace, topic)
            )
    finally:
        await store.close()
    print("\n".join(lines))
    return 0


async def _week_lines(unit: Unit, topic: Topic, week: date) -> list[str]:
    monday = week - timedelta(days=week.weekday())
    papers = await unit.papers.announced_between(monday, monday + timedelta(days=6))
    found = sorted(Matcher([topic]).match(papers), key=lambda m: -m.score)
    by_id = {p.arxiv_id: p for p in papers}
    head = f"{topic.name}, week of {monday}: {len(found)} of {len(papers)} papers match"
    return [head] + [f"  {m.score:5.1f}  {m.paper_id}  {by_id[m.paper_id].title}" for m in found]


async def _next_lines(unit: Unit, workspace: Workspace, topic: Topic) -> list[str]:
    now = datetime.now(UTC)
    subs = [s for s in await unit.subscriptions.all_active() if s.topic_id == topic.id]
    sub = subs[0] if subs else Subscription(0, workspace.id, "(preview)", topic.id)
    digest = await weekly.build_digest(unit, workspace.id, sub.channel_id, [sub], now)
    head = f"{topic.name}: next digest holds {len(digest.items)} papers"
    if digest.more_matched:
        head += f" (+{digest.more_matched} over the cap)"
    return [head] + [f"  {i.score:5.1f}  {i.paper.arxiv_id}  {i.paper.title}" for i in digest.items]


async def list_export(
    settings: Settings, fmt: str, style: str | None, workspace_id: str | None, output: Path | None
) -> int:
    """Export a workspace's list."""
    store: SqlStore = await open_store(settings, SystemClock())
    try:
        async with store.unit() as unit:
            workspace = await _workspace(unit, workspace_id)
            view = await load_list(unit, workspace.id, workspace.settings.list_title)
    finally:
        await store.close()
    if style not in (None, "llmsys"):
        raise CliError(f"unknown style {style!r}; this build writes: llmsys")
    text = {"md": export_markdown, "json": export_json, "bibtex": export_bibtex}[fmt](view)
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        print(f"wrote {len(view.entries)} entries to {output}")
    return 0
