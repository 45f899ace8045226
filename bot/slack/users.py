"""What the core needs to know about a Slack user: Slack's own admin and owner flags, and the
user groups they are in (the workspace's `admin-role` may name one). The core decides."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ports import UserRef
from digest.ports import Clock

log = logging.getLogger(__name__)

# Facts are read again after this long: an admin removed from the group loses the rights
# within minutes, and a burst of events costs one users.info per user, one usergroups.list
# per workspace.
FACTS_TTL = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    platform_admin: bool
    until: datetime


@dataclass(frozen=True, slots=True)
class _Groups:
    members: dict[str, frozenset[str]]
    until: datetime


class UserFacts:
    """users.info and usergroups.list, remembered for FACTS_TTL."""

    def __init__(self, clock: Clock, ttl: timedelta = FACTS_TTL) -> None:
        self.clock = clock
        self.ttl = ttl
        self._people: dict[tuple[str, str], _Person] = {}
        self._groups: dict[str, _Groups] = {}

    async def user(
        self, client: AsyncWebClient, team_id: str, user_id: str, name: str = ""
    ) -> UserRef:
        """The user with their facts: Slack admin or owner, and their user group ids."""
        person = await self._person(client, team_id, user_id)
        groups = await self._group_members(client, team_id)
        return UserRef(
            user_id,
            name or person.name,
            role_ids=tuple(sorted(g for g, members in groups.items() if user_id in members)),
            platform_admin=person.platform_admin,
            workspace_id=team_id,
        )

    async def _person(self, client: AsyncWebClient, team_id: str, user_id: str) -> _Person:
        now = self.clock.now()
        known = self._people.get((team_id, user_id))
        if known is not None and known.until > now:
            return known
        try:
            found: dict[str, Any] = (await client.users_info(user=user_id)).get("user") or {}
        except SlackApiError as error:
            log.warning("users.info for %s in %s failed: %s", user_id, team_id, error)
            found = {}
        person = _Person(
            str(found.get("name", "")),
            bool(found.get("is_admin") or found.get("is_owner")),
            now + self.ttl,
        )
        self._people[(team_id, user_id)] = person
        return person

    async def _group_members(
        self, client: AsyncWebClient, team_id: str
    ) -> dict[str, frozenset[str]]:
        now = self.clock.now()
        known = self._groups.get(team_id)
        if known is not None and known.until > now:
            return known.members
        members: dict[str, frozenset[str]] = {}
        try:
            answer = await client.usergroups_list(include_users=True)
            for group in answer.get("usergroups") or []:
                members[str(group["id"])] = frozenset(group.get("users") or ())
        except SlackApiError as error:
            # Free workspaces have no user groups; the platform's admins still count.
            log.info("usergroups.list in %s failed: %s", team_id, error)
        self._groups[team_id] = _Groups(members, now + self.ttl)
        return members
