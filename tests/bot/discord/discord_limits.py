"""Discord's documented limits on what a bot sends, checked the way Discord checks them.

Written from Discord's API reference (message, embed, component and application command
objects), independently of the renderer, so the tests do not compare the renderer with itself.
The fake API answers 400 "Invalid Form Body" with these problems, as Discord does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR_NAME = 256
EMBEDS_TOTAL = 6000
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80
SELECT_OPTIONS = 25
SELECT_OPTION_TEXT = 100
SELECT_PLACEHOLDER = 150
NONCE = 25
THREAD_NAME = 100
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25
COMMAND_CHOICES = 25
CHOICE_TEXT = 100
COMMAND_TOTAL = 8000


def message_problems(payload: Mapping[str, Any]) -> list[str]:
    """Why Discord would refuse this message body; empty when it would accept it."""
    return list(_message(payload))


def _message(payload: Mapping[str, Any]) -> Iterator[str]:
    content = payload.get("content") or ""
    if len(content) > CONTENT:
        yield f"content is {len(content)} characters (at most {CONTENT})"
    nonce = payload.get("nonce")
    if nonce is not None and len(str(nonce)) > NONCE:
        yield f"nonce is {len(str(nonce))} characters (at most {NONCE})"
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS:
        yield f"{len(embeds)} embeds (at most {EMBEDS})"
    total = 0
    for number, embed in enumerate(embeds):
        total += yield from _embed(number, embed)
    if total > EMBEDS_TOTAL:
        yield f"embeds hold {total} characters together (at most {EMBEDS_TOTAL})"
    yield from _components(payload.get("components") or [])
    if not content and not embeds and not payload.get("components"):
        yield "cannot send an empty message"


def _embed(number: int, embed: Mapping[str, Any]) -> Iterator[str]:
    counted = 0
    for key, limit in (("title", EMBED_TITLE), ("description", EMBED_DESCRIPTION)):
        text = embed.get(key) or ""
        counted += len(text)
        if len(text) > limit:
            yield f"embeds[{number}].{key} is {len(text)} characters (at most {limit})"
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    counted += len(footer) + len(author)
    if len(footer) > FOOTER:
        yield f"embeds[{number}].footer.text is {len(footer)} characters (at most {FOOTER})"
    if len(author) > AUTHOR_NAME:
        yield f"embeds[{number}].author.name is {len(author)} characters (at most {AUTHOR_NAME})"
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        yield f"embeds[{number}] has {len(fields)} fields (at most {EMBED_FIELDS})"
    for index, field in enumerate(fields):
        name, value = field.get("name") or "", field.get("value") or ""
        counted += len(name) + len(value)
        if not name or not value:
            yield f"embeds[{number}].fields[{index}] needs a name and a value"
        if len(name) > FIELD_NAME:
            yield f"embeds[{number}].fields[{index}].name is {len(name)} characters"
        if len(value) > FIELD_VALUE:
            yield f"embeds[{number}].fields[{index}].value is {len(value)} characters"
    return counted


def _components(rows: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    if len(rows) > ACTION_ROWS:
        yield f"{len(rows)} action rows (at most {ACTION_ROWS})"
    custom_ids: list[str] = []
    for row_number, row in enumerate(rows):
        items = row.get("components") or []
        if row.get("type") != 1:
            yield f"components[{row_number}] is not an action row"
        selects = [item for item in items if item.get("type") == 3]
        if selects and len(items) > 1:
            yield f"components[{row_number}]: a select fills its row alone"
        if len(items) > BUTTONS_PER_ROW:
            yield f"components[{row_number}] has {len(items)} buttons (at most {BUTTONS_PER_ROW})"
        for item in items:
            custom_id = item.get("custom_id")
            if custom_id is not None:
                custom_ids.append(custom_id)
                if not 1 <= len(custom_id) <= CUSTOM_ID:
                    yield f"custom_id {custom_id!r} is {len(custom_id)} characters"
            if item.get("type") == 2 and len(item.get("label") or "") > BUTTON_LABEL:
                yield f"button label is {len(item['label'])} characters (at most {BUTTON_LABEL})"
            if item.get("type") == 3:
                yield from _select(item)
    if len(custom_ids) != len(set(custom_ids)):
        yield "custom ids repeat within the message"


def _select(select: Mapping[str, Any]) -> Iterator[str]:
    options = select.get("options") or []
    if not 1 <= len(options) <= SELECT_OPTIONS:
        yield f"select has {len(options)} options (1 to {SELECT_OPTIONS})"
    if len(select.get("placeholder") or "") > SELECT_PLACEHOLDER:
        yield "select placeholder is too long"
    for option in options:
        for key in ("label", "value", "description"):
            if len(option.get(key) or "") > SELECT_OPTION_TEXT:
                yield f"select option {key} is {len(option[key])} characters"
    values = [option.get("value") for option in options]
    if len(values) != len(set(values)):
        yield "select option values repeat"


def command_problems(command: Mapping[str, Any], path: str = "") -> list[str]:
    """Why Discord would refuse this application command (or sub-command) definition."""
    problems = list(_command(command, path or command.get("name", "?")))
    total = _characters(command)
    if not path and total > COMMAND_TOTAL:
        problems.append(f"names, descriptions and choices hold {total} characters (at most 8000)")
    return problems


def _characters(command: Mapping[str, Any]) -> int:
    """What Discord counts against a command's 8000 characters."""
    own = len(command.get("name") or "") + len(command.get("description") or "")
    choices = sum(
        len(choice["name"]) + len(str(choice["value"])) for choice in command.get("choices") or []
    )
    return own + choices + sum(_characters(option) for option in command.get("options") or [])


def _command(command: Mapping[str, Any], path: str) -> Iterator[str]:
    name = command.get("name") or ""
    if not COMMAND_NAME.match(name) or name != name.lower():
        yield f"{path}: name {name!r} is not 1-32 lower-case letters, digits, - or _"
    description = command.get("description") or ""
    if not 1 <= len(description) <= COMMAND_DESCRIPTION:
        yield f"{path}: description is {len(description)} characters (1 to {COMMAND_DESCRIPTION})"
    options = command.get("options") or []
    if len(options) > COMMAND_OPTIONS:
        yield f"{path}: {len(options)} options (at most {COMMAND_OPTIONS})"
    names = [option.get("name") for option in options]
    if len(names) != len(set(names)):
        yield f"{path}: option names repeat"
    seen_optional = False
    for option in options:
        where = f"{path} {option.get('name')}"
        if option.get("type") in (1, 2):
            yield from _command(option, where)
            continue
        yield from _command({**option, "options": []}, where)
        if option.get("required"):
            if seen_optional:
                yield f"{where}: a required option after an optional one"
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > COMMAND_CHOICES:
            yield f"{where}: {len(choices)} choices (at most {COMMAND_CHOICES})"
        if choices and option.get("autocomplete"):
            yield f"{where}: choices and autocomplete together"
        for choice in choices:
            if not 1 <= len(choice["name"]) <= CHOICE_TEXT or len(choice["value"]) > CHOICE_TEXT:
                yield f"{where}: choice {choice['name']!r} is too long"
