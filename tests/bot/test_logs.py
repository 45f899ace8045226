"""Logs: one JSON object a line with the context fields, and never a configured secret, even at
DEBUG, in a full demo run and in a console run over PostgreSQL with a password in its URL."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from bot.logs import ContextFilter, JsonFormatter, RedactingFilter, log_context, make_handler
from config import load_settings
from tests.bot.processes import seed_due_digest
from tests.conftest import PG_ADMIN, _postgres_or_skip

SECRETS = {
    "PAPERBOT_DISCORD_TOKEN": "discord-SECRET-token-4f1e",
    "PAPERBOT_SLACK_BOT_TOKEN": "xoxb-SECRET-bot-77aa",
    "PAPERBOT_SLACK_APP_TOKEN": "xapp-SECRET-app-90bd",
    "PAPERBOT_SLACK_SIGNING_SECRET": "signing-SECRET-c3d2",
    "PAPERBOT_SLACK_CLIENT_SECRET": "client-SECRET-81e0",
}
PASSWORD = "pw-SECRET-db-5e6f"


def _capture(secrets: tuple[str, ...] = ()) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(secrets))
    logger = logging.getLogger(f"test.logs.{id(stream)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_a_json_line_carries_the_context_fields_and_the_error() -> None:
    logger, stream = _capture()
    with log_context(workspace=3, channel="papers"), log_context(job="digest", platform="slack"):
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("digest of %s failed", "papers")
    logger.info("outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "digest of papers failed"
    assert first["level"] == "ERROR"
    assert (first["workspace"], first["channel"], first["job"], first["platform"]) == (
        "3",
        "papers",
        "digest",
        "slack",
    )
    assert "ValueError: boom" in first["error"]
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert "workspace" not in second and second["message"] == "outside"


def test_secrets_are_masked_in_messages_arguments_and_tracebacks() -> None:
    token = SECRETS["PAPERBOT_DISCORD_TOKEN"]
    logger, stream = _capture((token, PASSWORD))
    logger.warning("sent %s", {"Authorization": f"Bot {token}"})
    try:
        raise RuntimeError(f"could not connect to postgresql://u:{PASSWORD}@db/x")
    except RuntimeError:
        logger.exception("connect failed")
    written = stream.getvalue()
    assert token not in written and PASSWORD not in written
    assert written.count("***") == 2


def test_the_settings_name_every_secret_once_the_password_as_written_and_as_meant() -> None:
    settings = load_settings(
        None,
        database_url="postgresql+psycopg://bot:p%40ss@db/paperbot",
        discord_token="t1",
        slack_signing_secret="s1",
    )
    assert set(settings.secrets) == {"t1", "s1", "p%40ss", "p@ss"}
    handler = make_handler(logging.StreamHandler(io.StringIO()), settings)
    assert isinstance(handler.formatter, logging.Formatter)
    assert not isinstance(handler.formatter, JsonFormatter)


def _environment(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    return env | SECRETS | {"PAPERBOT_LOG_LEVEL": "DEBUG", "PAPERBOT_LOG_FORMAT": "json"} | more


def _assert_clean(*outputs: str) -> list[dict[str, object]]:
    secrets = [*SECRETS.values(), PASSWORD]
    for output in outputs:
        for secret in secrets:
            assert secret not in output, f"{secret} was written"
    records = []
    for line in outputs[0].splitlines():
        records.append(json.loads(line))  # every log line is one JSON object
    return records


def test_a_full_demo_run_at_debug_never_logs_a_secret(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = _assert_clean(done.stderr, done.stdout)
    assert records, "the demo at DEBUG logs something"
    assert "was approved and added to the list" in done.stdout


@pytest.fixture
def postgres_with_password() -> str:
    """The test PostgreSQL's URL with a password in it (the test server accepts any)."""
    _postgres_or_skip()
    url = PG_ADMIN.replace("postgresql://postgres@", f"postgresql+psycopg://postgres:{PASSWORD}@")
    assert PASSWORD in url, "PAPERBOT_TEST_PG names no user postgres"
    return url


def test_a_console_run_on_postgresql_at_debug_never_logs_a_secret(
    tmp_path: Path, postgres_with_password: str
) -> None:
    base, _, _ = postgres_with_password.rpartition("/")
    name = f"paperbot_logs_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    try:
        asyncio.run(seed_due_digest(url, datetime.now(UTC), 3, harvested=False))
        typed = "\n".join(
            [
                "/paper settings review-channel review",
                "/paper topics",
                "/as bo",
                "/paper nominate 2606.00001",
                "/paper nominate 9999.99999",
                "quit",
                "",
            ]
        )
        done = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--console"],
            cwd=tmp_path,
            env=_environment(
                PAPERBOT_DATABASE_URL=url,
                # Unreachable: the due digest's ingestion fails and logs why.
                PAPERBOT_ARXIV_API_URL="http://127.0.0.1:9/api/query",
                PAPERBOT_ARXIV_RETRIES="1",
            ),
            input=typed,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        log = (tmp_path / "paperbot-console.log").read_text(encoding="utf-8")
        records = _assert_clean(log, done.stdout, done.stderr)
        failed = [r for r in records if r["level"] == "ERROR" and r.get("job") == "ingest"]
        assert failed, "the failed harvest was logged, with its URL, and scanned"
        assert any(r.get("channel") == "papers" and r.get("workspace") for r in records)
        assert "Nomination to review" in done.stdout
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
