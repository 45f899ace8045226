"""The topic dialog: `/paper topic-add` (or `topic-edit <topic>`) without a rule opens a form
with a multi-line rule box, since a long rule on one command line is awkward."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from bot.ports import ChannelRef
from bot.slack.translate import channel_ref

TOPIC_VIEW = "pb:topic-dialog"
# The option names of the commands the dialog stands for (bot/commands.py).
DIALOG_COMMANDS = {"topic-add": "name", "topic-edit": "topic"}
MAX_NAME = 64
MAX_RULE = 2000  # the rule language's own limit


def topic_dialog_for(text: str, channel: ChannelRef) -> dict[str, Any] | None:
    """The dialog to open for this command text, or None when the text is a whole command."""
    words = text.split(None, 2)
    if not words or words[0].lower() not in DIALOG_COMMANDS or len(words) == 3:
        return None
    command = words[0].lower()
    if command == "topic-edit" and len(words) < 2:
        return None  # which topic? the parser's usage message says it
    first = DIALOG_COMMANDS[command]
    metadata = {
        "command": command,
        "team": channel.workspace_id,
        "channel": channel.id,
        "channel_name": channel.name,
    }
    name = InputBlock(
        block_id=first,
        label=PlainTextObject(text="Name" if command == "topic-add" else "Topic"),
        element=PlainTextInputElement(
            action_id="value",
            initial_value=words[1][:MAX_NAME] if len(words) > 1 else None,
            max_length=MAX_NAME,
            placeholder=PlainTextObject(text="llm-serving"),
        ),
    )
    rule = InputBlock(
        block_id="rule",
        label=PlainTextObject(text="Rule"),
        hint=PlainTextObject(
            text="arXiv search syntax: ti: abs: au: cat: co: jr: venue: has:code, "
            'AND OR ANDNOT, "phrases", prefix*'
        ),
        element=PlainTextInputElement(
            action_id="value",
            multiline=True,
            max_length=MAX_RULE,
            placeholder=PlainTextObject(text='abs:"LLM serving" AND cat:cs.DC'),
        ),
    )
    view = View(
        type="modal",
        callback_id=TOPIC_VIEW,
        title=PlainTextObject(text="New topic" if command == "topic-add" else "Edit topic"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps(metadata),
        blocks=[name, rule],
    )
    return view.to_dict()


def submitted_topic(body: Mapping[str, Any]) -> tuple[ChannelRef, str, dict[str, str]] | None:
    """The channel, command and options of a submitted topic dialog (None if it is not one)."""
    view = body.get("view") or {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    command = metadata.get("command")
    if command not in DIALOG_COMMANDS:
        return None
    values = (view.get("state") or {}).get("values") or {}
    first = DIALOG_COMMANDS[command]
    options = {
        first: str((values.get(first, {}).get("value") or {}).get("value") or "").strip(),
        "rule": str((values.get("rule", {}).get("value") or {}).get("value") or "").strip(),
    }
    channel = channel_ref(
        str(metadata.get("team") or body.get("team", {}).get("id", "")),
        str(metadata["channel"]),
        str(metadata.get("channel_name", "")),
    )
    return channel, command, options
