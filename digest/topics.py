"""Creating, editing and checking topics; a new or edited rule is matched against the backlog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from digest.matching import Matcher
from digest.models import Topic
from digest.ports import Unit
from digest.query import ApiQuery, api_query, parse, render

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class TopicError(ValueError):
    """A topic request that cannot be done; the message says why."""


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


async def match_backlog(unit: Unit, topic: Topic, since: date, until: date) -> int:
    """Match one topic against papers announced since `since`; returns new matches."""
    papers = await unit.papers.announced_between(since, until)
    return await unit.matches.add_many(Matcher([topic]).match(papers))


async def create_topic(
    unit: Unit,
    workspace_id: int,
    name: str,
    rule: str,
    created_by: str | None,
    today: date,
    backlog_weeks: int,
    description: str = "",
) -> tuple[Topic, int]:
    """Save a new topic (its rule must parse) and match it against the recent backlog."""
    name = check_name(name)
    parse(rule)
    if await unit.topics.get_by_name(workspace_id, name) is not None:
        raise TopicError(f"There is already a topic `{name}`; change it with `/paper topic-edit`.")
    topic = await unit.topics.create(workspace_id, name, rule.strip(), description, created_by)
    found = await match_backlog(unit, topic, today - timedelta(weeks=backlog_weeks), today)
    return topic, found


async def edit_topic(
    unit: Unit, workspace_id: int, name: str, rule: str, today: date, backlog_weeks: int
) -> tuple[Topic, int]:
    """Change a topic's rule, forget its old matches, and re-match the backlog."""
    parse(rule)
    topic = await find_topic(unit, workspace_id, name)
    if topic is None:
        raise TopicError(f"There is no topic `{name}`. See `/paper topics`.")
    topic = await unit.topics.update_rule(topic.id, rule.strip(), None)
    await unit.matches.delete_for_topic(topic.id)
    found = await match_backlog(unit, topic, today - timedelta(weeks=backlog_weeks), today)
    return topic, found


async def check_rule(unit: Unit, rule: str, today: date, weeks: int) -> RuleCheck:
    """Parse a rule and count its matches in the last `weeks` weeks (raises QueryError)."""
    node = parse(rule)
    probe = Topic(id=0, workspace_id=0, name="check", rule=rule)
    papers = await unit.papers.announced_between(today - timedelta(weeks=weeks), today)
    found = Matcher([probe]).match(papers)
    titles = {p.arxiv_id: p.title for p in papers}
    best = sorted(found, key=lambda m: -m.score)[:3]
    sample = tuple(titles[m.paper_id] for m in best)
    return RuleCheck(render(node), api_query(node), len(found), len(papers), sample)
