"""The local workspace (the command line's, on a fresh database) is adopted by the first Discord
guild or Slack team, with its list, topics and settings; later ones get their own: both engines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from digest.clock import FixedClock
from digest.models import Platform, WorkspaceSettings
from storage.store import SqlStore


async def _local_with_a_list(store: SqlStore, clock: FixedClock) -> int:
    async with store.unit() as unit:
        local = await unit.workspaces.get_or_create(Platform.LOCAL, "local", "local")
        await unit.workspaces.update_settings(
            local.id, replace(local.settings, list_title="Our list", list_style="table")
        )
        section = await unit.lists.add_section(local.id, "Serving", None)
        await unit.lists.add_entry(
            local.id, section.id, "vLLM", clock.now(), external_url="https://example.org/vllm"
        )
        await unit.topics.create(local.id, "serving", "ti:serving", "", "cli")
    return local.id


@pytest.mark.parametrize("platform", [Platform.DISCORD, Platform.SLACK])
async def test_the_first_guild_or_team_adopts_the_local_workspace(
    store: SqlStore, clock: FixedClock, platform: Platform
) -> None:
    local_id = await _local_with_a_list(store, clock)
    async with store.unit() as unit:
        adopted = await unit.workspaces.get_or_create(
            platform, "G1", "Lab", WorkspaceSettings(timezone="Europe/Berlin")
        )
        again = await unit.workspaces.get_or_create(platform, "G1", "Lab")
        second = await unit.workspaces.get_or_create(platform, "G2", "Other lab")
    assert adopted.id == again.id == local_id != second.id
    assert (adopted.platform, adopted.external_id, adopted.name) == (platform, "G1", "Lab")
    assert (adopted.settings.list_title, adopted.settings.list_style) == ("Our list", "table")
    async with store.unit() as unit:
        assert [w.platform for w in await unit.workspaces.all()] == [platform, platform]
        assert [e.title for e in await unit.lists.entries(adopted.id)] == ["vLLM"]
        assert [s.title for s in await unit.lists.sections(adopted.id)] == ["Serving"]
        assert [t.name for t in await unit.topics.list(adopted.id)] == ["serving"]
        assert await unit.lists.entries(second.id) == []


async def test_the_console_and_a_second_platform_do_not_adopt(
    store: SqlStore, clock: FixedClock
) -> None:
    local_id = await _local_with_a_list(store, clock)
    async with store.unit() as unit:
        console = await unit.workspaces.get_or_create(Platform.CONSOLE, "console", "console")
        assert console.id != local_id
        slack = await unit.workspaces.get_or_create(Platform.SLACK, "T1", "Team")
        assert slack.id == local_id
        discord = await unit.workspaces.get_or_create(Platform.DISCORD, "G1", "Guild")
    assert discord.id not in (local_id, console.id)


async def test_no_adoption_once_a_guild_exists(store: SqlStore, clock: FixedClock) -> None:
    async with store.unit() as unit:
        guild = await unit.workspaces.get_or_create(Platform.DISCORD, "G1", "Guild")
    local_id = await _local_with_a_list(store, clock)
    async with store.unit() as unit:
        team = await unit.workspaces.get_or_create(Platform.SLACK, "T1", "Team")
        local = await unit.workspaces.get(local_id)
    assert team.id not in (guild.id, local_id)
    assert local is not None
    assert local.platform == Platform.LOCAL
