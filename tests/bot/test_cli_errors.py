"""The command line's own mistakes and the user's, each one clear line: a closed pipe, a missing
--env-file, half a Slack token pair, --weeks 0, an unknown category, an unreachable database;
and help text on every command and option."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import build_parser, main
from config import ConfigError, load_settings

PAPERBOT = [sys.executable, "-c", "import sys; from bot.__main__ import main; sys.exit(main())"]


def test_a_reader_that_stops_reading_ends_no_traceback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*PAPERBOT, "--env-file", "/dev/null", "slack-manifest"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # as `| head` does once it has its lines
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in err
    assert "BrokenPipeError" not in err


def test_a_named_env_file_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here, and none is needed
    missing = tmp_path / "prod.env"
    assert main(["--env-file", str(missing), "workspace", "list"]) == 2
    assert capsys.readouterr().err.strip() == f"paperbot: --env-file {missing}: no such file"
    assert main(["workspace", "list"]) == 0


@pytest.mark.parametrize(
    ("variables", "told"),
    [
        (
            {"BOT_TOKEN": "xoxb-1"},
            "PAPERBOT_SLACK_BOT_TOKEN is set, but not PAPERBOT_SLACK_APP_TOKEN (Socket Mode) or "
            "PAPERBOT_SLACK_SIGNING_SECRET (HTTP)",
        ),
        (
            {"APP_TOKEN": "xapp-1"},
            "PAPERBOT_SLACK_APP_TOKEN is set, but not PAPERBOT_SLACK_BOT_TOKEN (Socket Mode "
            "needs it too)",
        ),
        (
            {"SIGNING_SECRET": "s"},
            "PAPERBOT_SLACK_SIGNING_SECRET is set, but not PAPERBOT_SLACK_BOT_TOKEN (HTTP mode "
            "needs it too)",
        ),
        (
            {"CLIENT_ID": "1.2", "SIGNING_SECRET": "s"},
            "are set, but not PAPERBOT_SLACK_CLIENT_SECRET (HTTP mode for many workspaces",
        ),
    ],
)
def test_half_a_slack_pair_names_what_is_missing(
    variables: dict[str, str],
    told: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in variables.items():
        monkeypatch.setenv(f"PAPERBOT_SLACK_{name}", value)
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    assert main(["--env-file", "/dev/null", "run"]) == 2
    err = capsys.readouterr().err
    assert told in err
    assert "none is configured" not in err


def test_slack_complete_or_absent_is_not_incomplete(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(env_file=None).slack_incomplete is None
    monkeypatch.setenv("PAPERBOT_SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("PAPERBOT_SLACK_APP_TOKEN", "xapp-1")
    assert load_settings(env_file=None).slack_incomplete is None


@pytest.mark.parametrize("weeks", ["0", "-1", "521", "four"])
def test_weeks_must_be_1_to_520(weeks: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["topic", "check", "ti:moe", "--weeks", weeks])
    assert exit_.value.code == 2
    assert "is not a number of weeks from 1 to 520" in capsys.readouterr().err


def test_categories_are_checked_against_the_taxonomy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.DC,cs.LGG")
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert "PAPERBOT_ARXIV_CATEGORIES" in str(error.value)
    assert "unknown arXiv category 'cs.LGG'; did you mean `cs.LG`?" in str(error.value)
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.DC, cs, math.OC")
    assert load_settings(env_file=None).arxiv_categories == ("cs.DC", "cs", "math.OC")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://bob:s3cret-pw@127.0.0.1:1/nowhere",
            "cannot use the database at postgresql+psycopg://bob:***@127.0.0.1:1/nowhere: ",
        ),
        (
            "sqlite+aiosqlite:////proc/no-such-folder/p.db",
            "cannot use the database at sqlite+aiosqlite:////proc/no-such-folder/p.db: ",
        ),
    ],
)
def test_an_unreachable_database_is_one_line(
    url: str,
    shown: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", url)
    assert main(["--env-file", "/dev/null", "list", "show"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("paperbot: " + shown)
    assert err.count("\n") == 1
    assert "s3cret" not in err
    assert "Traceback" not in err


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser, str | None]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                found.append(((*path, name), sub, helps.get(name)))
                found += _parsers(sub, (*path, name))
    return found


def test_every_command_and_option_has_help_text() -> None:
    parsers = _parsers(build_parser())
    assert len(parsers) >= 20
    for path, parser, help_text in parsers:
        assert help_text, f"`paperbot {' '.join(path)}` has no help text"
        for action in parser._actions:
            if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                assert action.help, f"`paperbot {' '.join(path)}` {action.dest} has no help text"
