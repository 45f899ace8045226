"""`/paper settings ranking rule|learned`: admins choose how their digests order papers."""

from __future__ import annotations

from bot.handlers import Handlers
from bot.ports import ChannelRef, Invocation, UserRef
from digest.clock import FixedClock
from digest.models import Platform
from storage.store import SqlStore

CHANNEL = ChannelRef(Platform.CONSOLE, "lab", "papers", workspace_name="Lab")
ADA = UserRef("ada", "Ada")
ADMIN = UserRef("root", "Root", platform_admin=True)


def _settings(user: UserRef, **options: str) -> Invocation:
    return Invocation(CHANNEL, user, "settings", options)


async def _ranking(store: SqlStore) -> str:
    async with store.unit() as unit:
        (workspace,) = await unit.workspaces.all()
    return workspace.settings.ranking


async def test_admins_switch_the_ranking(sqlite_store: SqlStore, clock: FixedClock) -> None:
    handlers = Handlers(sqlite_store, clock)
    shown = await handlers.command(_settings(ADMIN))
    assert "ranking: learned (by what the list keeps, from 20 entries on)" in shown.text
    rule = await handlers.command(_settings(ADMIN, key="ranking", value="Rule"))
    assert "ranking: rule (match score, then votes, then date)" in rule.text
    assert await _ranking(sqlite_store) == "rule"
    refused = await handlers.command(_settings(ADA, key="ranking", value="learned"))
    assert "Only admins" in refused.text
    bad = await handlers.command(_settings(ADMIN, key="ranking", value="magic"))
    assert bad.text == "ranking is `rule` or `learned`."
    assert await _ranking(sqlite_store) == "rule"
    await handlers.command(_settings(ADMIN, key="ranking", value="learned"))
    assert await _ranking(sqlite_store) == "learned"
