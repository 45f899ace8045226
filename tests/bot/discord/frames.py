"""Gateway frames for the tests: the recorded ones of ../shared, brought up to what 2.7 reads.

The recorded frames (Discord4J's captures and the API docs' examples) predate discord.py 2.7,
which also reads `attachment_size_limit`, `member.flags`, the interaction's `channel` object and
`application_id`. Each helper loads one recorded frame, keeps its shape, fills those fields and
puts our guild's, channels' and users' ids in place of the recorded ones. The guild itself
(GUILD_CREATE) has no recording; `guild_create` writes one from Discord's documented fields.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

from tests.bot.discord.fake_discord import APPLICATION_ID, BOT_ID

Json = dict[str, Any]

GUILD_ID = 1500000000000000001
PAPERS_CHANNEL = 1500000000000000011
REVIEW_CHANNEL = 1500000000000000012
ADMIN_ROLE = 1500000000000000021
MEMBER_ROLE = 1500000000000000022
# Member permissions in a channel: view, send, read history, add reactions, embed links...
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 6) | (1 << 14) | (1 << 31)
MANAGE_GUILD = 1 << 5
UPLOAD_LIMIT = 10 * 1024 * 1024
_INTERACTION_IDS = count(1600000000000000001)


@dataclass(frozen=True)
class User:
    """A member of the test guild."""

    id: int
    name: str
    roles: tuple[int, ...] = (MEMBER_ROLE,)
    permissions: int = MEMBER_PERMISSIONS

    def user(self) -> Json:
        """The user object."""
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name.title(),
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
        }


ANA = User(1700000000000000001, "ana", permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
BO = User(1700000000000000002, "bo")
CY = User(1700000000000000003, "cy", roles=(MEMBER_ROLE, ADMIN_ROLE))


def _load(shared: Path, name: str) -> Json:
    data: Json = json.loads((shared / "chat" / "discord" / name).read_text(encoding="utf-8"))
    return data


def _member(recorded: Json, user: User, with_permissions: bool) -> Json:
    """The recorded member object with our user, roles and the fields 2.7 reads."""
    member = {**copy.deepcopy(recorded), "user": user.user(), "roles": [str(r) for r in user.roles]}
    member.setdefault("flags", 0)
    member.setdefault("joined_at", "2026-01-05T10:00:00.000000+00:00")
    if with_permissions:
        member["permissions"] = str(user.permissions)
    else:
        member.pop("permissions", None)
    return member


def channel_object(channel_id: int, name: str = "papers", kind: int = 0) -> Json:
    """A guild text channel (kind 0) or public thread (kind 11) as Discord sends it."""
    data: Json = {
        "id": str(channel_id),
        "type": kind,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
        "last_message_id": None,
        "topic": None,
    }
    if kind == 11:
        data.update(
            parent_id=str(PAPERS_CHANNEL),
            owner_id=str(BOT_ID),
            message_count=0,
            member_count=1,
            thread_metadata={
                "archived": False,
                "auto_archive_duration": 10080,
                "archive_timestamp": "2026-06-29T07:00:00.000000+00:00",
                "locked": False,
            },
        )
    return data


def guild_create(name: str = "Systems Reading Group") -> Json:
    """GUILD_CREATE for the test guild: two text channels, @everyone, a member and an admin role."""
    everyone = {"id": str(GUILD_ID), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS)}
    roles = [
        everyone,
        {"id": str(MEMBER_ROLE), "name": "member", "permissions": "0"},
        {"id": str(ADMIN_ROLE), "name": "paper-admins", "permissions": "0"},
    ]
    for position, role in enumerate(roles):
        role.update(
            position=position, color=0, hoist=False, managed=False, mentionable=False, flags=0
        )
    return {
        "id": str(GUILD_ID),
        "name": name,
        "icon": None,
        "owner_id": str(ANA.id),
        "unavailable": False,
        "member_count": 4,
        "large": False,
        "features": [],
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "channels": [
            channel_object(PAPERS_CHANNEL, "papers"),
            channel_object(REVIEW_CHANNEL, "paper-review"),
        ],
        "threads": [],
        "members": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "joined_at": "2026-01-05T10:00:00.000000+00:00",
        "preferred_locale": "en-US",
        "premium_tier": 0,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "system_channel_flags": 0,
    }


def reaction(
    shared: Path,
    *,
    added: bool,
    message_id: int | str,
    user: User,
    emoji: str = "⭐",
    channel_id: int | str = PAPERS_CHANNEL,
    emoji_id: int | None = None,
) -> Json:
    """MESSAGE_REACTION_ADD or _REMOVE data, from Discord4J's recorded frames."""
    name = "MessageReactionAdd.json" if added else "MessageReactionRemove.json"
    data = copy.deepcopy(_load(shared, "Discord4J_discord-json/" + name)["d"])
    data.update(
        user_id=str(user.id),
        message_id=str(message_id),
        channel_id=str(channel_id),
        guild_id=str(GUILD_ID),
        emoji={"name": emoji, "id": None if emoji_id is None else str(emoji_id)},
    )
    if added:
        data["message_author_id"] = str(BOT_ID)
        data["member"] = _member(data["member"], user, with_permissions=False)
    return data


def _interaction(base: Json, user: User, channel_id: int, kind: int, data: Json) -> Json:
    """An interaction frame: the recorded one, with our ids and the fields 2.7 reads."""
    frame = copy.deepcopy(base)
    frame.pop("user", None)
    interaction_id = next(_INTERACTION_IDS)
    frame.update(
        id=str(interaction_id),
        token=f"token-{interaction_id}",
        type=kind,
        version=1,
        application_id=str(APPLICATION_ID),
        guild_id=str(GUILD_ID),
        channel_id=str(channel_id),
        channel=channel_object(channel_id, "papers" if channel_id == PAPERS_CHANNEL else "other"),
        member=_member(frame["member"], user, with_permissions=True),
        data=data,
        attachment_size_limit=UPLOAD_LIMIT,
        app_permissions=str(MEMBER_PERMISSIONS),
        entitlements=[],
        authorizing_integration_owners={"0": str(GUILD_ID)},
        context=0,
        locale="en-US",
        guild_locale="en-US",
    )
    return frame


def _options(options: dict[str, str], focused: str | None) -> list[Json]:
    found = []
    for name, value in options.items():
        option: Json = {"type": 3, "name": name, "value": value}
        if name == focused:
            option["focused"] = True
        found.append(option)
    return found


def command(
    shared: Path,
    name: str,
    options: dict[str, str] | None = None,
    *,
    user: User = BO,
    channel_id: int = PAPERS_CHANNEL,
    focused: str | None = None,
    guild_command: bool = False,
    command_id: int = 1800000000000000001,
) -> Json:
    """INTERACTION_CREATE data for `/paper <name> ...` (or, with `focused`, its autocomplete).

    From Discord4J's recorded slash-command frame; the sub-command is an option of type 1
    inside the `paper` command, as Discord sends it. A command synced to one guild (the
    development set-up) names that guild in its data.
    """
    base = _load(shared, "Discord4J_discord-json/InteractionCreate.json")["d"]
    sub = {"type": 1, "name": name, "options": _options(options or {}, focused)}
    data = {"id": str(command_id), "name": "paper", "type": 1, "options": [sub]}
    if guild_command:
        data["guild_id"] = str(GUILD_ID)
    return _interaction(base, user, channel_id, 4 if focused else 2, data)


def _component_message(base: Json, message: Json) -> Json:
    """The message a component was on, in the recorded message's shape."""
    return {**copy.deepcopy(base["message"]), **message}


def button(shared: Path, custom_id: str, message: Json, *, user: User = BO) -> Json:
    """INTERACTION_CREATE data for a button press, from the API docs' recorded example."""
    base = _load(shared, "discord-api-docs/interaction_MESSAGE_COMPONENT_button_full.json")
    data = {"custom_id": custom_id, "component_type": 2}
    frame = _interaction(base, user, int(message["channel_id"]), 3, data)
    frame["message"] = _component_message(base, message)
    return frame


def select(
    shared: Path, custom_id: str, values: list[str], message: Json, *, user: User = BO
) -> Json:
    """INTERACTION_CREATE data for a string select choice, from the API docs' example."""
    base = _load(shared, "discord-api-docs/interaction_MESSAGE_COMPONENT_string_select_full.json")
    data = {"custom_id": custom_id, "component_type": 3, "values": values}
    frame = _interaction(base, user, int(message["channel_id"]), 3, data)
    frame["message"] = _component_message(base, message)
    return frame
