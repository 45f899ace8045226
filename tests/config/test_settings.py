"""Settings: defaults, validation, and errors that name the variable."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from config import ConfigError, load_settings


def test_defaults_need_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env_file=None)
    assert settings.database_url_text == "sqlite+aiosqlite:///paperbot.db"
    assert settings.digest_time == time(9, 0)
    assert settings.arxiv_delay_seconds == 3.0
    assert not settings.has_chat_tokens


def test_environment_and_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "PAPERBOT_TIMEZONE=Europe/Berlin\nPAPERBOT_ARXIV_CATEGORIES=cs.DC, cs.LG\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PAPERBOT_DISCORD_TOKEN", "secret-token")
    monkeypatch.setenv("PAPERBOT_DIGEST_WEEKDAY", "Friday")
    settings = load_settings(env_file=env_file)
    assert settings.timezone == "Europe/Berlin"
    assert settings.arxiv_categories == ("cs.DC", "cs.LG")
    assert settings.digest_weekday == "fri"
    assert settings.has_chat_tokens
    assert "secret-token" not in repr(settings)


def test_the_database_url_is_a_secret_nothing_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://bot:hunter2-pw@db.example:5432/paperbot"
    monkeypatch.setenv("PAPERBOT_DATABASE_URL", url)
    settings = load_settings(env_file=None)
    assert settings.database_url_text == url
    for shown in (repr(settings), str(settings), settings.model_dump_json(), f"{settings}"):
        assert "hunter2-pw" not in shown
    assert "hunter2-pw" in settings.secrets  # what logs and error messages mask
    assert url not in settings.secrets  # the rest of the URL is shown where it helps


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PAPERBOT_TIMEZONE", "Mars/Olympus", "unknown IANA time zone"),
        ("PAPERBOT_DIGEST_CAP", "0", "greater than or equal to 1"),
        ("PAPERBOT_DATABASE_URL", "mysql://x", "sqlite"),
        ("PAPERBOT_ARXIV_CATEGORIES", "cs.DC;;", "not an arXiv category"),
        ("PAPERBOT_DIGEST_WEEKDAY", "someday", "expected one of"),
    ],
)
def test_errors_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert variable in str(error.value)
    assert message in str(error.value)


def test_slack_needs_a_second_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_SLACK_BOT_TOKEN", "xoxb-1")
    assert not load_settings(env_file=None).has_chat_tokens
    monkeypatch.setenv("PAPERBOT_SLACK_APP_TOKEN", "xapp-1")
    assert load_settings(env_file=None).has_chat_tokens


def test_a_discord_development_guild_is_an_id(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(env_file=None).discord_guild is None
    monkeypatch.setenv("PAPERBOT_DISCORD_GUILD", "1500000000000000001")
    assert load_settings(env_file=None).discord_guild == 1500000000000000001
    monkeypatch.setenv("PAPERBOT_DISCORD_GUILD", "my-server")
    with pytest.raises(ConfigError, match="PAPERBOT_DISCORD_GUILD"):
        load_settings(env_file=None)


def test_slack_for_many_workspaces_needs_client_id_secret_and_signing_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAPERBOT_SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("PAPERBOT_SLACK_CLIENT_SECRET", "client-secret")
    assert not load_settings(env_file=None).has_chat_tokens
    monkeypatch.setenv("PAPERBOT_SLACK_SIGNING_SECRET", "signing-secret")
    settings = load_settings(env_file=None)
    assert settings.has_slack
    assert "client-secret" not in repr(settings)
    assert settings.slack_api_url == "https://slack.com/api/"


def test_slack_api_url_must_be_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_SLACK_API_URL", "slack.com")
    with pytest.raises(ConfigError, match="PAPERBOT_SLACK_API_URL"):
        load_settings(env_file=None)
