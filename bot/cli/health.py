"""`paperbot health`: ask a running paperbot's `/healthz` (the image's HEALTHCHECK runs it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import CliError

if TYPE_CHECKING:
    from config import Settings

TIMEOUT = 8.0
ANY_ADDRESS = ("0.0.0.0", "::", "")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `health`."""
    parser = commands.add_parser(
        "health",
        help="ask a running paperbot whether it is healthy (exit status 0 when it is)",
        description="Print the report of a running paperbot's health endpoint; the exit status "
        "is 0 when it is healthy and 1 when not (or when nothing answers).",
    )
    parser.add_argument(
        "--url", help="the endpoint (default: PAPERBOT_HEALTH_HOST and _PORT, path /healthz)"
    )


def health_url(settings: Settings) -> str:
    """Where this machine's paperbot answers, from the settings."""
    from bot.health import PATH

    if settings.health_port is None:
        raise CliError("PAPERBOT_HEALTH_PORT is not set, so no health endpoint runs (or: --url)")
    host = settings.health_host
    host = "127.0.0.1" if host in ANY_ADDRESS else host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.health_port}{PATH}"


def fetch(url: str, timeout: float = TIMEOUT) -> tuple[int, str]:
    """The status and body of a GET (blocking)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        raise CliError(f"nothing answers at {url}: {getattr(error, 'reason', error)}") from error


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the report; 0 when healthy."""
    import asyncio

    url = args.url or health_url(settings)
    status, body = await asyncio.to_thread(fetch, url)
    print(body)
    return 0 if status == 200 else 1
