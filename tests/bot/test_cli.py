"""The command line: help for every command, clear errors, and the data commands end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.__main__ import main

COMMANDS = [
    [],
    ["run"],
    ["demo"],
    ["db"],
    ["db", "upgrade"],
    ["db", "current"],
    ["ingest"],
    ["topic"],
    ["topic", "check"],
    ["digest"],
    ["digest", "preview"],
    ["list"],
    ["list", "export"],
]


@pytest.fixture(autouse=True)
def _scratch_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("PAPERBOT_DISCORD_TOKEN", "PAPERBOT_SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "paperbot")
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "usage: paperbot" in capsys.readouterr().out


def test_run_without_tokens_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "PAPERBOT_DISCORD_TOKEN" in err
    assert "PAPERBOT_SLACK_BOT_TOKEN" in err
    assert "paperbot demo" in err


def test_bad_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAPERBOT_TIMEZONE", "Nowhere/City")
    assert main(["db", "upgrade"]) == 2
    assert "PAPERBOT_TIMEZONE" in capsys.readouterr().err


def test_db_upgrade_then_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current"]) == 0
    assert "not migrated" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    revision = capsys.readouterr().out.split()[-1]
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip() == revision


def test_ingest_a_dump_and_check_a_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = tmp_path / "papers.jsonl"
    rows = [
        {
            "id": "2606.00001",
            "daily_file_date": "2026-06-23",
            "categories": ["cs.DC"],
            "authors": ["Ada Lovelace"],
            "title": "Serving LLMs with Paged KV Caches",
            "comment": "Accepted at OSDI 2026",
            "summary": "We serve models.",
        },
        {
            "id": "2606.00002",
            "daily_file_date": "2026-06-23",
            "categories": ["cs.CV"],
            "authors": ["Alan Turing"],
            "title": "Seeing Cats",
            "comment": None,
            "summary": "",
        },
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    assert main(["ingest", "--from-file", str(dump)]) == 0
    assert "stored 2 new" in capsys.readouterr().out
    assert main(["ingest", "--from-file", str(dump)]) == 0
    assert "(2 already known)" in capsys.readouterr().out

    assert main(["topic", "check", "ti:serving AND cat:cs.DC"]) == 0
    out = capsys.readouterr().out
    assert "understood as: ti:serving AND cat:cs.DC" in out
    assert "matches 1 of 2 papers" in out

    assert main(["topic", "check", "ti:serving AND (cat:cs.DC"]) == 1
    err = capsys.readouterr().err
    assert "'(' is never closed" in err
    assert "^" in err


def test_missing_dump_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--from-file", "nope.jsonl"]) == 1
    assert "nope.jsonl: no such file" in capsys.readouterr().err


def test_run_console_reads_commands_reactions_and_presses_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        "/paper topic-add serving ti:serving",
        "/paper subscribe serving",
        "press 9 Approve",
        "react 1 ⭐",
        "hello",
        "quit",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["run", "--console"]) == 0
    out = capsys.readouterr().out
    assert "Created topic serving" in out
    assert "Subscribed this channel to serving" in out
    assert "! no message 9" in out
    assert out.count("Type /paper commands") == 2  # once at start, once for "hello"
