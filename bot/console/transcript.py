"""The console's transcript: every message the console platform posts, one JSON object a line.

`paperbot run --console --transcript FILE` appends there, so another terminal can follow the
bot (`tail -f FILE`), a run keeps a record of what it said, and several processes posting for
the console workspace share one history: after a crash, `find_sent` looks there for a post made
just before it, as Slack reads its history and Discord deduplicates by nonce.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.ports import MessageRef, OutboundMessage


@dataclass(frozen=True, slots=True)
class Transcript:
    """An append-only JSON Lines file of posts."""

    path: Path

    def append(self, ref: MessageRef, message: OutboundMessage, nonce: str | None) -> None:
        """Record one post (written and flushed to disk before the post counts as made)."""
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "channel": ref.channel.id,
                "message_id": ref.id,
                "nonce": nonce,
                "title": message.title,
                "text": message.text,
                "papers": [card.arxiv_id for card in message.cards],
            },
            ensure_ascii=False,
        )
        # One write of one line on a file opened for appending: lines of two processes never mix.
        data = (line + "\n").encode("utf-8")
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def posts(self) -> list[dict[str, object]]:
        """Every post recorded, in order (a torn last line, from a crash mid-write, is skipped)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        found = []
        for line in lines:
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return found

    def find(self, channel_id: str, nonce: str) -> str | None:
        """The message id of the post with `nonce` in the channel, if one is recorded."""
        for post in self.posts():
            if post.get("channel") == channel_id and post.get("nonce") == nonce:
                return str(post["message_id"])
        return None
