"""The window of stored papers a rule is counted over (topic-add, topic-check, `topic check`,
previews): the recent weeks, or the weeks up to the newest stored announcement when nothing
recent is stored (a dump loaded from an older week)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from digest.ports import Unit


@dataclass(frozen=True, slots=True)
class BacklogWindow:
    """Announcement days first..last (inclusive), and why it ends where it does: `today`, a day
    the user `named`, or the `newest` stored announcement (nothing recent is stored)."""

    first: date
    last: date
    weeks: int
    ends: Literal["today", "named", "newest"] = "today"

    def describe(self) -> str:
        """`the last 4 weeks (to 2026-06-28)`, `the 4 weeks to 2026-06-28`, or the weeks to the
        newest stored announcement and why."""
        span = "week" if self.weeks == 1 else f"{self.weeks} weeks"
        if self.ends == "today":
            return f"the last {span} (to {self.last})"
        shown = f"the {span} to {self.last}"
        if self.ends == "named":
            return shown
        return f"{shown}, the newest stored announcement (nothing is stored for the last {span})"


async def backlog_window(unit: Unit, today: date, weeks: int) -> BacklogWindow:
    """The `weeks` weeks to today; when no paper announced in them is stored, the `weeks` weeks
    to the newest stored announcement."""
    first = today - timedelta(weeks=weeks)
    newest = await unit.papers.newest_announced()
    if newest is None or newest >= first:
        return BacklogWindow(first, today, weeks)
    return BacklogWindow(newest - timedelta(weeks=weeks), newest, weeks, "newest")


def window_until(last: date, weeks: int) -> BacklogWindow:
    """The `weeks` weeks to a day the user named."""
    return BacklogWindow(last - timedelta(weeks=weeks), last, weeks, "named")
