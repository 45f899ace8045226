"""`/paper topic-add`, `-edit`, `-remove` and `-check`: rules are checked, errors are friendly."""

from __future__ import annotations

from bot.handlers import Handlers
from bot.ports import ChannelRef, Invocation, UserRef
from bot.rich_text import bold, text
from digest.clock import FixedClock
from digest.ingest import store_papers
from digest.models import Platform
from storage.store import SqlStore
from tests.factories import make_paper

CHANNEL = ChannelRef(Platform.CONSOLE, "guild-1", "papers", "papers", "Lab")
ADMIN = UserRef("admin", "Ada", platform_admin=True)


def _invoke(command: str, **options: str) -> Invocation:
    return Invocation(CHANNEL, ADMIN, command, options)


async def test_topic_add_shows_the_normalised_rule_and_backlog_matches(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    await store_papers(sqlite_store, [make_paper(title="Serving MoE models")])
    handlers = Handlers(sqlite_store, clock)
    reply = await handlers.command(_invoke("topic-add", name="moe", rule="MoE cat:cs.DC"))
    assert "`all:moe AND cat:cs.DC`" in reply.text
    assert "matches 1 paper of the last 4 weeks" in reply.text


async def test_a_bad_rule_gets_a_caret_under_its_position(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = Handlers(sqlite_store, clock)
    reply = await handlers.command(_invoke("topic-add", name="moe", rule="MoE AND (cat:cs.DC"))
    assert reply.ephemeral
    assert "this '(' is never closed (at character 9)" in reply.text
    assert "MoE AND (cat:cs.DC\n        ^" in reply.text
    reply = await handlers.command(_invoke("topics"))
    assert "No topics yet" in reply.text


async def test_topic_edit_refuses_an_unknown_category_with_a_suggestion(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = Handlers(sqlite_store, clock)
    await handlers.command(_invoke("topic-add", name="dc", rule="cat:cs.DC"))
    reply = await handlers.command(_invoke("topic-edit", topic="dc", rule="cat:cs.LGG"))
    assert "did you mean `cs.LG`?" in reply.text
    reply = await handlers.command(_invoke("topics"))
    assert "`cat:cs.DC`" in reply.text  # the old rule stays


async def test_topic_check_shows_the_api_query(sqlite_store: SqlStore, clock: FixedClock) -> None:
    handlers = Handlers(sqlite_store, clock)
    reply = await handlers.command(_invoke("topic-check", rule="au:stoica_i ANDNOT vision"))
    assert 'Understood as `au:"stoica i" ANDNOT all:vision`' in reply.text
    assert "arXiv API query: `au:stoica_i ANDNOT all:vision`" in reply.text


async def test_topic_remove_names_the_topic_as_stored(
    sqlite_store: SqlStore, clock: FixedClock
) -> None:
    handlers = Handlers(sqlite_store, clock)
    await handlers.command(_invoke("topic-add", name="moe", rule="MoE"))
    reply = await handlers.command(_invoke("topic-remove", topic="MoE"))
    assert reply.body == text("Removed topic ", bold("moe"), " and its subscriptions.")
    reply = await handlers.command(_invoke("topics"))
    assert "No topics yet" in reply.text
