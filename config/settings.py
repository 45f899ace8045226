"""Typed settings loaded from `PAPERBOT_*` variables and an optional `.env` file."""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from digest.models import WEEKDAYS
from digest.taxonomy import UnknownCategory, resolve

ENV_PREFIX = "PAPERBOT_"
_CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")


class ConfigError(Exception):
    """Raised when the configuration is invalid; the message names each bad variable."""


class Settings(BaseSettings):
    """Everything paperbot can be configured with. See config/paperbot.env.example."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    # A secret: a PostgreSQL URL may hold the password. Read it as `database_url_text`.
    database_url: SecretStr = Field(
        default=SecretStr("sqlite+aiosqlite:///paperbot.db"),
        description="SQLAlchemy URL; SQLite file in the working directory by default.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    discord_token: SecretStr | None = None
    # A guild id: sync the commands to that guild only (at once), not globally (up to an hour).
    discord_guild: int | None = Field(default=None, gt=0)
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    # Slack over HTTP for many workspaces (OAuth install): the app's client id and secret.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_host: str = "0.0.0.0"
    slack_port: int = Field(default=3000, ge=0, le=65535)
    slack_api_url: str = "https://slack.com/api/"

    timezone: str = "UTC"
    digest_weekday: str = "mon"
    digest_time: time = time(9, 0)
    digest_cap: int = Field(default=15, ge=1, le=100)
    backlog_weeks: int = Field(default=4, ge=0, le=52)

    arxiv_categories: Annotated[tuple[str, ...], NoDecode] = ("cs.DC", "cs.LG", "cs.CL")
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_delay_seconds: float = Field(default=3.0, ge=0)
    arxiv_timeout_seconds: float = Field(default=30.0, gt=0)
    arxiv_page_size: int = Field(default=200, ge=1, le=2000)
    arxiv_retries: int = Field(default=5, ge=1, le=20)
    arxiv_index_lag_minutes: int = Field(default=30, ge=0, le=24 * 60)
    arxiv_settle_hours: int = Field(default=24, ge=1, le=24 * 14)
    arxiv_backfill_days: int = Field(default=7, ge=1, le=366)
    ingest_time: time = time(1, 30)
    ingest_timezone: str = "UTC"

    # Running it for real (issue 13): logs, the health and metrics endpoint, stopping, and
    # several processes sharing PostgreSQL.
    log_format: Literal["text", "json"] = "text"
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_host: str = "127.0.0.1"
    shutdown_seconds: float = Field(default=8.0, gt=0, le=600)
    leader_poll_seconds: float = Field(default=5.0, gt=0, le=600)
    outbox_poll_seconds: float = Field(default=30.0, gt=0, le=3600)
    outbox_lease_seconds: float = Field(default=90.0, gt=0, le=3600)

    # Publishing the list to a git repository (README "Publishing the list").
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    publish_author_name: str = "paperbot"
    publish_author_email: str = "paperbot@users.noreply.github.com"
    publish_poll_seconds: float = Field(default=60.0, gt=0, le=86400)
    publish_timeout_seconds: float = Field(default=120.0, gt=0, le=3600)

    @field_validator("timezone", "ingest_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (try 'Europe/Berlin')") from exc
        return value

    @field_validator("digest_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        day = value.strip().lower()[:3]
        if day not in WEEKDAYS:
            raise ValueError(f"expected one of {', '.join(WEEKDAYS)}, got {value!r}")
        return day

    @field_validator("arxiv_categories", mode="before")
    @classmethod
    def _categories(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        cats = tuple(str(item).strip() for item in items if str(item).strip())
        for cat in cats:
            if not _CATEGORY.match(cat):
                raise ValueError(f"{cat!r} is not an arXiv category such as cs.DC")
            try:
                resolve(cat)
            except UnknownCategory as exc:
                raise ValueError(str(exc)) from exc
        return cats

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("use Slack's Web API URL, like https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(("sqlite", "postgresql")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
        return value

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value configured: each SecretStr setting (tokens, signing and client
        secrets, and any added later), and the database password."""
        values = [
            value.get_secret_value()
            for name, value in ((name, getattr(self, name)) for name in type(self).model_fields)
            if isinstance(value, SecretStr) and name != "database_url"  # its password, not all
        ]
        password = urlsplit(self.database_url_text).password
        if password:
            values += [password, unquote(password)]  # as written in the URL, and as meant
        return tuple(dict.fromkeys(value for value in values if value))

    @property
    def database_url_text(self) -> str:
        """The database URL as text (a secret: it may hold the password)."""
        return self.database_url.get_secret_value()

    @property
    def has_chat_tokens(self) -> bool:
        """True when at least one chat platform can be started."""
        return self.discord_token is not None or self.has_slack

    @property
    def has_slack(self) -> bool:
        """True when Slack can be started: Socket Mode, HTTP for one workspace, or OAuth."""
        one_workspace = self.slack_bot_token is not None and (
            self.slack_app_token is not None or self.slack_signing_secret is not None
        )
        many = (
            self.slack_client_id is not None
            and self.slack_client_secret is not None
            and self.slack_signing_secret is not None
        )
        return one_workspace or many

    @property
    def slack_incomplete(self) -> str | None:
        """What is missing when some Slack variables are set but no way of running Slack is
        complete (None when Slack is complete, or when none of its variables is set)."""
        given = {
            name
            for name in ("bot_token", "app_token", "signing_secret", "client_id", "client_secret")
            if getattr(self, f"slack_{name}") is not None
        }
        if self.has_slack or not given:
            return None

        def named(names: set[str]) -> str:
            return " and ".join(f"{ENV_PREFIX}SLACK_{name.upper()}" for name in sorted(names))

        if given & {"client_id", "client_secret"}:
            wanted = {"client_id", "client_secret", "signing_secret"}
            missing, why = (
                named(wanted - given),
                f"HTTP mode for many workspaces needs {named(wanted)}",
            )
        elif given == {"bot_token"}:
            missing = f"{named({'app_token'})} (Socket Mode) or {named({'signing_secret'})} (HTTP)"
            why = "one of them goes with the bot token"
        else:
            mode = "Socket Mode" if "app_token" in given else "HTTP mode"
            missing, why = named({"bot_token"}), f"{mode} needs it too"
        verb = "is" if len(given) == 1 else "are"
        return f"{named(given)} {verb} set, but not {missing} ({why})"


def child_environment() -> dict[str, str]:
    """The environment the commands paperbot runs (git) inherit: this process's, less git's own
    variables, which the caller sets itself."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def load_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Read the settings once; raise ConfigError naming every invalid PAPERBOT_ variable."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ENV_PREFIX + "_".join(str(part) for part in error["loc"][:1]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from exc
