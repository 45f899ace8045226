"""A local Slack on 127.0.0.1: the Web API, response URLs and the Socket Mode websocket.

It plays just enough of Slack for the real slack-sdk and slack-bolt to talk to it: it records
every call (method, arguments, token), keeps the messages posted per channel so
`conversations.history` and `conversations.replies` answer like Slack (thread replies are not
in the history; metadata only with `include_all_metadata`), and can be told to answer a method
with an error (`ratelimited` with Retry-After, `channel_not_found`, a 500) a number of times.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Web API call as Slack received it."""

    method: str
    args: Mapping[str, Any]
    token: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    """A scripted answer: an HTTP status, a body and headers."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Team:
    """A workspace the local Slack knows: its bot token answers auth.test for it."""

    id: str
    name: str
    bot_token: str
    bot_user_id: str = "UBOT"
    bot_id: str = "BBOT"
    enterprise_id: str | None = None


def _decode(value: str) -> Any:
    """Form values that hold JSON (blocks, metadata, view) come back as JSON."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class SlackApi:
    """The local Slack: start it, point the clients at `base_url`, read what they sent."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        # Slack stamps messages with its own clock; tests with a fixed clock pass theirs.
        self.now = now
        self._last_ts = 0.0
        self.calls: list[ApiCall] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.teams: dict[str, Team] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.oauth_codes: dict[str, Team] = {}
        self.closed: dict[str, str] = {}
        self._drops: dict[str, int] = {}
        self._held: dict[str, asyncio.Event] = {}
        self.app_token = "xapp-1-A0PAPER-1-local"
        self.acks: dict[str, dict[str, Any]] = {}
        self._scripted: dict[str, deque[Answer]] = defaultdict(deque)
        self._changed = asyncio.Event()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        """Close the sockets and stop listening."""
        for socket in self._sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What `AsyncWebClient(base_url=...)` needs."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        """A response URL that lands here (Slack's own would go to hooks.slack.com)."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- what tests set up -----------------------------------------------------------------

    def add_team(self, team_id: str, name: str, bot_token: str, **extra: Any) -> Team:
        """A workspace with its bot token; `oauth_code` makes it installable by OAuth."""
        code = extra.pop("oauth_code", None)
        team = Team(team_id, name, bot_token, **extra)
        self.teams[bot_token] = team
        if code is not None:
            self.oauth_codes[code] = team
        return team

    def add_user(
        self, user_id: str, name: str, team_id: str, admin: bool = False, owner: bool = False
    ) -> None:
        """A member for users.info."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "real_name": name.title(),
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name.title()},
        }

    def add_usergroup(self, team_id: str, group_id: str, handle: str, users: list[str]) -> None:
        """A user group and its members, for usergroups.list / usergroups.users.list."""
        self.usergroups[team_id].append({"id": group_id, "handle": handle, "users": users})

    def fail(
        self,
        method: str,
        error: str,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with `error`."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        for _ in range(times):
            self._scripted[method].append(Answer(status, {"ok": False, "error": error}, headers))

    def hold(self, method: str) -> asyncio.Event:
        """Keep calls of `method` waiting until the returned event is set (a slow Slack)."""
        self._held[method] = asyncio.Event()
        return self._held[method]

    def drop(self, method: str, nth: int = 1) -> None:
        """Do the `nth` next call of `method`, then drop the connection before answering (the
        post reached Slack; the bot never hears so)."""
        self._drops[method] = nth

    def gone(self, channel: str, error: str = "channel_not_found") -> None:
        """Every post to `channel` fails with `error` from now on."""
        self.closed[channel] = error

    # -- what tests read -------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of one method, in order."""
        return [call for call in self.calls if call.method == method]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Arguments of chat.postMessage calls that succeeded, optionally in one channel."""
        return [
            message
            for name, messages in self.history.items()
            if channel is None or name == channel
            for message in messages
        ]

    async def wait_for(self, check: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until `check()` returns something true (a call arrived, a reply was sent)."""
        async with asyncio.timeout(within):
            while not (result := check()):
                self._changed.clear()
                await self._changed.wait()
            return result

    def _touch(self) -> None:
        self._changed.set()

    # -- the Web API -----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.text()
            if request.content_type == "application/json":
                args.update(json.loads(raw) if raw else {})
            else:
                args.update({k: _decode(v) for k, v in parse_qsl(raw, keep_blank_values=True)})
        token = args.pop("token", None)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            token = header.removeprefix("Bearer ")
        elif header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            args.update(client_id=client_id, client_secret=secret)
        self.calls.append(ApiCall(method, args, token))
        self._touch()
        if method in self._held:
            await self._held[method].wait()
        scripted = self._scripted.get(method)
        answer = scripted.popleft() if scripted else self._answer(method, args, token)
        if method in self._drops:
            self._drops[method] -= 1
            if not self._drops[method]:
                del self._drops[method]
                assert request.transport is not None
                request.transport.close()
        return web.json_response(dict(answer.body), status=answer.status, headers=answer.headers)

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        if method == "apps.connections.open":
            if token != self.app_token:
                return _error("invalid_auth")
            return _ok(url=f"ws://127.0.0.1:{self.port}/socket")
        if method == "oauth.v2.access":
            return self._oauth(args)
        team = self.teams.get(token or "")
        if team is None:
            return _error("invalid_auth")
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _ok()
        result: Answer = handler(team, args)
        return result

    def _oauth(self, args: dict[str, Any]) -> Answer:
        team = self.oauth_codes.get(str(args.get("code")))
        if team is None:
            return _error("invalid_code")
        return _ok(
            app_id="A0PAPER",
            authed_user={"id": "UINSTALLER"},
            scope="chat:write,commands,reactions:read",
            token_type="bot",
            access_token=team.bot_token,
            bot_user_id=team.bot_user_id,
            team={"id": team.id, "name": team.name},
            enterprise=None,
            is_enterprise_install=False,
        )

    def _stamp(self) -> str:
        """A message ts: Slack's time in microseconds, never the same twice."""
        self._last_ts = max(self.now(), self._last_ts + 1e-6)
        return f"{self._last_ts:.6f}"

    def _auth_test(self, team: Team, _args: dict[str, Any]) -> Answer:
        return _ok(
            url=f"https://{team.name}.slack.com/",
            team=team.name,
            user="paperbot",
            team_id=team.id,
            user_id=team.bot_user_id,
            bot_id=team.bot_id,
            is_enterprise_install=False,
        )

    def _chat_postMessage(self, team: Team, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel", ""))
        if channel in self.closed:
            return _error(self.closed[channel])
        ts = self._stamp()
        message = {
            **{k: v for k, v in args.items() if k != "channel"},
            "type": "message",
            "ts": ts,
            "user": team.bot_user_id,
            "bot_id": team.bot_id,
            "team": team.id,
        }
        self.history[channel].append(message)
        if "thread_ts" in args:
            for parent in self.history[channel]:
                if parent.get("ts") == args["thread_ts"]:
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
        return _ok(channel=channel, ts=ts, message=message)

    def _chat_update(self, _team: Team, args: dict[str, Any]) -> Answer:
        for message in self.history[str(args.get("channel", ""))]:
            if message.get("ts") == args.get("ts"):
                message.update({k: v for k, v in args.items() if k not in ("channel", "ts")})
                return _ok(channel=args["channel"], ts=args["ts"])
        return _error("message_not_found")

    def _chat_postEphemeral(self, _team: Team, _args: dict[str, Any]) -> Answer:
        return _ok(message_ts=self._stamp())

    def _conversations_open(self, _team: Team, args: dict[str, Any]) -> Answer:
        return _ok(channel={"id": "D" + str(args.get("users", "")).split(",")[0]})

    def _conversations_history(self, _team: Team, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel", ""))
        oldest = float(args.get("oldest", 0) or 0)
        metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            _shown(m, metadata)
            for m in reversed(self.history[channel])
            if float(m["ts"]) > oldest and m.get("thread_ts", m["ts"]) == m["ts"]
        ]
        return _ok(messages=found, has_more=False)

    def _conversations_replies(self, _team: Team, args: dict[str, Any]) -> Answer:
        channel, parent = str(args.get("channel", "")), str(args.get("ts", ""))
        oldest = float(args.get("oldest", 0) or 0)
        metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            _shown(m, metadata)
            for m in self.history[channel]
            if (m["ts"] == parent or m.get("thread_ts") == parent)
            and (m["ts"] == parent or float(m["ts"]) > oldest)
        ]
        return _ok(messages=found, has_more=False)

    def _users_info(self, _team: Team, args: dict[str, Any]) -> Answer:
        user = self.users.get(str(args.get("user", "")))
        return _ok(user=user) if user else _error("user_not_found")

    def _usergroups_list(self, team: Team, args: dict[str, Any]) -> Answer:
        with_users = str(args.get("include_users", "")).lower() in ("1", "true")
        groups = [
            {k: v for k, v in group.items() if with_users or k != "users"}
            for group in self.usergroups[team.id]
        ]
        return _ok(usergroups=groups)

    def _usergroups_users_list(self, team: Team, args: dict[str, Any]) -> Answer:
        for group in self.usergroups[team.id]:
            if group["id"] == args.get("usergroup"):
                return _ok(users=group["users"])
        return _error("no_such_subteam")

    def _views_open(self, _team: Team, args: dict[str, Any]) -> Answer:
        return _ok(view={**args.get("view", {}), "id": "V" + uuid.uuid4().hex[:8]})

    # -- response URLs ---------------------------------------------------------------------

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append((request.match_info["name"], await request.json()))
        self._touch()
        return web.Response(text="ok")

    # -- Socket Mode -----------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        self._touch()
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0PAPER"}}
        await socket.send_json(hello)
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.acks[ack["envelope_id"]] = ack
                self._touch()
        return socket

    async def push(self, kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Send one Socket Mode envelope and wait for the app's acknowledgement of it."""
        await self.wait_for(lambda: self._sockets)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": dict(payload),
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        await self._sockets[-1].send_json(envelope)
        ack: dict[str, Any] = await self.wait_for(lambda: self.acks.get(envelope_id))
        return ack


def _ok(**body: Any) -> Answer:
    return Answer(200, {"ok": True, **body})


def _error(error: str) -> Answer:
    return Answer(200, {"ok": False, "error": error})


def _shown(message: dict[str, Any], metadata: bool) -> dict[str, Any]:
    return {k: v for k, v in message.items() if metadata or k != "metadata"}
