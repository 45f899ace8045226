"""Publishing the list to a git repository: where to, what changed since last time, when.

The pure part: the target a workspace publishes to, the snapshot of what was last published
(entry ids with their titles and sections), the changes since then that a commit message
names, and the timing of retries and daily publishes. The git and GitHub work is in bot/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from digest.bibtex import bibtex_document
from digest.list_view import ListView, entry_link, section_paths
from digest.lists import SECTION_SEPARATOR, export_json, export_markdown
from digest.publish_state import PublishedEntry

PULL_BRANCH = "paperbot/list"
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
MAX_NAMED = 20


class PublishError(RuntimeError):
    """A publish that did not happen (auth, conflict, network); the message holds no secret."""


@dataclass(frozen=True, slots=True)
class ListChanges:
    """Entries added, moved to another section and removed since the last publish."""

    added: tuple[PublishedEntry, ...]
    moved: tuple[tuple[PublishedEntry, PublishedEntry], ...]
    removed: tuple[PublishedEntry, ...]

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not (self.added or self.moved or self.removed)

    @property
    def summary(self) -> str:
        """`1 added, 0 moved, 2 removed`."""
        return f"{len(self.added)} added, {len(self.moved)} moved, {len(self.removed)} removed"


def snapshot(view: ListView) -> dict[int, PublishedEntry]:
    """The live entries of a list as a publish writes them, by entry id."""
    paths = section_paths(view.sections)
    return {
        entry.id: PublishedEntry(
            entry.title, SECTION_SEPARATOR.join(paths.get(entry.section_id, ())), entry_link(entry)
        )
        for entry in view.entries
    }


def list_changes(
    before: Mapping[int, PublishedEntry] | None, after: Mapping[int, PublishedEntry]
) -> ListChanges:
    """What changed between two snapshots (everything is added when there was none)."""
    before = before or {}
    return ListChanges(
        added=tuple(entry for key, entry in after.items() if key not in before),
        moved=tuple(
            (before[key], entry)
            for key, entry in after.items()
            if key in before and before[key].section != entry.section
        ),
        removed=tuple(entry for key, entry in before.items() if key not in after),
    )


def _named(entries: list[str]) -> list[str]:
    shown = entries[:MAX_NAMED]
    if len(entries) > MAX_NAMED:
        shown.append(f"- … and {len(entries) - MAX_NAMED} more")
    return shown


def commit_message(changes: ListChanges, title: str) -> str:
    """The commit message: a summary line, then the entries added, moved and removed."""
    lines = [f"{title}: {changes.summary}"]
    if changes.added:
        lines += ["", "Added:"]
        lines += _named([f"- {e.title} ({e.section})" for e in changes.added])
    if changes.moved:
        lines += ["", "Moved:"]
        lines += _named([f"- {a.title}: {b.section} -> {a.section}" for b, a in changes.moved])
    if changes.removed:
        lines += ["", "Removed:"]
        lines += _named([f"- {e.title} ({e.section})" for e in changes.removed])
    return "\n".join(lines) + "\n"


def export_text(view: ListView, format: str, style: str) -> str:
    """The list as the file a publish writes."""
    if format == "json":
        return export_json(view)
    if format == "bibtex":
        return bibtex_document(view).text
    return export_markdown(view, style)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed publishes: doubling from a minute, up to 6 h."""
    delay: timedelta = FIRST_RETRY * 2 ** max(0, attempts - 1)
    return min(LAST_RETRY, delay)


def last_daily_slot(now: datetime, at: time, timezone: str) -> datetime:
    """The latest instant at or before `now` that reads `at` in `timezone`."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    slot = datetime.combine(local.date(), at, zone)
    if slot > local:
        slot = datetime.combine(local.date() - timedelta(days=1), at, zone)
    return slot
