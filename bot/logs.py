"""Logging for a running paperbot: text or one JSON object a line, with the context of each record
(workspace, channel, job, platform), and never a configured secret.

The context is kept in context variables, so every record logged while a job runs or an event is
handled carries it, whichever module logs. Secrets are masked by a filter on the handler: a token
that reaches a message or a traceback (a library's debug line, an exception's text) is written as
`***`, whoever logged it.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.ports import ActionEvent, Invocation, ReactionEvent
from config import Settings

FIELDS = ("workspace", "channel", "job", "platform")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"
MASK = "***"
# Libraries whose INFO and DEBUG lines are bookkeeping, not news: WARNING and up only, unless
# PAPERBOT_LOG_LEVEL=DEBUG. SQLAlchemy's engine logs every statement with its parameters (a
# stored Slack token among them), so it stays at WARNING even then.
CHATTY = ("alembic", "apscheduler", "aiohttp.access")
NEVER_VERBOSE = ("sqlalchemy",)

_context: ContextVar[dict[str, str]] = ContextVar("paperbot_log_context", default={})  # noqa: B039 - never mutated


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Add fields (workspace, channel, job, platform) to every record logged meanwhile."""
    given = {key: str(value) for key, value in fields.items() if value is not None}
    token = _context.set({**_context.get(), **given})
    try:
        yield
    finally:
        _context.reset(token)


def event_context(event: object) -> dict[str, str]:
    """The context fields of a chat event: its platform, workspace and channel."""
    if isinstance(event, Invocation):
        channel = event.channel
    elif isinstance(event, ReactionEvent | ActionEvent):
        channel = event.message.channel
    else:
        return {}
    return {
        "platform": channel.platform.value,
        "workspace": channel.workspace_id,
        "channel": channel.id,
    }


def current_context() -> dict[str, str]:
    """The context fields in force now."""
    return dict(_context.get())


class ContextFilter(logging.Filter):
    """Puts the context fields on each record (`extra=` given to the call wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always passes the record, with its context attached."""
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        found = {key: getattr(record, key) for key in FIELDS if getattr(record, key, None)}
        record.context = "".join(f" {key}={value}" for key, value in found.items())
        return True


class RedactingFilter(logging.Filter):
    """Replaces every secret in a record's message and traceback by `***`."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """The text with every secret masked."""
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Always passes the record, masked."""
        if not self.secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            error = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = self.redact(error)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the context fields, the error."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        found: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            value = getattr(record, key, None)
            if value:
                found[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            found["error"] = record.exc_text
        if record.stack_info:
            found["stack"] = record.stack_info
        return json.dumps(found, ensure_ascii=False, default=str)


def make_handler(handler: logging.Handler, settings: Settings) -> logging.Handler:
    """`handler` with paperbot's format and filters (context, then secrets masked)."""
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(settings.secrets))
    return handler


def configure_logging(settings: Settings) -> None:
    """Set the root logger up from the settings: level, format, context, masking."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(make_handler(logging.StreamHandler(sys.stderr), settings))
    root.setLevel(settings.log_level)
    verbose = settings.log_level == "DEBUG"
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)
    for name in NEVER_VERBOSE:
        logging.getLogger(name).setLevel(logging.WARNING)
