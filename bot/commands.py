"""The `/paper` commands: one table of names, options and help, shared by every platform."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.command_words import first_word
from bot.ports import ReplySpec
from bot.setting_keys import SETTING_CHOICES
from digest.models import WEEKDAYS

# How answers are shown, declared before a handler runs (the adapter defers with it).
PUBLIC = ReplySpec(ephemeral=False)
PRIVATE = ReplySpec(ephemeral=True)
PUBLIC_SLOW = ReplySpec(ephemeral=False, slow=True)
PRIVATE_SLOW = ReplySpec(ephemeral=True, slow=True)


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One option of a command. `rest` takes the rest of the line (for rules and reasons)."""

    name: str
    help: str
    required: bool = True
    rest: bool = False
    autocomplete: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A `/paper` sub-command."""

    name: str
    help: str
    options: tuple[OptionSpec, ...] = ()
    admin_only: bool = False
    reply: ReplySpec = PRIVATE

    @property
    def usage(self) -> str:
        """`/paper name <required> [optional]`."""
        parts = [f"<{o.name}>" if o.required else f"[{o.name}]" for o in self.options]
        return " ".join(["/paper", self.name, *parts])


_TOPIC = OptionSpec("topic", "Topic name, like llm-serving", autocomplete="topic")
_PAPER = OptionSpec("paper", "arXiv id or link, like 2406.12345", autocomplete="paper")
_NOMINATED = OptionSpec("paper", "arXiv id of a pending nomination", autocomplete="nomination")
_ENTRY = OptionSpec(
    "entry", "List entry: #number, arXiv id, or words of its title", autocomplete="entry"
)
_SECTION = OptionSpec(
    "section", "List section, like Training / Distributed", autocomplete="section"
)
_SECTION_REST = replace(_SECTION, rest=True)  # last option: takes a path with spaces unquoted
WEEKDAY_CHOICES = WEEKDAYS
DIGEST_CHOICES = ("cap", "when-empty", "weekday", "time", "timezone", "resume")

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help", "Show what paperbot can do"),
    CommandSpec(
        "subscribe",
        "Post a weekly digest of a topic in this channel",
        (
            _TOPIC,
            OptionSpec("weekday", "Day of the digest", required=False, choices=WEEKDAY_CHOICES),
            OptionSpec("time", "Local time of the digest, like 09:00", required=False),
            OptionSpec(
                "timezone",
                "IANA time zone, like Europe/Berlin",
                required=False,
                autocomplete="timezone",
            ),
        ),
        reply=PUBLIC,
    ),
    CommandSpec("unsubscribe", "Stop this channel's digest of a topic", (_TOPIC,), reply=PUBLIC),
    CommandSpec("subscriptions", "List this channel's topics and when the next digest comes"),
    CommandSpec("topics", "List the topics of this workspace"),
    CommandSpec(
        "topic-add",
        "Create a topic from a rule in arXiv's search syntax",
        (
            OptionSpec("name", "Short name, like llm-serving"),
            OptionSpec("rule", 'Rule, like abs:"LLM serving" AND cat:cs.DC', rest=True),
        ),
        admin_only=True,
        reply=PUBLIC_SLOW,
    ),
    CommandSpec(
        "topic-edit",
        "Change a topic's rule",
        (_TOPIC, OptionSpec("rule", "The new rule", rest=True)),
        admin_only=True,
        reply=PUBLIC_SLOW,
    ),
    CommandSpec(
        "topic-remove",
        "Delete a topic and its subscriptions",
        (_TOPIC,),
        admin_only=True,
        reply=PUBLIC,
    ),
    CommandSpec(
        "topic-check",
        "Check a rule: how it was understood and what it matches",
        (OptionSpec("rule", "The rule to check", rest=True),),
        reply=PRIVATE_SLOW,
    ),
    CommandSpec("preview", "Show what this channel's next digest would hold", reply=PRIVATE_SLOW),
    CommandSpec("nominate", "Propose a paper for the group's list", (_PAPER,), reply=PRIVATE_SLOW),
    CommandSpec("withdraw", "Take back your nomination vote", (_PAPER,)),
    CommandSpec("nominations", "List the nominations waiting for review"),
    CommandSpec(
        "approve",
        "Approve a nomination and add the paper to the list",
        (
            _NOMINATED,
            OptionSpec(
                "section",
                "List section, like Training / Distributed",
                required=False,
                rest=True,
                autocomplete="section",
            ),
        ),
        admin_only=True,
        reply=PUBLIC_SLOW,
    ),
    CommandSpec(
        "reject",
        "Reject a nomination",
        (
            _NOMINATED,
            OptionSpec("reason", "Why (told to the nominators)", required=False, rest=True),
        ),
        admin_only=True,
        reply=PUBLIC,
    ),
    CommandSpec("list", "Show the group's list, section by section", reply=PRIVATE_SLOW),
    CommandSpec(
        "list-move",
        "Move a list entry to another section (created if new)",
        (_ENTRY, _SECTION_REST),
        admin_only=True,
        reply=PUBLIC,
    ),
    CommandSpec(
        "list-remove",
        "Take an entry off the list (it stays in the list's history)",
        (OptionSpec("entry", _ENTRY.help, rest=True, autocomplete="entry"),),
        admin_only=True,
        reply=PUBLIC,
    ),
    CommandSpec(
        "section-rename",
        "Rename a section of the list (quote a path with spaces)",
        (_SECTION, OptionSpec("title", "The new title", rest=True)),
        admin_only=True,
        reply=PUBLIC,
    ),
    CommandSpec(
        "section-move",
        "Reorder a section among its siblings",
        (
            OptionSpec("where", "up, down, first, last or a position like 2"),
            _SECTION_REST,
        ),
        admin_only=True,
        reply=PUBLIC,
    ),
    CommandSpec(
        "section-remove",
        "Remove an empty section of the list (one that still holds entries stays)",
        (_SECTION_REST,),
        admin_only=True,
        reply=PUBLIC,
    ),
    CommandSpec(
        "settings",
        "Show or change this workspace's settings",
        (
            OptionSpec("key", "Setting to change", required=False, choices=SETTING_CHOICES),
            OptionSpec("value", "New value", required=False, rest=True),
        ),
        admin_only=True,
    ),
    CommandSpec(
        "more",
        "Show the papers the last digest left out over its limit",
        (OptionSpec("page", "Page number, like 2", required=False),),
    ),
    CommandSpec(
        "digest",
        "Show or change this channel's digest: cap, when-empty (say|quiet), weekday, time, "
        "timezone, resume",
        (
            OptionSpec("key", "What to change", required=False, choices=DIGEST_CHOICES),
            OptionSpec("value", "New value", required=False, rest=True),
        ),
    ),
)

BY_NAME = {command.name: command for command in COMMANDS}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """A button or menu of the bot's messages: what it does, how its answer is shown."""

    name: str
    help: str
    reply: ReplySpec
    admin_only: bool = False


NOMINATE = "nominate"
MORE = "more"
APPROVE = "approve"
FILE = "file"
REJECT = "reject"
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(NOMINATE, "Nominate the paper of a digest", PRIVATE_SLOW),
    ActionSpec(MORE, "Show what a digest left out over its limit", PRIVATE),
    ActionSpec(APPROVE, "Approve a nomination (into the section named)", PUBLIC_SLOW, True),
    ActionSpec(FILE, "Approve a nomination into the section chosen", PUBLIC_SLOW, True),
    ActionSpec(REJECT, "Reject a nomination", PUBLIC, True),
)
ACTION_BY_NAME = {action.name: action for action in ACTIONS}


def command_reply(name: str) -> ReplySpec:
    """How the answer to `/paper <name>` is shown (an unknown command's error: privately)."""
    spec = BY_NAME.get(name)
    return spec.reply if spec else PRIVATE


def action_reply(action: str) -> ReplySpec:
    """How the answer to a press on a component with this action is shown."""
    spec = ACTION_BY_NAME.get(action)
    return spec.reply if spec else PRIVATE


class CommandError(ValueError):
    """A command line that does not fit its command; the message shows the usage."""


def parse_command_line(text: str) -> tuple[str, dict[str, str]]:
    """Split `/paper subscribe llm-serving mon` into the command and its options by position:
    each word as the shell splits it (quotes, curly ones too, group words), the last option
    (`rest`) the rest of the line as typed."""
    text = text.strip()
    if text.startswith("/paper"):
        text = text[len("/paper") :].strip()
    name, _, rest = text.partition(" ")
    name = name.lower() or "help"
    spec = BY_NAME.get(name)
    if spec is None:
        raise CommandError(f"Unknown command `{name}`. Try `/paper help`.")
    options: dict[str, str] = {}
    remaining = rest.strip()
    for option in spec.options:
        if not remaining:
            break
        if option.rest:
            options[option.name] = remaining
            remaining = ""
            break
        options[option.name], remaining = first_word(remaining)
    if remaining:
        raise CommandError(f"Too many values. Usage: `{spec.usage}`")
    missing = [o.name for o in spec.options if o.required and o.name not in options]
    if missing:
        raise CommandError(f"Missing {', '.join(missing)}. Usage: `{spec.usage}`")
    return name, options
