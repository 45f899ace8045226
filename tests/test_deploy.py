"""The Dockerfile and docker-compose.yml, as far as they can be checked without a container
engine: what they run exists, the settings they pass are valid, the image is slim and unprivileged
and installs the pinned versions, the database keeps its data in a volume."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from typing import Any

import pytest
import yaml

from bot.__main__ import build_parser
from config import load_settings
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
NEW_SETTINGS = (
    "LOG_FORMAT",
    "HEALTH_PORT",
    "HEALTH_HOST",
    "SHUTDOWN_SECONDS",
    "LEADER_POLL_SECONDS",
    "OUTBOX_POLL_SECONDS",
    "OUTBOX_LEASE_SECONDS",
)


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _all(name: str) -> list[str]:
    return [rest for word, rest in _instructions() if word == name]


def _exec_form(text: str) -> list[str]:
    return list(json.loads(text)) if text.startswith("[") else shlex.split(text)


def _image_environment() -> dict[str, str]:
    found: dict[str, str] = {}
    for rest in _all("ENV"):
        for pair in shlex.split(rest):
            key, _, value = pair.partition("=")
            found[key] = value
    return found


def test_the_image_is_slim_unprivileged_and_pinned() -> None:
    [base] = _all("FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base), base
    [user] = _all("USER")
    assert user not in ("root", "0")
    [install] = [rest for rest in _all("RUN") if "pip install" in rest]
    assert "pip install -c constraints.txt ." in install
    assert f"useradd --create-home --uid 10001 {user}" in install
    assert "constraints.txt" in _all("COPY")[0]
    assert (ROOT / "constraints.txt").is_file()
    # USER comes before the command, so the bot never runs as root.
    words = [word for word, _ in _instructions()]
    assert words.index("USER") < words.index("CMD")


def test_the_image_runs_paperbot_run_and_checks_health_with_paperbot_health() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert scripts["project"]["scripts"]["paperbot"] == "bot.__main__:main"
    [entrypoint] = _all("ENTRYPOINT")
    [command] = _all("CMD")
    argv = _exec_form(entrypoint) + _exec_form(command)
    assert argv[:2] == ["paperbot", "run"]
    assert build_parser().parse_args(argv[1:]).command == "run"
    [check] = _all("HEALTHCHECK")
    options, _, probe = check.partition(" CMD ")
    assert "--interval=" in options and "--start-period=" in options
    argv = _exec_form(probe.strip())
    assert argv[0] == "paperbot"
    assert build_parser().parse_args(argv[1:]).command == "health"
    [stop] = _all("STOPSIGNAL")
    assert stop == "SIGTERM"


def test_the_image_settings_are_valid_and_serve_health_where_the_check_looks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environment = _image_environment()
    for key, value in environment.items():
        if key.startswith("PAPERBOT_"):
            monkeypatch.setenv(key, value)
    settings = load_settings(env_file=None)
    assert settings.database_url_text.startswith("sqlite+aiosqlite:////data/")
    assert settings.health_port is not None
    assert str(settings.health_port) in _all("EXPOSE")[0].split()
    assert settings.log_format == "json"
    # Docker waits 10 s after SIGTERM before it kills: paperbot is done sooner.
    assert settings.shutdown_seconds < 10


def _bot() -> dict[str, Any]:
    return dict(COMPOSE["services"]["bot"])


def test_compose_runs_the_bot_beside_postgresql_with_its_data_in_a_volume() -> None:
    services = COMPOSE["services"]
    db = services["db"]
    assert db["image"].startswith("postgres:")
    [volume] = db["volumes"]
    name, _, path = volume.partition(":")
    assert path == "/var/lib/postgresql/data" and name in COMPOSE["volumes"]
    bot = _bot()
    assert bot["build"] == "."
    assert bot["env_file"] == ".env"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in db
    assert bot["restart"] == db["restart"] == "unless-stopped"


def test_compose_settings_parse_and_reach_the_database_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    password = "s3cretpassw0rd"
    db = COMPOSE["services"]["db"]["environment"]
    for key, value in _bot()["environment"].items():
        monkeypatch.setenv(key, str(value).replace("${POSTGRES_PASSWORD}", password))
    settings = load_settings(env_file=None)
    url = settings.database_url_text
    assert url == (
        f"postgresql+psycopg://{db['POSTGRES_USER']}:{password}@db:5432/{db['POSTGRES_DB']}"
    )
    assert password in settings.secrets  # so no log line can show it
    assert settings.health_host == "0.0.0.0" and settings.health_port is not None
    ports = _bot()["ports"]
    assert all(p.startswith("127.0.0.1:") and p.endswith(f":{settings.health_port}") for p in ports)
    grace = _bot()["stop_grace_period"]
    assert int(grace.rstrip("s")) > settings.shutdown_seconds


def test_the_new_settings_are_documented() -> None:
    example = (ROOT / "config" / "paperbot.env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in NEW_SETTINGS:
        assert f"PAPERBOT_{name}=" in example, name
        assert f"`PAPERBOT_{name}`" in readme, name
    assert "docker compose up" in readme
    assert "POSTGRES_PASSWORD=" in example  # what docker-compose.yml asks .env for
