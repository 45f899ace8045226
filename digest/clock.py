"""The system clock; tests pass their own Clock instead."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The real time, always time-zone aware (UTC)."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and the demo."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        """The instant this clock was set to."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move the clock to `instant` (aware)."""
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = instant
