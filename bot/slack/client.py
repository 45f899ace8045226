"""The Web API client paperbot uses: slack-sdk's AsyncWebClient with retry handlers chosen for
an outbox that retries on its own."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

SLACK_API_URL = "https://slack.com/api/"
# A rate limit up to this long is waited out in place; a longer one goes back to the outbox,
# which holds the rest of that digest and lets other work go on.
MAX_WAIT_IN_PLACE = 10
# Posting is not idempotent: a post that met a server error may have gone through, so it is
# not repeated in place; the outbox looks for it (find_sent) before posting again.
NOT_IDEMPOTENT = ("chat.postMessage",)


def retry_after(headers: dict[str, str | list[str]] | None) -> float | None:
    """Seconds from a Retry-After header, or None."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list) else value
            try:
                return float(first)
            except ValueError:
                return None
    return None


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack-sdk's `ratelimited` handler (it sleeps Retry-After), for short waits only."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after(response.headers)
        return wait is None or wait <= MAX_WAIT_IN_PLACE


def _is_post(request: HttpRequest) -> bool:
    return request.url.rstrip("/").rsplit("/", 1)[-1] in NOT_IDEMPOTENT


class IdempotentServerErrorRetry(AsyncServerErrorRetryHandler):
    """slack-sdk's 500/503 handler, except for posts (see NOT_IDEMPOTENT)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return not _is_post(request) and await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


class IdempotentConnectionErrorRetry(AsyncConnectionErrorRetryHandler):
    """slack-sdk's dropped-connection handler, except for posts (see NOT_IDEMPOTENT)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return not _is_post(request) and await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def retry_handlers() -> list[AsyncRetryHandler]:
    """Dropped connections and server errors once (posts never), short rate limits twice."""
    return [
        IdempotentConnectionErrorRetry(max_retry_count=1),
        ShortRateLimitRetry(max_retry_count=2),
        IdempotentServerErrorRetry(max_retry_count=1),
    ]


def web_client(token: str | None = None, base_url: str = SLACK_API_URL) -> AsyncWebClient:
    """An AsyncWebClient on `base_url` with paperbot's retry handlers."""
    return AsyncWebClient(token=token, base_url=base_url, retry_handlers=retry_handlers())
