"""One pull request on GitHub, opened once and updated after, through three REST calls.

The calls (GitHub REST API, version 2022-11-28, https://docs.github.com/en/rest/pulls/pulls):
- `GET /repos/{owner}/{repo}/pulls?state=open&head={owner}:{branch}&base={base}`: is the
  bot's pull request open already?
- `POST /repos/{owner}/{repo}/pulls` with `title`, `head`, `base`, `body`: open it (201).
- `PATCH /repos/{owner}/{repo}/pulls/{number}` with `title`, `body`: update it (200).
Each sends `Authorization: Bearer <token>`; a token needs the "Pull requests: write" and
"Contents: write" permissions (or the `repo` scope of a classic token).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from digest.publishing import PublishError

API_VERSION = "2022-11-28"
_GITHUB_REMOTE = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$"
)


def github_repo_of(remote: str) -> str | None:
    """`owner/name` of a github.com remote URL, or None for any other remote."""
    found = _GITHUB_REMOTE.match(remote.strip())
    return found.group("repo") if found else None


@dataclass(frozen=True, slots=True)
class PullRequest:
    """The bot's pull request: its number and page."""

    number: int
    url: str
    created: bool


class GitHubPulls:
    """The pulls endpoints of one repository."""

    def __init__(self, api_url: str, repo: str, token: str, timeout: float = 30.0) -> None:
        self.base = f"{api_url.rstrip('/')}/repos/{repo}/pulls"
        self.owner = repo.split("/", 1)[0]
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "paperbot",
        }
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def _call(
        self, session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
    ) -> Any:
        try:
            async with session.request(method, url, **kwargs) as response:
                raw = await response.read()
                body = json.loads(raw) if raw.strip() else None
                if response.status >= 400:
                    said = body.get("message") if isinstance(body, dict) else None
                    raise PublishError(
                        f"GitHub answered {method} {response.url.path} with {response.status}"
                        + (f": {said}" if said else "")
                    )
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise PublishError(f"GitHub could not be reached: {type(exc).__name__}") from None

    async def open_or_update(self, head: str, base: str, title: str, body: str) -> PullRequest:
        """The bot's open pull request from `head` into `base`, updated; opened if none is."""
        async with aiohttp.ClientSession(headers=self._headers, timeout=self._timeout) as session:
            query = {"state": "open", "head": f"{self.owner}:{head}", "base": base}
            found = await self._call(session, "GET", self.base, params=query)
            if isinstance(found, list) and found:
                number = int(found[0]["number"])
                updated = await self._call(
                    session, "PATCH", f"{self.base}/{number}", json={"title": title, "body": body}
                )
                return PullRequest(number, str(updated["html_url"]), created=False)
            made = await self._call(
                session,
                "POST",
                self.base,
                json={"title": title, "head": head, "base": base, "body": body},
            )
            return PullRequest(int(made["number"]), str(made["html_url"]), created=True)
