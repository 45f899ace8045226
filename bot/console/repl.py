"""`paperbot run --console`: chat with the bot in a terminal, as several users in several channels.

A user is named one way everywhere: `bo` is both the id the core stores and the name shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.commands import CommandError
from bot.console.platform import ConsoleChat, ConsolePlatform
from bot.console.render import literal
from bot.ports import ChannelRef, UserRef

# Who can be played: an admin by the platform's word, a member, and a member who holds the
# role `reviewers` (an admin once `/paper settings admin-role reviewers` names it).
ROSTER = (
    UserRef("ada", "ada", platform_admin=True),
    UserRef("bo", "bo"),
    UserRef("cy", "cy", role_ids=("reviewers",)),
)
FIRST_CHANNEL = "general"
log = logging.getLogger(__name__)

CONSOLE_HELP = """\
Type /paper commands (try /paper help), or:
  /as NAME                 act as another user: ada (admin), bo, cy (role reviewers), or anyone
  /in #CHANNEL             talk in another channel (made on first use)
  /users                   who is who
  react MESSAGE EMOJI      react to a message by its number (unreact MESSAGE EMOJI takes it back)
  press MESSAGE LABEL      press a button (Nominate, Approve, Reject, Show more) on a message
  choose MESSAGE OPTION    pick an option of a message's menu, by its number or label
  quit"""


@contextmanager
def logs_in(path: Path) -> Iterator[None]:
    """Send every log record to `path` meanwhile, so none lands between the chat lines."""
    root = logging.getLogger()
    before = list(root.handlers)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if before:
        # The same format and filters (context, masked secrets) as the handler it stands in for.
        handler.setFormatter(before[0].formatter or handler.formatter)
        for found in before[0].filters:
            handler.addFilter(found)
    for old in before:
        root.removeHandler(old)
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        for old in before:
            root.addHandler(old)


def _describe(user: UserRef) -> str:
    facts = ["platform admin"] if user.platform_admin else []
    facts += [f"role {role}" for role in user.role_ids]
    return literal(f"{user.name}: " + (", ".join(facts) or "member"))


class ConsoleSession:
    """One terminal's state: who is typing, in which channel, and the meta-commands."""

    def __init__(self, chat: ConsoleChat, platform: ConsolePlatform) -> None:
        self.chat = chat
        self.platform = platform
        self.users = {user.id: user for user in ROSTER}
        self.user = ROSTER[0]
        self.channel: ChannelRef = platform.channel(FIRST_CHANNEL, FIRST_CHANNEL)

    @property
    def prompt(self) -> str:
        """`ada in #general> `."""
        return literal(f"{self.user.name} in #{self.channel.name}") + "> "

    def say(self, line: str) -> None:
        """Print a line of the console itself."""
        print(line, file=self.platform.out, flush=True)

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user quits."""
        line = line.strip()
        words = line.split()
        if line in ("quit", "exit"):
            return False
        try:
            await self._dispatch(line, words)
        except (CommandError, LookupError) as exc:
            self.say("! " + literal(str(exc)))
        return True

    async def _dispatch(self, line: str, words: list[str]) -> None:
        verb = words[0] if words else ""
        actions: dict[str, Callable[[list[str]], Awaitable[None]]] = {
            "react": self._react,
            "unreact": self._react,
            "press": self._press,
            "choose": self._choose,
        }
        if line.startswith("/paper"):
            await self.chat.say(self.user, self.channel, line)
        elif verb == "/as" and len(words) == 2:
            name = words[1].lstrip("@").lower()
            self.user = self.users.setdefault(name, UserRef(name, name))
            self.say(f"You are {_describe(self.user)}.")
        elif verb == "/in" and len(words) == 2:
            name = words[1].lstrip("#").lower()
            self.channel = self.platform.channel(name, name)
            self.say(literal(f"You are in #{name}."))
        elif verb == "/users":
            self.say("\n".join(_describe(user) for user in self.users.values()))
        elif verb in actions and len(words) >= 3:
            await actions[verb](words)
        elif line:
            self.say(CONSOLE_HELP)

    async def _react(self, words: list[str]) -> None:
        posted = self.platform.numbered(words[1])
        await self.chat.react(self.user, posted.ref, words[2], added=words[0] == "react")

    async def _press(self, words: list[str]) -> None:
        posted = self.platform.numbered(words[1])
        label = " ".join(words[2:]).lower()
        buttons = posted.message.buttons
        button = next((b for b in buttons if b.label.lower() == label), None)
        button = button or next((b for b in buttons if b.label.lower().startswith(label)), None)
        if button is None:
            raise LookupError(f"message {words[1]} has no button {label!r}")
        await self.chat.press(self.user, posted.ref, button.action, button.value)

    async def _choose(self, words: list[str]) -> None:
        posted = self.platform.numbered(words[1])
        wanted = " ".join(words[2:]).lower()
        for menu in posted.message.selects:
            for number, option in enumerate(menu.options, 1):
                if wanted in (str(number), option.label.lower()):
                    await self.chat.choose(
                        self.user, posted.ref, menu.action, menu.value, option.value
                    )
                    return
        raise LookupError(f"message {words[1]} has no menu option {wanted!r}")


def _typed(prompt: str) -> str:
    """`input`, except from a pipe or file: that is read from its descriptor a byte at a time,
    because the daemon thread reading it may still be waiting when the interpreter exits, and
    must not hold the lock of Python's stdin buffer then (the interpreter would abort)."""
    stream = sys.stdin
    try:
        descriptor = None if stream.isatty() else stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        descriptor = None  # not a real file (a test's StringIO)
    if descriptor is None:
        return input(prompt)
    print(prompt, end="", flush=True)
    found = bytearray()
    while not found.endswith(b"\n"):
        byte = os.read(descriptor, 1)
        if not byte:
            if not found:
                raise EOFError
            break
        found += byte
    return found.decode("utf-8", "replace").rstrip("\r\n")


async def read_line(prompt: str) -> str:
    """One line typed at the terminal (EOFError at the end of input).

    `input` runs in a daemon thread of its own, not the loop's executor: a bot that stops waits
    for no one to press Enter.
    """
    loop = asyncio.get_running_loop()
    typed: asyncio.Future[str] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if typed.done():
            return
        if error is not None:
            typed.set_exception(error)
        else:
            typed.set_result(line or "")

    def read() -> None:
        try:
            line, error = _typed(prompt), None
        except BaseException as exc:  # EOFError, or a closed stream
            line, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return await typed


async def console_loop(session: ConsoleSession) -> None:
    """Read lines from the terminal until `quit` or end of input."""
    session.say(CONSOLE_HELP)
    log.info("console session %s started", session.platform.session)
    while True:
        try:
            line = await read_line(session.prompt)
        except EOFError:
            return
        if not await session.handle(line):
            return
