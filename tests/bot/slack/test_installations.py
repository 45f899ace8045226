"""slack-sdk's async SQLAlchemy stores on our own async engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.slack.oauth import installation_store, state_store
from storage.engine import create_engine
from storage.tables import SLACK_OAUTH_STATES


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_url)
    yield engine
    await engine.dispose()


def _installation(team: str, token: str, installed_at: float) -> Installation:
    return Installation(
        app_id="A0PAPER",
        team_id=team,
        team_name=team.lower(),
        bot_token=token,
        bot_id="B" + team,
        bot_user_id="U" + team,
        bot_scopes="chat:write,commands",
        user_id="UINSTALLER",
        installed_at=installed_at,
    )


async def test_installations_are_kept_per_workspace_and_the_newest_wins(
    engine: AsyncEngine,
) -> None:
    store = installation_store(engine, "111.222")
    await store.async_save(_installation("T1", "xoxb-one-old", 1_780_000_000.5))
    await store.async_save(_installation("T1", "xoxb-one", 1_780_000_100.25))
    await store.async_save(_installation("T2", "xoxb-two", 1_780_000_050.0))
    first = await store.async_find_bot(enterprise_id=None, team_id="T1")
    second = await store.async_find_installation(enterprise_id=None, team_id="T2")
    assert first is not None and second is not None
    assert (first.bot_token, second.bot_token) == ("xoxb-one", "xoxb-two")
    # Naive UTC in the table, the same instant back (not shifted by a server's time zone).
    assert first.installed_at == 1_780_000_100.25
    assert second.bot_scopes == ["chat:write", "commands"]
    # Another app (client id) on the same database sees none of them.
    assert (
        await installation_store(engine, "999.999").async_find_bot(enterprise_id=None, team_id="T1")
        is None
    )


async def test_saving_the_same_installation_twice_updates_it(engine: AsyncEngine) -> None:
    store = installation_store(engine, "111.222")
    await store.async_save(_installation("T1", "xoxb-a", 1_780_000_000.0))
    await store.async_save(_installation("T1", "xoxb-b", 1_780_000_000.0))
    async with engine.connect() as connection:
        rows = (await connection.execute(select(store.installations.c.bot_token))).all()
    assert [row.bot_token for row in rows] == ["xoxb-b"]


async def test_uninstalling_deletes_the_workspace_only(engine: AsyncEngine) -> None:
    store = installation_store(engine, "111.222")
    await store.async_save(_installation("T1", "xoxb-one", 1_780_000_000.0))
    await store.async_save(_installation("T2", "xoxb-two", 1_780_000_000.0))
    await store.async_delete_installation(enterprise_id=None, team_id="T1")
    await store.async_delete_bot(enterprise_id=None, team_id="T1")
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is not None


async def test_an_install_state_is_consumed_once(engine: AsyncEngine) -> None:
    states = state_store(engine)
    state = await states.async_issue()
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False
    assert await states.async_consume("never-issued") is False


async def test_an_expired_install_state_is_refused(engine: AsyncEngine) -> None:
    states = state_store(engine)
    state = await states.async_issue()
    past = datetime.fromtimestamp(time.time() - 1, tz=UTC).replace(tzinfo=None)
    async with engine.begin() as connection:
        await connection.execute(SLACK_OAUTH_STATES.update().values(expire_at=past))
    assert await states.async_consume(state) is False
