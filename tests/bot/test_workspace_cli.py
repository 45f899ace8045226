"""A newcomer's first commands on a fresh database: the local workspace, `paperbot workspace
list`, `--workspace` among several, what a list import sets as title and style, and the
settings (`paperbot workspace settings`, chat's keys and checks)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.setting_keys import CLI_SETTING_KEYS, SETTING_CHOICES
from digest.clock import FixedClock
from digest.models import Platform
from storage.engine import create_engine
from storage.store import SqlStore
from tests.conftest import START

FIRST = """# Our reading list

## Serving
- [vLLM](https://arxiv.org/abs/2309.06180): PagedAttention
"""
SECOND = """# Another list

## Training

| Title | Link |
| --- | --- |
| ZeRO: Memory optimizations | [[paper]](https://arxiv.org/abs/1910.02054) |
"""


@pytest.fixture
def env(sqlite_database_url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", sqlite_database_url)
    return ["--env-file", "/dev/null"]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_list_and_digest_commands_work_on_a_fresh_database(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*env, "workspace", "list"]) == 0
    assert "no workspace yet" in capsys.readouterr().out
    assert main([*env, "list", "show"]) == 0
    assert capsys.readouterr().out.startswith("Paper list (llmsys style), 0 entries")
    assert main([*env, "list", "import", str(_write(tmp_path, "a.md", FIRST))]) == 0
    assert "added 1 entries" in capsys.readouterr().out
    assert main([*env, "list", "export", "--format", "json"]) == 0
    assert '"arxiv_id": "2309.06180"' in capsys.readouterr().out
    assert main([*env, "digest", "preview", "--topic", "serving"]) == 1
    assert "no topic 'serving' in local (topics: none yet)" in capsys.readouterr().err
    assert main([*env, "workspace", "list"]) == 0
    out = capsys.readouterr().out
    assert "#1 local local (local): 0 topics, 1 list entries, “Our reading list”" in out
    assert "the first Discord guild or Slack team adopts it" in out
    assert "commands act on it without --workspace" in out


async def _two_platforms(url: str) -> None:
    store = SqlStore(create_engine(url), FixedClock(START))
    async with store.unit() as unit:
        await unit.workspaces.get_or_create(Platform.DISCORD, "G1", "Lab")  # adopts it
        await unit.workspaces.get_or_create(Platform.SLACK, "T1", "Team")
    await store.close()


def test_several_workspaces_need_workspace_and_name_the_choices(
    env: list[str], sqlite_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*env, "list", "show"]) == 0  # makes the local workspace (and the schema)
    asyncio.run(_two_platforms(sqlite_database_url))
    capsys.readouterr()
    assert main([*env, "list", "show"]) == 1
    assert (
        "several workspaces; pick one with --workspace: #1 discord G1 (Lab), #2 slack T1 (Team)"
        in capsys.readouterr().err
    )
    assert main([*env, "list", "show", "--workspace", "nope"]) == 1
    assert "no workspace 'nope' (workspaces: #1 discord G1 (Lab)" in capsys.readouterr().err
    assert main([*env, "list", "show", "--workspace", "T1"]) == 0
    assert main([*env, "workspace", "list"]) == 0
    assert "commands need --workspace ID" in capsys.readouterr().out


def test_import_says_which_title_and_style_it_set(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _write(tmp_path, "a.md", FIRST)
    second = _write(tmp_path, "b.md", SECOND)
    assert main([*env, "list", "import", str(first)]) == 0
    assert (
        "list title: “Our reading list” (from this file, the first imported); "
        "style: llmsys (read from this file, the first imported)"
    ) in capsys.readouterr().out
    assert main([*env, "list", "import", str(second)]) == 0
    out = capsys.readouterr().out
    assert "b.md: table style" in out
    assert (
        "list title: “Our reading list” (kept; --title sets another); "
        "style: llmsys (kept, this file is table; --style sets another)"
    ) in out
    third = _write(tmp_path, "c.md", SECOND.replace("ZeRO", "ZeRO-2").replace("1910", "2001"))
    args = ["--title", "Lab papers", "--style", "bracket-venue"]
    assert main([*env, "list", "import", str(third), *args]) == 0
    assert "list title: “Lab papers” (--title); style: bracket-venue (--style)" in (
        capsys.readouterr().out
    )
    assert main([*env, "list", "show"]) == 0
    assert capsys.readouterr().out.startswith("Lab papers (bracket-venue style), 3 entries")
    assert main([*env, "list", "import", str(third), "--title", " "]) == 1
    assert "--title takes 1 to 200 characters" in capsys.readouterr().err


async def _ranking(url: str) -> str:
    store = SqlStore(create_engine(url), FixedClock(START))
    async with store.unit() as unit:
        workspace = (await unit.workspaces.all())[0]
    await store.close()
    return workspace.settings.ranking


def test_the_ranking_is_set_from_the_command_line_as_in_chat(
    env: list[str], sqlite_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*env, "workspace", "settings"]) == 0
    out = capsys.readouterr().out
    assert "ranking: learned (by what the list keeps, from 20 entries on)" in out
    assert main([*env, "workspace", "settings", "ranking", "rule"]) == 0
    assert "ranking: rule (match score, then votes, then date)" in (capsys.readouterr().out)
    assert asyncio.run(_ranking(sqlite_database_url)) == "rule"
    # Chat's own check of the value, word for word.
    assert main([*env, "workspace", "settings", "ranking", "best"]) == 1
    assert "ranking is `rule` or `learned`." in capsys.readouterr().err
    assert main([*env, "workspace", "settings", "ranking"]) == 1
    assert "give a value: paperbot workspace settings ranking VALUE" in capsys.readouterr().err
    assert main([*env, "workspace", "settings", "ranking", "LEARNED"]) == 0
    assert asyncio.run(_ranking(sqlite_database_url)) == "learned"


def test_the_settings_help_names_every_key_chat_has_and_the_rankings(
    env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([*env, "workspace", "settings", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "ranking: `learned` orders digests by what the group keeps" in out
    assert "`rule` by the rule's match score" in out
    # Every chat setting but `publish` (the command line has `paperbot list publish`).
    assert set(CLI_SETTING_KEYS) == set(SETTING_CHOICES) - {"publish"}
    assert all(key in out for key in CLI_SETTING_KEYS)
