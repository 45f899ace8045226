"""Creating, editing and checking topics; a new or edited rule is matched against the backlog."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from digest.matching import Matcher
from digest.models import Match, Paper, Topic
from digest.offload import Offload, inline
from digest.ports import Unit
from digest.query import ApiQuery, api_query, parse, render

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# Papers matched between two looks at the CPU budget: one look costs far less than one paper.
CHECK_EVERY = 100


class TopicError(ValueError):
    """A topic request that cannot be done; the message says why."""


class RuleTooCostly(TopicError):
    """A rule whose matching over the backlog used up its CPU budget before it finished."""


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """How a rule was understood and how much of the backlog it matches."""

    normalised: str
    api: ApiQuery
    matched: int
    scanned: int
    sample: tuple[str, ...]


def topic_key(name: str) -> str:
    """How topic names are stored and looked up: trimmed and lower-case."""
    return name.strip().lower()


async def find_topic(unit: Unit, workspace_id: int, name: str) -> Topic | None:
    """A workspace's topic by name, whatever case the user typed it in."""
    return await unit.topics.get_by_name(workspace_id, topic_key(name))


def check_name(name: str) -> str:
    """A valid topic name (lower-case letters, digits, dot, dash, underscore)."""
    name = topic_key(name)
    if not NAME.match(name):
        raise TopicError(
            f"`{name}` is not a usable topic name: use lower-case letters, digits and dashes, "
            "like `llm-serving` (at most 64 characters)."
        )
    return name


@dataclass(frozen=True, slots=True)
class ScanPart:
    """What matching a rule against some papers found, and the CPU time it took."""

    matches: tuple[Match, ...]
    scanned: int
    cpu_seconds: float
    finished: bool


def match_part(rule: str, papers: Sequence[Paper], cpu_left: float | None = None) -> ScanPart:
    """Match a rule (as topic 0) against papers; stop once it has used `cpu_left` CPU seconds.

    Pure and picklable, so a process pool can run it. CPU time of this thread, not wall time,
    so a busy machine does not make a rule look costlier than it is.
    """
    start = time.thread_time()
    matcher = Matcher([Topic(id=0, workspace_id=0, name="scan", rule=rule)])
    found: list[Match] = []
    for offset in range(0, len(papers), CHECK_EVERY):
        spent = time.thread_time() - start
        if cpu_left is not None and spent > cpu_left:
            return ScanPart(tuple(found), offset, spent, False)
        found += matcher.match(papers[offset : offset + CHECK_EVERY])
    return ScanPart(tuple(found), len(papers), time.thread_time() - start, True)


@dataclass(frozen=True, slots=True)
class Scan:
    """A rule's matches over a window of the backlog (for topic 0), and how many papers it read."""

    matches: tuple[Match, ...]
    scanned: int


async def scan_backlog(
    unit: Unit,
    rule: str,
    since: date,
    until: date,
    run: Offload = inline,
    budget: float | None = None,
) -> Scan:
    """Match a rule against the papers announced since..until, a day at a time through `run`.

    Raises RuleTooCostly once the matching has used `budget` CPU seconds: a rule that would
    hold a worker for ten seconds is refused, not run (None: no limit). Reading a day at a time
    keeps each read short, so other requests are served in between.
    """
    found: list[Match] = []
    scanned = 0
    spent = 0.0
    day = since
    while day <= until:
        papers = await unit.papers.matchable_between(day, day)
        day += timedelta(days=1)
        if not papers:
            continue
        part = await run(match_part, rule, papers, None if budget is None else budget - spent)
        found += part.matches
        scanned += part.scanned
        spent += part.cpu_seconds
        if not part.finished:
            raise RuleTooCostly(
                f"That rule is too costly to match: it used its {budget:g} s budget on "
                f"{scanned:,} papers before finishing. Make it narrower (a cat: term, fewer "
                "OR'd words or prefixes, longer prefixes) and try again."
            )
    return Scan(tuple(found), scanned)


async def _store_matches(unit: Unit, topic: Topic, scan: Scan) -> int:
    """Save a scan's matches as the topic's; returns how many were new."""
    return await unit.matches.add_many([m._replace(topic_id=topic.id) for m in scan.matches])


async def create_topic(
    unit: Unit,
    workspace_id: int,
    name: str,
    rule: str,
    created_by: str | None,
    today: date,
    backlog_weeks: int,
    description: str = "",
    run: Offload = inline,
    budget: float | None = None,
) -> tuple[Topic, int]:
    """Save a new topic (its rule must parse) matched against the recent backlog.

    The backlog is matched (through `run`, within `budget`) before anything is written, so a
    refused rule saves nothing and no write lock is held while it is matched.
    """
    name = check_name(name)
    rule = rule.strip()
    parse(rule)
    if await unit.topics.get_by_name(workspace_id, name) is not None:
        raise TopicError(f"There is already a topic `{name}`; change it with `/paper topic-edit`.")
    since = today - timedelta(weeks=backlog_weeks)
    scan = await scan_backlog(unit, rule, since, today, run, budget)
    topic = await unit.topics.create(workspace_id, name, rule, description, created_by)
    return topic, await _store_matches(unit, topic, scan)


async def edit_topic(
    unit: Unit,
    workspace_id: int,
    name: str,
    rule: str,
    today: date,
    backlog_weeks: int,
    run: Offload = inline,
    budget: float | None = None,
) -> tuple[Topic, int]:
    """Change a topic's rule, forget its old matches, and re-match the backlog (as create)."""
    rule = rule.strip()
    parse(rule)
    topic = await find_topic(unit, workspace_id, name)
    if topic is None:
        raise TopicError(f"There is no topic `{name}`. See `/paper topics`.")
    scan = await scan_backlog(
        unit, rule, today - timedelta(weeks=backlog_weeks), today, run, budget
    )
    topic = await unit.topics.update_rule(topic.id, rule, None)
    await unit.matches.delete_for_topic(topic.id)
    return topic, await _store_matches(unit, topic, scan)


async def check_rule(
    unit: Unit,
    rule: str,
    today: date,
    weeks: int,
    run: Offload = inline,
    budget: float | None = None,
) -> RuleCheck:
    """Parse a rule and count its matches in the last `weeks` weeks (raises QueryError)."""
    node = parse(rule)
    scan = await scan_backlog(unit, rule, today - timedelta(weeks=weeks), today, run, budget)
    best = sorted(scan.matches, key=lambda m: -m.score)[:3]
    titles = await unit.papers.get_many(m.paper_id for m in best)
    sample = tuple(titles[m.paper_id].title for m in best)
    return RuleCheck(render(node), api_query(node), len(scan.matches), scan.scanned, sample)
