"""Discord on 127.0.0.1: the REST API and the gateway, as much as paperbot uses, recording all.

discord.py talks to it unchanged once `discord.http.Route.BASE` points here: the client logs in,
fetches `/gateway/bot`, opens the websocket, identifies and gets READY and GUILD_CREATE; every
frame a test pushes goes through discord.py's own websocket code and parsers. Every request is
recorded with the exact JSON sent. Replies carry `Content-Type: application/json` exactly
(discord.py reads anything else as text), and a 429 carries a `Via` header (without one
discord.py takes it for a Cloudflare ban). Messages are checked against Discord's limits
(`discord_limits`) and refused with a 400 as Discord would.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import discord
from aiohttp import WSMsgType, web

from tests.bot.discord import discord_limits

API = "/api/v10"
BOT_ID = 1400000000000000001
APPLICATION_ID = BOT_ID
OWNER_ID = 1400000000000000002
TOKEN = "MTQwMDAwMDAwMDAwMDAwMDAwMQ.fake.token-for-tests"
JSON = "application/json"
# Discord posts a message once per nonce only for a few minutes (it does not store nonces).
NONCE_WINDOW = timedelta(minutes=5)
BODY = web.RequestKey("body", object)

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request discord.py made: method, path below /api/v10, query, and the JSON body."""

    method: str
    path: str
    query: Mapping[str, str]
    body: Any


@dataclass
class Failure:
    """An error answer for the next `times` requests matching `method` and `path`."""

    method: str
    path: re.Pattern[str]
    status: int
    body: Json
    times: int
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Channel:
    """A channel (or thread, or DM) and the messages in it, oldest first."""

    data: Json
    messages: list[Json] = field(default_factory=list)


def error_body(status: int, code: int | None = None, message: str | None = None) -> Json:
    """Discord's error JSON for a status (the codes Discord uses for each case)."""
    defaults = {
        400: (50035, "Invalid Form Body"),
        403: (50013, "Missing Permissions"),
        404: (10003, "Unknown Channel"),
        500: (0, "500: Internal Server Error"),
    }
    default_code, default_message = defaults.get(status, (0, "error"))
    return {"code": default_code if code is None else code, "message": message or default_message}


class FakeDiscord:
    """Discord's REST API and gateway on a local port; `now` dates the snowflakes it hands out."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.channels: dict[int, Channel] = {}
        self.guilds: dict[int, Json] = {}
        self.identifies: list[Json] = []
        self.commands: dict[int | None, list[Json]] = {}
        self.interaction_responses: dict[int, list[Json]] = {}
        # A component interaction's token -> (channel id, message id) of the message it was on.
        self._component_messages: dict[str, tuple[str, str]] = {}
        self.closed_dms: set[int] = set()
        self._counter = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> str:
        """Serve on a free port of 127.0.0.1; returns the base URL."""
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{path:.*}", self._route)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        """Close every websocket and stop serving."""
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests set up and look at --------------------------------------------------------

    def snowflake(self) -> int:
        """A new id, dated now (so `after=` a time finds what came later)."""
        return discord.utils.time_snowflake(self.now()) + next(self._counter)

    def add_guild(self, guild: Json) -> None:
        """A guild the bot is in; its channels become channels of this server."""
        self.guilds[int(guild["id"])] = guild
        for channel in guild.get("channels", []):
            self.channels[int(channel["id"])] = Channel({**channel, "guild_id": guild["id"]})

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` requests to `path` (a regular expression) with an error."""
        body = error_body(status, code, message)
        self.failures.append(Failure(method, re.compile(path), status, body, times))

    def rate_limit(self, method: str, path: str, retry_after: float, *, times: int = 1) -> None:
        """Answer the next `times` requests with a 429 asking to wait `retry_after` seconds."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        headers = {"Via": "1.1 google", "Retry-After": str(max(1, round(retry_after)))}
        self.failures.append(Failure(method, re.compile(path), 429, body, times, headers))

    def sent(self, method: str, path: str) -> list[Call]:
        """The recorded calls whose path matches `path` (a regular expression), in order."""
        pattern = re.compile(path)
        return [c for c in self.calls if c.method == method and pattern.fullmatch(c.path)]

    def messages(self, channel_id: int | str) -> list[Json]:
        """The messages in a channel, oldest first."""
        channel = self.channels.get(int(channel_id))
        return list(channel.messages) if channel else []

    async def wait_for(self, check: Callable[[], Any], within: float = 5.0) -> Any:
        """Wait until `check()` is truthy; returns its value. Asked after every request this
        server answers, and every 10 ms for what happens inside the client."""

        async def until() -> Any:
            while not (value := check()):
                async with self._changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.01)
            return value

        return await asyncio.wait_for(until(), within)

    # -- the gateway ---------------------------------------------------------------------------

    async def dispatch(self, event: str, data: Json) -> None:
        """Send a dispatch frame (op 0) to every connected client."""
        if event == "INTERACTION_CREATE" and "message" in data:
            message = data["message"]
            self._component_messages[data["token"]] = (message["channel_id"], message["id"])
        frame = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        for socket in self._sockets:
            await socket.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(json.dumps({"op": 10, "s": None, "t": None, "d": HELLO}))
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    break
                await self._gateway_frame(socket, json.loads(message.data))
        finally:
            self._sockets.remove(socket)
        return socket

    async def _gateway_frame(self, socket: web.WebSocketResponse, frame: Json) -> None:
        if frame["op"] == 1:  # heartbeat
            await socket.send_str(json.dumps({"op": 11, "s": None, "t": None, "d": None}))
        elif frame["op"] == 2:  # identify
            self.identifies.append(frame["d"])
            ready = {
                "v": 10,
                "user": self.bot_user(),
                "guilds": [{"id": str(gid), "unavailable": True} for gid in self.guilds],
                "session_id": f"session-{len(self.identifies)}",
                "resume_gateway_url": self.url.replace("http", "ws") + "/gateway",
                "shard": [0, 1],
                "application": {"id": str(APPLICATION_ID), "flags": 0},
            }
            for event, data in [("READY", ready)] + [
                ("GUILD_CREATE", self._guild_create(gid, guild))
                for gid, guild in self.guilds.items()
            ]:
                frame = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
                await socket.send_str(json.dumps(frame))
            await self._notify()

    def _guild_create(self, guild_id: int, guild: Json) -> Json:
        """The guild as GUILD_CREATE has it: its active threads included."""
        threads = [
            c.data
            for c in self.channels.values()
            if c.data.get("type") == 11 and c.data.get("guild_id") == str(guild_id)
        ]
        return {**guild, "threads": threads}

    # -- the REST API --------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith(API):
            return await handler(request)
        body = await request.json() if request.can_read_body else None
        path = request.path[len(API) :]
        self.calls.append(Call(request.method, path, dict(request.query), body))
        request[BODY] = body
        try:
            for failure in self.failures:
                if failure.method == request.method and failure.path.fullmatch(path):
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                    return _json(failure.body, failure.status, failure.headers)
            return await handler(request)
        finally:
            await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        for method, pattern, handler in self._routes():
            found = re.fullmatch(pattern, path)
            if method == request.method and found:
                return await handler(request, *found.groups())
        return _json({"code": 0, "message": f"404: Not Found ({request.method} /{path})"}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", r"users/@me", self._me),
            ("GET", r"oauth2/applications/@me", self._application),
            ("GET", r"gateway/bot", self._gateway_bot),
            ("PUT", r"applications/(\d+)/commands", self._sync_global),
            ("PUT", r"applications/(\d+)/guilds/(\d+)/commands", self._sync_guild),
            ("GET", r"channels/(\d+)", self._get_channel),
            ("POST", r"channels/(\d+)/messages", self._create_message),
            ("GET", r"channels/(\d+)/messages/(\d+)", self._get_message),
            ("GET", r"channels/(\d+)/messages", self._history),
            ("PATCH", r"channels/(\d+)/messages/(\d+)", self._edit_message),
            ("POST", r"channels/(\d+)/messages/(\d+)/threads", self._start_thread),
            ("PUT", r"channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._react),
            ("POST", r"users/@me/channels", self._open_dm),
            ("POST", r"interactions/(\d+)/([^/]+)/callback", self._interaction_callback),
            ("POST", r"webhooks/(\d+)/([^/]+)", self._followup),
            ("PATCH", r"webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._edit_followup),
            ("DELETE", r"webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._delete_followup),
        ]

    def bot_user(self) -> Json:
        """The bot's own user object."""
        return {
            "id": str(BOT_ID),
            "username": "paperbot",
            "discriminator": "0",
            "global_name": "paperbot",
            "avatar": None,
            "bot": True,
            "flags": 0,
            "public_flags": 0,
        }

    async def _me(self, request: web.Request) -> web.Response:
        return _json(self.bot_user())

    async def _application(self, request: web.Request) -> web.Response:
        owner = {"id": str(OWNER_ID), "username": "owner", "discriminator": "0", "avatar": None}
        return _json(
            {
                "id": str(APPLICATION_ID),
                "name": "paperbot",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": owner,
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        url = self.url.replace("http", "ws") + "/gateway"
        return _json({"url": url, "shards": 1, "session_start_limit": limit})

    def _saved_commands(self, body: list[Json], guild: str | None) -> list[Json]:
        saved = []
        for command in body:
            problems = discord_limits.command_problems(command)
            if problems:
                raise _Refused(problems)
            saved.append(
                {
                    **command,
                    "id": str(self.snowflake()),
                    "application_id": str(APPLICATION_ID),
                    "version": str(self.snowflake()),
                    **({"guild_id": guild} if guild else {}),
                }
            )
        self.commands[int(guild) if guild else None] = saved
        return saved

    async def _sync_global(self, request: web.Request, app: str) -> web.Response:
        return _refusable(lambda: self._saved_commands(request[BODY], None))

    async def _sync_guild(self, request: web.Request, app: str, guild: str) -> web.Response:
        return _refusable(lambda: self._saved_commands(request[BODY], guild))

    def _channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(int(channel_id))
        if channel is None:
            raise _Missing()
        return channel

    def _message(self, channel: Channel, body: Json, **extra: Any) -> Json:
        """A message object as Discord returns it for what was sent."""
        problems = discord_limits.message_problems(body)
        if problems:
            raise _Refused(problems)
        message = {
            "id": str(self.snowflake()),
            "channel_id": channel.data["id"],
            "type": 0,
            "content": body.get("content") or "",
            "author": self.bot_user(),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": self.now().isoformat(),
            "edited_timestamp": None,
            "flags": body.get("flags") or 0,
            **extra,
        }
        if "guild_id" in channel.data:
            message["guild_id"] = channel.data["guild_id"]
        return message

    async def _get_channel(self, request: web.Request, channel_id: str) -> web.Response:
        return _refusable(lambda: self._channel(channel_id).data)

    async def _get_message(self, request: web.Request, channel_id: str, message_id: str) -> Any:
        def get() -> Json:
            for message in self._channel(channel_id).messages:
                if message["id"] == message_id:
                    return {k: v for k, v in message.items() if k != "nonce"}
            raise _Missing(10008, "Unknown Message")

        return _refusable(get)

    async def _create_message(self, request: web.Request, channel_id: str) -> web.Response:
        body = request[BODY]

        def create() -> Json:
            channel = self._channel(channel_id)
            if channel.data.get("type") == 1 and int(channel.data["recipient"]) in self.closed_dms:
                raise _Refused([], 403, 50007, "Cannot send messages to this user")
            nonce = body.get("nonce")
            if nonce is not None and body.get("enforce_nonce"):
                recent = self.now() - NONCE_WINDOW
                for old in channel.messages:
                    sent_at = datetime.fromisoformat(old["timestamp"])
                    if old.get("nonce") == nonce and sent_at >= recent:
                        return old  # Discord returns the message already created
            message = self._message(channel, body)
            if nonce is not None:
                message["nonce"] = nonce
            channel.messages.append(message)
            return message

        return _refusable(create)

    async def _history(self, request: web.Request, channel_id: str) -> web.Response:
        def history() -> list[Json]:
            messages = self._channel(channel_id).messages
            after = int(request.query.get("after", 0))
            before = int(request.query.get("before", 1 << 63))
            limit = int(request.query.get("limit", 50))
            found = [m for m in messages if after < int(m["id"]) < before]
            # Discord answers newest first; without `after` the newest `limit`, with it the oldest.
            page = found[:limit] if "after" in request.query else found[-limit:]
            # Fetched messages do not carry the nonce they were sent with.
            return [{k: v for k, v in m.items() if k != "nonce"} for m in reversed(page)]

        return _refusable(history)

    def edit(self, channel_id: str, message_id: str, body: Json) -> Json:
        """Apply an edit to a stored message, as Discord does (fields given replace the old)."""
        channel = self._channel(channel_id)
        for index, old in enumerate(channel.messages):
            if old["id"] == message_id:
                new = self._message(channel, {**old, **body}, id=old["id"])
                new["edited_timestamp"] = self.now().isoformat()
                channel.messages[index] = new
                return new
        raise _Missing(10008, "Unknown Message")

    async def _edit_message(self, request: web.Request, channel_id: str, message_id: str) -> Any:
        return _refusable(lambda: self.edit(channel_id, message_id, request[BODY]))

    async def _start_thread(self, request: web.Request, channel_id: str, message_id: str) -> Any:
        body = request[BODY]

        def start() -> Json:
            parent = self._channel(channel_id)
            if len(body.get("name", "")) > discord_limits.THREAD_NAME:
                raise _Refused(["thread name is too long"])
            thread = {
                "id": message_id,  # a thread on a message has the message's id
                "type": 11,
                "guild_id": parent.data["guild_id"],
                "parent_id": channel_id,
                "owner_id": str(BOT_ID),
                "name": body["name"],
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": body.get("auto_archive_duration", 1440),
                    "archive_timestamp": self.now().isoformat(),
                    "locked": False,
                },
            }
            self.channels[int(message_id)] = Channel(thread)
            return thread

        response = _refusable(start)
        if response.status == 200:
            # Discord tells the gateway too; the client caches the thread from this.
            thread = self.channels[int(message_id)].data
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return response

    async def _react(self, request: web.Request, channel: str, message: str, emoji: str) -> Any:
        try:
            self._channel(channel)
        except _Missing as missing:
            return _json(missing.body, 404)
        return web.Response(status=204)

    async def _open_dm(self, request: web.Request) -> web.Response:
        recipient = str(request[BODY]["recipient_id"])
        existing = [c for c in self.channels.values() if c.data.get("recipient") == recipient]
        if existing:
            return _json(existing[0].data)
        user = {"id": recipient, "username": f"user{recipient[-4:]}", "discriminator": "0"}
        data = {
            "id": str(self.snowflake()),
            "type": 1,
            "recipients": [{**user, "avatar": None}],
            "recipient": recipient,
            "last_message_id": None,
        }
        self.channels[int(data["id"])] = Channel(data)
        return _json(data)

    async def _interaction_callback(self, request: web.Request, iid: str, token: str) -> Any:
        body = request[BODY]
        self.interaction_responses.setdefault(int(iid), []).append(body)
        answer: Json = {
            "interaction": {
                "id": iid,
                "type": 2,
                "response_message_loading": body["type"] == 5,
                "response_message_ephemeral": bool((body.get("data") or {}).get("flags", 0) & 64),
            },
            "resource": {"type": body["type"]},
        }
        if body["type"] in (4, 7) and "data" in body:
            problems = discord_limits.message_problems(body["data"])
            if problems:
                return _json(error_body(400, message="; ".join(problems)), 400)
        if body["type"] == 7 and token in self._component_messages:
            # UPDATE_MESSAGE: the message the component was on changes.
            self.edit(*self._component_messages[token], body["data"])
        return _json(answer)

    async def _followup(self, request: web.Request, app: str, token: str) -> web.Response:
        channel = Channel({"id": "0"})
        return _refusable(lambda: self._message(channel, request[BODY], webhook_id=app))

    async def _edit_followup(self, request: web.Request, app: str, token: str, mid: str) -> Any:
        if mid == "@original" and token in self._component_messages:
            # After a deferred update, the original response is the component's message.
            where = self._component_messages[token]
            return _refusable(lambda: self.edit(*where, request[BODY]))
        channel = Channel({"id": "0"})
        return _refusable(lambda: self._message(channel, request[BODY], webhook_id=app))

    async def _delete_followup(self, request: web.Request, app: str, token: str, mid: str) -> Any:
        return web.Response(status=204)


HELLO = {"heartbeat_interval": 41250}


class _Missing(Exception):
    def __init__(self, code: int = 10003, message: str = "Unknown Channel") -> None:
        self.body = error_body(404, code, message)


class _Refused(Exception):
    def __init__(
        self, problems: list[str], status: int = 400, code: int | None = None, message: str = ""
    ) -> None:
        self.status = status
        self.body = error_body(status, code, message or "Invalid Form Body")
        if problems:
            self.body["errors"] = {"problems": problems}


def _refusable(make: Callable[[], Any]) -> web.Response:
    try:
        return _json(make())
    except _Missing as missing:
        return _json(missing.body, 404)
    except _Refused as refused:
        return _json(refused.body, refused.status)


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # Exactly `application/json`: aiohttp's json_response adds a charset, which discord.py
    # does not recognise as JSON.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )
